using MassTransit;
using Microsoft.Extensions.Options;
using NetCds.Fhir.Input;
using NetCds.Service.Messaging.Contracts.V1;

namespace NetCds.Service.Subscriptions;

/// <summary>
/// Handles notifications after they were acknowledged to the EHR. A failed read from the EHR is retried (HTTP
/// retries, then the bus's); after the last retry the notification goes to the error queue with the reason.
/// </summary>
public sealed class SubscriptionNotificationConsumer(NotificationProcessor processor, IOptions<SubscriptionsOptions> options) : IConsumer<SubscriptionNotificationReceived>
{
    public async Task Consume(ConsumeContext<SubscriptionNotificationReceived> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var message = context.Message;
        var settings = options.Value.Find(message.Subscription)
            ?? throw new UnusableNotificationException($"no subscription named {message.Subscription} is configured any more");
        var parsed = FhirInput.Parse(message.Json);
        var (notification, expression, problem) = parsed.Resource is { } resource ? SubscriptionNotification.Read(resource) : (null, "Bundle", $"not valid FHIR: {parsed.Error}");
        if (notification is null)
        {
            throw new UnusableNotificationException($"{expression}: {problem}");
        }

        await processor.ProcessAsync(settings, notification, context.CancellationToken);
    }
}

public sealed class SubscriptionNotificationConsumerDefinition : ConsumerDefinition<SubscriptionNotificationConsumer>
{
    public const string Queue = "netcds-subscription-notifications";

    private readonly int _retries;

    public SubscriptionNotificationConsumerDefinition(IOptions<SubscriptionFetchOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        EndpointName = Queue;
        _retries = options.Value.MessageRetries;

        // One at a time per instance: event numbers are compared in order; instances competing for one
        // subscription are kept apart by the state row's revision (a conflict is retried).
        ConcurrentMessageLimit = 1;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<SubscriptionNotificationConsumer> consumerConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Exponential(_retries, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200));
            r.Ignore<UnusableNotificationException>();
        });
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.SetQuorumQueue();
        }
    }
}

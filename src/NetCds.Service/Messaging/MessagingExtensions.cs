using MassTransit;

namespace NetCds.Service.Messaging;

public enum MessagingTransport
{
    InMemory,
    RabbitMq,
}

/// <summary>Configuration section <c>Messaging</c>; the broker is <c>ConnectionStrings:RabbitMq</c> (amqp URI). The outbox's settings, in the same section, are <c>OutboxOptions</c>.</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary><c>InMemory</c> (one process) or <c>RabbitMq</c> (scale-out; <c>ConnectionStrings:RabbitMq</c>).</summary>
    public MessagingTransport Transport { get; init; } = MessagingTransport.InMemory;
}

/// <summary>A message that can never be processed (bad FHIR, unknown patient reference): no retry, straight to the error queue with the reason.</summary>
public sealed class InvalidMessageException(string message) : Exception(message);

public static class MessagingExtensions
{
    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var transport = builder.Configuration.GetValue($"{MessagingOptions.Section}:Transport", MessagingTransport.InMemory);
        builder.Services.AddMassTransit(bus =>
        {
            bus.AddConsumer<RecomputeEligibilityConsumer, RecomputeEligibilityConsumerDefinition>();
            // The ways in (Ingestion) and the features register their consumers as BusConsumerRegistration
            // singletons, listed first: registering a consumer adds services.
            foreach (var feature in builder.Services.Select(d => d.ImplementationInstance).OfType<Ops.BusConsumerRegistration>().ToList())
            {
                feature.Register(bus);
            }

            bus.AddReceiveObserver<MessagingMetrics>();

            // MassTransit's own health check: part of readiness when a broker is configured.
            bus.ConfigureHealthCheckOptions(health =>
            {
                health.Name = "broker";
                health.MinimalFailureStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy;
                health.Tags.Clear();
                health.Tags.Add(transport == MessagingTransport.RabbitMq ? Ops.HealthExtensions.ReadyTag : "bus");
            });
            if (transport == MessagingTransport.RabbitMq)
            {
                var uri = builder.Configuration.GetConnectionString("RabbitMq");
                if (string.IsNullOrWhiteSpace(uri))
                {
                    throw new InvalidOperationException("Messaging:Transport is RabbitMq but ConnectionStrings:RabbitMq is not set.");
                }

                bus.UsingRabbitMq((context, rabbit) =>
                {
                    rabbit.Host(new Uri(uri), host => host.PublisherConfirmation = true);
                    rabbit.ConfigureEndpoints(context);
                });
            }
            else
            {
                bus.UsingInMemory((context, memory) => memory.ConfigureEndpoints(context));
            }
        });

        // After AddMassTransit: the host stops hosted services in reverse order, so the gate is stopped before the bus.
        builder.Services.AddSingleton<BusStartGate>();
        builder.Services.AddBusObserver(sp => sp.GetRequiredService<BusStartGate>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BusStartGate>());
        return builder;
    }

    /// <summary>Quorum queues on RabbitMQ (replicated, durable); nothing to do in memory.</summary>
    public static void UseQuorumQueue(IReceiveEndpointConfigurator endpoint)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.SetQuorumQueue();
        }
    }
}

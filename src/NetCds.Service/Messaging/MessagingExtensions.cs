using System.ComponentModel.DataAnnotations;
using MassTransit;
using NetCds.Service.Storage;

namespace NetCds.Service.Messaging;

public enum MessagingTransport
{
    InMemory,
    RabbitMq,
}

/// <summary>Configuration section <c>Messaging</c>; the broker is <c>ConnectionStrings:RabbitMq</c> (amqp URI).</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary><c>InMemory</c> (one process) or <c>RabbitMq</c> (scale-out; <c>ConnectionStrings:RabbitMq</c>).</summary>
    public MessagingTransport Transport { get; init; } = MessagingTransport.InMemory;

    /// <summary>How often the outbox is polled for rows written by other instances (a local write wakes the dispatcher at once).</summary>
    [Range(10, 60_000)]
    public int OutboxPollMilliseconds { get; init; } = 250;

    /// <summary>Most outbox rows published per broker round trip.</summary>
    [Range(1, 10_000)]
    public int OutboxBatchSize { get; init; } = 100;

    /// <summary>Dispatched outbox rows older than this are deleted (in batches of <see cref="OutboxRetentionBatchSize"/>).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan OutboxRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Most rows deleted by one retention statement.</summary>
    [Range(1, 100_000)]
    public int OutboxRetentionBatchSize { get; init; } = 1_000;

    /// <summary>How often dispatched rows past their retention are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan OutboxRetentionInterval { get; init; } = TimeSpan.FromMinutes(10);
}

/// <summary>A message that can never be processed (bad FHIR, unknown patient reference): no retry, straight to the error queue with the reason.</summary>
public sealed class InvalidMessageException(string message) : Exception(message);

public static class MessagingExtensions
{
    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddHostedService<OutboxDispatcher>();
        builder.Services.AddSingleton<OutboxRetention>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxRetention>());
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

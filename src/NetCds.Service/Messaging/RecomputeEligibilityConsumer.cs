using MassTransit;
using NetCds.Service.Messaging.Contracts.V1;
using NetCds.Service.Records;

namespace NetCds.Service.Messaging;

/// <summary>The bus's way to <see cref="EligibilityRecompute"/>: one message, one recompute of its patient.</summary>
public sealed class RecomputeEligibilityConsumer(EligibilityRecompute recompute) : IConsumer<RecomputeEligibility>
{
    public Task Consume(ConsumeContext<RecomputeEligibility> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var message = context.Message;
        return recompute.RecomputeAsync(message.Patient, message.Generation, message.RequestedAt, context.CancellationToken);
    }
}

/// <summary>Retry and endpoint settings beside the consumer: transient faults back off and retry on fresh data.</summary>
public sealed class RecomputeEligibilityConsumerDefinition : ConsumerDefinition<RecomputeEligibilityConsumer>
{
    /// <summary>The receive endpoint (queue) name; its dead letters are in <c>netcds-recompute-eligibility_error</c>.</summary>
    public const string Queue = "netcds-recompute-eligibility";

    /// <summary>
    /// Recomputes in flight at once. Most of a recompute's time is waiting: out its gather
    /// (<c>Ingestion:RecomputeGather</c>), for the patient's previous recompute to end (at most one request a patient
    /// waits so, <see cref="Records.RecomputeGathering"/>), for the database. With the transport's default of a few per
    /// core, requests waiting out their gather would hold every slot and delay other patients' requests.
    /// </summary>
    public const int InFlight = 32;

    public RecomputeEligibilityConsumerDefinition()
    {
        EndpointName = Queue;
        ConcurrentMessageLimit = InFlight;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<RecomputeEligibilityConsumer> consumerConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Exponential(8, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100));
            r.Ignore<InvalidMessageException>();
        });
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.PrefetchCount = InFlight;
        }

        MessagingExtensions.UseQuorumQueue(endpointConfigurator);
    }
}

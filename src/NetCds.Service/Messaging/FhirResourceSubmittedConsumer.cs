using MassTransit;
using NetCds.Fhir.Input;
using NetCds.Service.Ingestion;
using NetCds.Service.Messaging.Contracts.V1;

namespace NetCds.Service.Messaging;

/// <summary>FHIR JSON published onto the bus by an integration engine: stored exactly as an HTTP POST /fhir would be.</summary>
public sealed class FhirResourceSubmittedConsumer(ResourceIngestion ingestion) : IConsumer<FhirResourceSubmitted>
{
    public async Task Consume(ConsumeContext<FhirResourceSubmitted> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var parsed = FhirInput.Parse(context.Message.Json);
        if (!parsed.Succeeded)
        {
            // Never dropped: it goes to the error queue with this reason in its fault headers.
            throw new InvalidMessageException("Invalid FHIR: " + string.Join("; ", parsed.Outcome!.Issue.Select(i => $"{i.Diagnostics} ({string.Join(",", i.Expression)})")));
        }

        var (entries, error) = IngestionRequest.Entries(parsed.Resource!);
        if (error is not null)
        {
            throw new InvalidMessageException(error);
        }

        await ingestion.IngestAsync(entries, context.CancellationToken);
    }
}

public sealed class FhirResourceSubmittedConsumerDefinition : ConsumerDefinition<FhirResourceSubmittedConsumer>
{
    public FhirResourceSubmittedConsumerDefinition() => EndpointName = "netcds-fhir-inbound";

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<FhirResourceSubmittedConsumer> consumerConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Exponential(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100));
            r.Ignore<InvalidMessageException>();
        });
        MessagingExtensions.UseQuorumQueue(endpointConfigurator);
    }
}

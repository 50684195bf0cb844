using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Options;
using NetCds.Fhir.Input;
using NetCds.Fhir.Terminology;
using NetCds.Service.Messaging;
using NetCds.Service.Messaging.Contracts.V1;
using NetCds.Service.Records;

namespace NetCds.Service.Ingestion;

/// <summary>FHIR JSON published onto the bus by an integration engine: stored exactly as an HTTP POST /fhir would be.</summary>
public sealed class FhirResourceSubmittedConsumer(ResourceIngestion ingestion, TerminologyMap terminology, IOptions<IngestionOptions> options) : IConsumer<FhirResourceSubmitted>
{
    public Task Consume(ConsumeContext<FhirResourceSubmitted> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return IngestAsync(ingestion, context.Message.Json, options.Value.UnknownObservationCodes == UnknownCodePolicy.DeadLetter ? terminology : null, context.CancellationToken);
    }

    internal static async Task IngestAsync(ResourceIngestion ingestion, string? json, TerminologyMap? requireKnownCodes, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            throw new InvalidMessageException("Empty message: FHIR JSON expected.");
        }

        var parsed = FhirInput.Parse(json);
        if (!parsed.Succeeded)
        {
            // Never dropped: it goes to the error queue with this reason in its fault headers.
            throw new InvalidMessageException("Invalid FHIR: " + string.Join("; ", parsed.Outcome!.Issue.Select(i => $"{i.Diagnostics} ({string.Join(",", i.Expression)})")));
        }

        var (entries, _, error) = IngestionRequest.Entries(parsed.Resource!);
        if (error is not null)
        {
            throw new InvalidMessageException(error);
        }

        if (requireKnownCodes is not null)
        {
            UnknownCodes.Check(entries, requireKnownCodes);
        }

        await ingestion.IngestAsync(entries, cancellationToken);
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

/// <summary>
/// FHIR JSON published by an integration engine straight to the <c>netcds-fhir-raw</c> exchange: the body is the
/// resource or Bundle itself (no MassTransit envelope). Stored exactly as POST /fhir would store it.
/// </summary>
public sealed class RawFhirJsonConsumer(ResourceIngestion ingestion, TerminologyMap terminology, IOptions<IngestionOptions> options) : IConsumer<RawFhirJson>
{
    public Task Consume(ConsumeContext<RawFhirJson> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var json = context.Message.Content.Count == 0 ? null : JsonSerializer.Serialize(context.Message.Content);
        return FhirResourceSubmittedConsumer.IngestAsync(ingestion, json, options.Value.UnknownObservationCodes == UnknownCodePolicy.DeadLetter ? terminology : null, context.CancellationToken);
    }
}

public sealed class RawFhirJsonConsumerDefinition : ConsumerDefinition<RawFhirJsonConsumer>
{
    public RawFhirJsonConsumerDefinition() => EndpointName = "netcds-fhir-raw";

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<RawFhirJsonConsumer> consumerConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        endpointConfigurator.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Exponential(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100));
            r.Ignore<InvalidMessageException>();
        });
        MessagingExtensions.UseQuorumQueue(endpointConfigurator);
    }
}

using MassTransit;
using Microsoft.Extensions.Options;
using NetCds.Fhir.Input;
using NetCds.Fhir.Terminology;
using NetCds.Service.Messaging;
using NetCds.Service.Messaging.Contracts.V1;
using NetCds.Service.Records;
using Resource = Hl7.Fhir.Model.Resource;

namespace NetCds.Service.Ingestion;

/// <summary>FHIR JSON published onto the bus by an integration engine: stored exactly as an HTTP POST /fhir would be.</summary>
public sealed class FhirResourceSubmittedConsumer(ResourceIngestion ingestion, TerminologyMap terminology, IOptions<IngestionOptions> options) : IConsumer<FhirResourceSubmitted>
{
    public Task Consume(ConsumeContext<FhirResourceSubmitted> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return IngestAsync(ingestion, context.Message.Json, options.Value.UnknownObservationCodes == UnknownCodePolicy.DeadLetter ? terminology : null, context.CancellationToken);
    }

    internal static Task IngestAsync(ResourceIngestion ingestion, string? json, TerminologyMap? requireKnownCodes, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(json)
            ? throw new InvalidMessageException("Empty message: FHIR JSON expected.")
            : IngestAsync(ingestion, Parsed(FhirInput.Parse(json)), requireKnownCodes, cancellationToken);

    /// <summary>A message body as it came (the raw exchange): its UTF-8 bytes go to the FHIR input edge as they are.</summary>
    internal static Task IngestAsync(ResourceIngestion ingestion, ReadOnlySpan<byte> body, TerminologyMap? requireKnownCodes, CancellationToken cancellationToken) =>
        IngestAsync(ingestion, Parsed(FhirInput.Parse(body)), requireKnownCodes, cancellationToken);

    /// <summary>
    /// The resource, or the message's way to the error queue: never dropped, the reason (each element path and
    /// message, as the HTTP edge's OperationOutcome gives them) in its fault headers.
    /// </summary>
    internal static Resource Parsed(ParseResult parsed) =>
        parsed.Resource ?? throw new InvalidMessageException($"Invalid FHIR: {parsed.Error}");

    private static async Task IngestAsync(ResourceIngestion ingestion, Resource resource, TerminologyMap? requireKnownCodes, CancellationToken cancellationToken)
    {
        var (entries, _, error) = IngestionRequest.Entries(resource);
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
        // The body is the FHIR JSON itself: parsed from its bytes, not from the members MassTransit captured.
        var requireKnownCodes = options.Value.UnknownObservationCodes == UnknownCodePolicy.DeadLetter ? terminology : null;
        return context.Message.Content.Count == 0
            ? FhirResourceSubmittedConsumer.IngestAsync(ingestion, (string?)null, requireKnownCodes, context.CancellationToken)
            : FhirResourceSubmittedConsumer.IngestAsync(ingestion, context.ReceiveContext.Body.GetBytes(), requireKnownCodes, context.CancellationToken);
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

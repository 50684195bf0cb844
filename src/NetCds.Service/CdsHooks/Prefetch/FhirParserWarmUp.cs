using NetCds.Fhir.Input;

namespace NetCds.Service.CdsHooks.Prefetch;

/// <summary>
/// Parses a small Bundle at start. The FHIR parser's first use inspects the whole model and takes a second or
/// more: paid on the first CDS call, it would use up that call's prefetch budget. The parse begins when the service is
/// registered (<see cref="Begin"/>), so it runs on the second core while the host is built and the store migrated; the
/// host still waits for it before it listens.
/// </summary>
internal sealed class FhirParserWarmUp : IHostedService
{
    private static ReadOnlySpan<byte> Sample => """
        {"resourceType":"Bundle","type":"searchset","entry":[
          {"resource":{"resourceType":"Patient","id":"warm-up","birthDate":"1970-01-01"}},
          {"resource":{"resourceType":"Observation","id":"warm-up","status":"final","code":{"text":"warm-up"},"valueQuantity":{"value":1}}},
          {"resource":{"resourceType":"Condition","id":"warm-up","subject":{"reference":"Patient/warm-up"}}},
          {"resource":{"resourceType":"Procedure","id":"warm-up","status":"completed","subject":{"reference":"Patient/warm-up"}}},
          {"resource":{"resourceType":"MedicationStatement","id":"warm-up","status":"active","medicationCodeableConcept":{"text":"warm-up"},"subject":{"reference":"Patient/warm-up"}}},
          {"resource":{"resourceType":"MedicationRequest","id":"warm-up","status":"active","intent":"order","medicationCodeableConcept":{"text":"warm-up"},"subject":{"reference":"Patient/warm-up"}}}]}
        """u8;

    // Process-wide, like the parser's model inspection it pays for: every host in one process (tests) shares it.
    private static readonly Lazy<Task> WarmUp = new(() => Task.Run(() => FhirInput.Parse(Sample)));

    /// <summary>Starts the parse in the background, once per process.</summary>
    public static void Begin() => _ = WarmUp.Value;

    public Task StartAsync(CancellationToken cancellationToken) => WarmUp.Value.WaitAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

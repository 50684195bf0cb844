using NetCds.Fhir.Input;

namespace NetCds.Service.CdsHooks.Prefetch;

/// <summary>
/// Parses a small Bundle at start. The FHIR parser's first use inspects the whole model and takes a second or
/// more: paid on the first CDS call, it would use up that call's prefetch budget.
/// </summary>
internal sealed class FhirParserWarmUp : IHostedService
{
    private const string Sample = """
        {"resourceType":"Bundle","type":"searchset","entry":[
          {"resource":{"resourceType":"Patient","id":"warm-up","birthDate":"1970-01-01"}},
          {"resource":{"resourceType":"Observation","id":"warm-up","status":"final","code":{"text":"warm-up"},"valueQuantity":{"value":1}}},
          {"resource":{"resourceType":"Condition","id":"warm-up","subject":{"reference":"Patient/warm-up"}}},
          {"resource":{"resourceType":"Procedure","id":"warm-up","status":"completed","subject":{"reference":"Patient/warm-up"}}},
          {"resource":{"resourceType":"MedicationStatement","id":"warm-up","status":"active","medicationCodeableConcept":{"text":"warm-up"},"subject":{"reference":"Patient/warm-up"}}},
          {"resource":{"resourceType":"MedicationRequest","id":"warm-up","status":"active","intent":"order","medicationCodeableConcept":{"text":"warm-up"},"subject":{"reference":"Patient/warm-up"}}}]}
        """;

    public Task StartAsync(CancellationToken cancellationToken) => Task.Run(() => FhirInput.Parse(Sample), cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

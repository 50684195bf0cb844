using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Hl7.Fhir.Model;
using NetCds.Domain.Engine;
using NetCds.Fhir.Input;
using NetCds.Fhir.Knowledge;
using NetCds.Service.Tests.Support;
using Task = System.Threading.Tasks.Task;

namespace NetCds.Service.Tests.Knowledge;

/// <summary>
/// Issue 21, deliverable 1: the report as FHIR GuidanceResponses when the caller asks for application/fhir+json, on
/// <c>POST /eligibility/$evaluate</c> and on the stored <c>GET /eligibility/{patient}</c>; our JSON otherwise.
/// </summary>
public sealed class FhirResultsApiTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private const string FhirJson = "application/fhir+json";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Pancreatic NET G1 with liver metastases, bilirubin 4.2 mg/dL (EMB and SIRT contraindicated), no SSTR imaging (SSA data-required).</summary>
    private static string Input(string patient) => $$$$"""
        {"resourceType":"Bundle","type":"collection","entry":[
          {"resource":{"resourceType":"Patient","id":"{{{{patient}}}}","birthDate":"1960-01-01"}},
          {"resource":{"resourceType":"Condition","id":"{{{{patient}}}}-pnet","subject":{"reference":"Patient/{{{{patient}}}}"},"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"C25.4"}]}}},
          {"resource":{"resourceType":"Condition","id":"{{{{patient}}}}-mets","subject":{"reference":"Patient/{{{{patient}}}}"},"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"C7B.02"}]}}},
          {"resource":{"resourceType":"Observation","id":"{{{{patient}}}}-ki67","status":"final","subject":{"reference":"Patient/{{{{patient}}}}"},"effectiveDateTime":"{{{{TestClock.DaysAgo(30)}}}}",
            "code":{"coding":[{"system":"http://loinc.org","code":"29593-1"}]},"valueQuantity":{"value":2,"unit":"%","system":"http://unitsofmeasure.org","code":"%"}}},
          {"resource":{"resourceType":"Observation","id":"{{{{patient}}}}-bili","status":"final","subject":{"reference":"Patient/{{{{patient}}}}"},"effectiveDateTime":"{{{{TestClock.DaysAgo(20)}}}}",
            "code":{"coding":[{"system":"http://loinc.org","code":"1975-2"}]},"valueQuantity":{"value":4.2,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"}}}
        ]}
        """;

    private async Task<HttpResponseMessage> EvaluateAsync(string patient, string? accept)
    {
        using var client = factory.CreateApiClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/eligibility/$evaluate") { Content = new StringContent(Input(patient), Encoding.UTF8, FhirJson) };
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        return await client.SendAsync(request, Ct);
    }

    private static async Task<Resource> FhirOf(HttpResponseMessage response)
    {
        var parsed = FhirInput.Parse(await response.Content.ReadAsStringAsync(Ct));
        parsed.Outcome.Should().BeNull();
        return parsed.Resource!;
    }

    private static GuidanceResponse ForTherapy(Bundle bundle, TherapyId therapy) =>
        bundle.Entry.Select(e => e.Resource).OfType<GuidanceResponse>()
            .Single(g => ((Canonical)g.Module).Value == $"{NetCdsCanonicals.PlanDefinitionUrl(PlanDefinitions.IdFor(therapy))}|{EligibilityEngine.RulesVersion}");

    private static T Resolve<T>(Bundle bundle, DataType? reference)
        where T : Resource => (T)bundle.Entry.Single(e => e.FullUrl == ((ResourceReference)reference!).Reference).Resource!;

    [Fact]
    public async Task Evaluate_with_accept_fhir_json_answers_one_guidance_response_per_therapy()
    {
        using var response = await EvaluateAsync("gr-1", FhirJson);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be(FhirJson);
        var bundle = (Bundle)await FhirOf(response);
        bundle.Type.Should().Be(Bundle.BundleType.Collection);
        var responses = bundle.Entry.Select(e => e.Resource).OfType<GuidanceResponse>().ToList();
        responses.Should().HaveCount(12);
        responses.Should().OnlyContain(g => g.Subject!.Reference == "Patient/gr-1" && g.OccurrenceDateTime != null && g.OutputParameters != null);

        // SSA: no SSTR imaging, so data-required with the codes and order that would supply it.
        var ssa = ForTherapy(bundle, TherapyId.Ssa);
        ssa.Status.Should().Be(GuidanceResponse.GuidanceResponseStatus.DataRequired);
        var sstr = ssa.DataRequirement.Single(d => d.CodeFilter.SelectMany(f => f.Code).Any(c => c.Code == "sstr-uptake"));
        sstr.Type.Should().Be(FHIRAllTypes.Observation);
        ((CodeableConcept)sstr.GetExtension(NetCdsCanonicals.SupplyingOrder)!.Value!).Coding[0].Code.Should().Be("sstr-imaging");
        ssa.ReasonCode.SelectMany(r => r.Coding).Should().Contain(c => c.Code == "SSA-SSTR" && c.System == NetCdsCanonicals.Rules);
        var ssaStatus = Resolve<Parameters>(bundle, ssa.OutputParameters).Parameter.Single(p => p.Name == "status").Value as Coding;
        ssaStatus!.Code.Should().Be("insufficient-data");
        ssaStatus.System.Should().Be(NetCdsCanonicals.EligibilityStatus);

        // EMB: bilirubin 4.2 mg/dL, contraindicated: an OperationOutcome issue pointing at a DetectedIssue citing the Observation.
        var emb = ForTherapy(bundle, TherapyId.Emb);
        emb.Status.Should().Be(GuidanceResponse.GuidanceResponseStatus.Success);
        emb.ReasonCode.SelectMany(r => r.Coding).Select(c => c.Code).Should().Contain("EMB-LIVER");
        var outcome = Resolve<OperationOutcome>(bundle, emb.EvaluationMessage.Single());
        var issue = Resolve<DetectedIssue>(bundle, outcome.Issue.Single(i => i.Details!.Coding[0].Code == "EMB-LIVER").GetExtension(NetCdsCanonicals.OperationOutcomeDetectedIssue)!.Value);
        issue.Severity.Should().Be(DetectedIssue.DetectedIssueSeverity.High);
        issue.Patient!.Reference.Should().Be("Patient/gr-1");
        issue.Evidence.SelectMany(e => e.Detail).Select(d => d.Reference).Should().Contain("Observation/gr-1-bili");
        issue.Detail.Should().Contain("bilirubin");

        // Inputs are referenced by their FHIR ids.
        var embFindings = Resolve<Parameters>(bundle, emb.OutputParameters).Parameter.Where(p => p.Name == "finding").ToList();
        embFindings.SelectMany(f => f.Part).Where(p => p.Name == "input").SelectMany(p => p.Part).Where(p => p.Name == "source")
            .Select(p => (p.Value as ResourceReference)?.Reference).Should().Contain("Observation/gr-1-bili");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/json")]
    [InlineData("application/json, application/fhir+json;q=0.5")]
    public async Task Evaluate_without_asking_for_fhir_keeps_our_json(string? accept)
    {
        using var response = await EvaluateAsync("gr-2", accept);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        (await response.Content.ReadAsStringAsync(Ct)).Should().Contain("\"assessments\"");
    }

    [Fact]
    public async Task The_stored_report_is_served_as_fhir_on_request_with_the_same_etag()
    {
        var patient = $"gr-{Guid.NewGuid():N}"[..20];
        using var client = factory.CreateApiClient();
        using (var stored = await client.PostAsync(new Uri("/fhir", UriKind.Relative), new StringContent(Input(patient), Encoding.UTF8, FhirJson), Ct))
        {
            stored.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using var json = await Eventually.PollAsync(
            () => client.GetAsync(new Uri($"/eligibility/{patient}", UriKind.Relative), Ct),
            r => r.StatusCode == HttpStatusCode.OK);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/eligibility/{patient}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(FhirJson));
        using var fhir = await client.SendAsync(request, Ct);

        fhir.StatusCode.Should().Be(HttpStatusCode.OK);
        fhir.Content.Headers.ContentType!.MediaType.Should().Be(FhirJson);
        fhir.Headers.ETag.Should().Be(json.Headers.ETag);
        var bundle = (Bundle)await FhirOf(fhir);
        bundle.Entry.Select(e => e.Resource).OfType<GuidanceResponse>().Should().HaveCount(12);
        ForTherapy(bundle, TherapyId.Emb).EvaluationMessage.Should().ContainSingle();
        bundle.Entry.Select(e => e.Resource).OfType<DetectedIssue>().Should().Contain(d => d.Evidence.SelectMany(e => e.Detail).Any(r => r.Reference == $"Observation/{patient}-bili"));
    }

    [Fact]
    public async Task The_openapi_document_offers_both_forms_of_the_report()
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative), Ct);
        using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var paths = document.RootElement.GetProperty("paths");

        foreach (var (path, method) in new[] { ("/eligibility/{patientId}", "get"), ("/eligibility/$evaluate", "post") })
        {
            var operation = paths.GetProperty(path).GetProperty(method);
            operation.GetProperty("responses").GetProperty("200").GetProperty("content").EnumerateObject().Select(c => c.Name).Should().Contain("application/json", path);
            operation.GetProperty("description").GetString().Should().Contain("Accept: application/fhir+json").And.Contain("GuidanceResponse");
        }
    }
}

using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests;

public sealed class EvaluateApiTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private const string Bundle = """
        {"resourceType":"Bundle","type":"collection","entry":[
          {"resource":{"resourceType":"Patient","id":"api-1","birthDate":"1960-01-01"}},
          {"resource":{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/api-1"},"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"C25.4"}]}}},
          {"resource":{"resourceType":"Condition","id":"c2","subject":{"reference":"Patient/api-1"},"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"C7B.02"}]}}},
          {"resource":{"resourceType":"Observation","id":"ki67","status":"final","subject":{"reference":"Patient/api-1"},"effectiveDateTime":"2026-09-01",
            "code":{"coding":[{"system":"http://loinc.org","code":"29593-1"}]},"valueQuantity":{"value":2,"unit":"%","system":"http://unitsofmeasure.org","code":"%"}}},
          {"resource":{"resourceType":"Observation","id":"bili","status":"final","subject":{"reference":"Patient/api-1"},"effectiveDateTime":"2026-10-01",
            "code":{"coding":[{"system":"http://loinc.org","code":"1975-2"}]},"valueQuantity":{"value":3,"unit":"furlong","system":"http://unitsofmeasure.org","code":"[fur_us]"}}}
        ]}
        """;

    private static readonly string[] Therapies = ["RES", "ABL", "EMB", "SIRT", "LT", "SSA", "INF", "PRRT", "MIBG", "EVE", "SUN", "CHEMO"];

    private static readonly string[] Statuses = ["eligible", "consider", "contraindicated", "not-indicated", "insufficient-data"];

    private static StringContent Fhir(string json, string mediaType = "application/fhir+json") => new(json, Encoding.UTF8, mediaType);

    private async Task<HttpResponseMessage> PostAsync(string json, string query = "?asOf=2026-11-01", string mediaType = "application/fhir+json", WebApplicationFactory<Program>? host = null)
    {
        using var client = (host ?? factory).CreateApiClient();
        using var content = Fhir(json, mediaType);
        return await client.PostAsync(new Uri("/eligibility/$evaluate" + query, UriKind.Relative), content, TestContext.Current.CancellationToken);
    }

    private static async Task<JsonElement> JsonOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;

    [Fact]
    public async Task A_bundle_is_evaluated_for_every_therapy_with_the_catalogue_words()
    {
        using var response = await PostAsync(Bundle);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var report = await JsonOf(response);
        report.GetProperty("patient").GetString().Should().Be("Patient/api-1");
        report.GetProperty("evaluatedAt").GetDateTimeOffset().Should().Be(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        report.GetProperty("rulesVersion").GetString().Should().NotBeNullOrEmpty();
        var assessments = report.GetProperty("assessments").EnumerateArray().ToList();
        assessments.Select(a => a.GetProperty("therapy").GetString()).Should().Equal(Therapies);
        assessments.Select(a => a.GetProperty("status").GetString()).Should().OnlyContain(s => Statuses.Contains(s));
        var ssa = assessments.Single(a => a.GetProperty("therapy").GetString() == "SSA");
        ssa.GetProperty("missing").EnumerateArray().Select(m => m.GetProperty("code").GetString()).Should().Contain("http://netcds.org/fhir/CodeSystem/net-findings|sstr-uptake");
        var finding = assessments[0].GetProperty("findings")[0];
        finding.GetProperty("rule").GetString().Should().StartWith("RES-");
        finding.GetProperty("evidence")[0].GetProperty("article").GetString().Should().MatchRegex("^00[0-4]$");
    }

    [Fact]
    public async Task A_value_in_an_unknown_unit_is_reported_not_dropped()
    {
        using var response = await PostAsync(Bundle);

        var problems = (await JsonOf(response)).GetProperty("dataProblems").EnumerateArray().ToList();
        problems.Should().ContainSingle(p => p.GetProperty("resource").GetString() == "Observation/bili");
        var problem = problems.Single(p => p.GetProperty("resource").GetString() == "Observation/bili");
        problem.GetProperty("kind").GetString().Should().Be("unknown-unit");
        problem.GetProperty("element").GetString().Should().Be("Observation.value.unit");
    }

    [Fact]
    public async Task Malformed_json_is_a_400_operation_outcome()
    {
        using var response = await PostAsync("{\"resourceType\": \"Bundle\", ");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/fhir+json");
        var outcome = await JsonOf(response);
        outcome.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
        outcome.GetProperty("issue")[0].GetProperty("code").GetString().Should().Be("structure");
    }

    [Fact]
    public async Task Invalid_FHIR_names_the_offending_element()
    {
        using var response = await PostAsync("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":"abc"}}""");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var issue = (await JsonOf(response)).GetProperty("issue")[0];
        issue.GetProperty("expression")[0].GetString().Should().Be("Observation.value.value");
    }

    [Fact]
    public async Task Another_media_type_is_415()
    {
        using var response = await PostAsync(Bundle, mediaType: "text/plain");

        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await JsonOf(response)).GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
    }

    [Fact]
    public async Task An_empty_body_is_a_400()
    {
        using var response = await PostAsync("  ");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await JsonOf(response)).GetProperty("issue")[0].GetProperty("code").GetString().Should().Be("required");
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        using var small = factory.WithWebHostBuilder(b => b.UseSetting("Fhir:MaxRequestBytes", "1024"));

        using var response = await PostAsync(Bundle, host: small);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Input_that_names_no_patient_is_422()
    {
        using var response = await PostAsync("""{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Medication","id":"m1"}}]}""");

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await JsonOf(response)).GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
    }

    [Fact]
    public async Task A_bad_asOf_is_a_400_naming_the_parameter()
    {
        using var response = await PostAsync(Bundle, query: "?asOf=yesterday");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await JsonOf(response)).GetProperty("issue")[0].GetProperty("expression")[0].GetString().Should().Be("asOf");
    }

    [Fact]
    public async Task Plain_application_json_is_accepted_too()
    {
        using var response = await PostAsync(Bundle, mediaType: "application/json");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }
}

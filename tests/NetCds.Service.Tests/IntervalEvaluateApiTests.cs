using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NetCds.Fhir;
using NetCds.Fhir.Input;
using NetCds.Service.Cards;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests;

/// <summary>
/// Quantities as intervals end to end (catalogue, "Quantities are intervals"; issue 8): a comparator sent to
/// <c>POST /eligibility/$evaluate</c> reaches the rules and comes back on the report and the card as written.
/// </summary>
public sealed class IntervalEvaluateApiTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private const string Patient = "Patient/iv-1";
    private const string Findings = "http://netcds.org/fhir/CodeSystem/net-findings";
    private const string Loinc = "http://loinc.org";

    private static JsonObject Coding(string system, string code) => new() { ["coding"] = new JsonArray(new JsonObject { ["system"] = system, ["code"] = code }) };

    private static JsonObject Observation(string id, string system, string code, string valueElement, JsonNode value) => new()
    {
        ["resourceType"] = "Observation",
        ["id"] = id,
        ["status"] = "final",
        ["subject"] = new JsonObject { ["reference"] = Patient },
        ["effectiveDateTime"] = "2026-10-01",
        ["code"] = Coding(system, code),
        [valueElement] = value,
    };

    private static JsonObject Quantity(decimal value, string? unit, string? comparator = null)
    {
        var quantity = new JsonObject { ["value"] = value };
        if (comparator is not null)
        {
            quantity["comparator"] = comparator;
        }

        if (unit is not null)
        {
            quantity["unit"] = unit;
            quantity["system"] = "http://unitsofmeasure.org";
            quantity["code"] = unit;
        }

        return quantity;
    }

    private static JsonObject Percent(string id, string system, string code, decimal value, string? comparator = null) =>
        Observation(id, system, code, "valueQuantity", Quantity(value, "%", comparator));

    private static JsonObject Condition(string id, string icd10, string? clinicalStatus = null)
    {
        var condition = new JsonObject
        {
            ["resourceType"] = "Condition",
            ["id"] = id,
            ["subject"] = new JsonObject { ["reference"] = Patient },
            ["code"] = Coding("http://hl7.org/fhir/sid/icd-10-cm", icd10),
        };
        if (clinicalStatus is not null)
        {
            condition["clinicalStatus"] = Coding("http://terminology.hl7.org/CodeSystem/condition-clinical", clinicalStatus);
        }

        return condition;
    }

    /// <summary>A pancreatic NET with liver metastases, well differentiated, with every SIRT input but the shunt study.</summary>
    private static string Bundle(string primaryStatus, params JsonObject[] more)
    {
        JsonObject[] resources =
        [
            new() { ["resourceType"] = "Patient", ["id"] = "iv-1", ["birthDate"] = "1975-01-01" },
            Condition("pnet", "C25.4", primaryStatus),
            Condition("mets", "C7B.02"),
            Observation("diff", Findings, "tumor-differentiation", "valueCodeableConcept", Coding(Findings, "well-differentiated")),
            Observation("bili", Loinc, "1975-2", "valueQuantity", Quantity(0.8m, "mg/dL")),
            Observation("pv", Findings, "portal-vein-status", "valueCodeableConcept", Coding(Findings, "patent")),
            Percent("burden", Findings, "liver-tumor-burden", 30),
            .. more,
        ];
        var entries = new JsonArray([.. resources.Select(r => (JsonNode)new JsonObject { ["resource"] = r })]);
        return new JsonObject { ["resourceType"] = "Bundle", ["type"] = "collection", ["entry"] = entries }.ToJsonString();
    }

    private static string Bundle(params JsonObject[] more) => Bundle("active", more);

    private async Task<JsonElement> EvaluateAsync(string bundle)
    {
        using var client = factory.CreateApiClient();
        using var content = new StringContent(bundle, Encoding.UTF8, "application/fhir+json");
        using var response = await client.PostAsync(new Uri("/eligibility/$evaluate?asOf=2026-11-01", UriKind.Relative), content, TestContext.Current.CancellationToken);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone();
    }

    private static JsonElement Assessment(JsonElement report, string therapy) =>
        report.GetProperty("assessments").EnumerateArray().Single(a => a.GetProperty("therapy").GetString() == therapy);

    private static JsonElement Finding(JsonElement assessment, string rule) =>
        assessment.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("rule").GetString() == rule);

    [Theory]
    [InlineData(">", 20, "contraindicated", "contraindicated", "> 20")]
    [InlineData(">=", 25, "contraindicated", "contraindicated", "≥ 25")]
    [InlineData("<", 30, "insufficient-data", "insufficient-data", "< 30")]
    [InlineData("<=", 20, "eligible", "eligible", "≤ 20")]
    [InlineData(null, 10, "eligible", "eligible", "10")]
    [InlineData(null, 25, "contraindicated", "contraindicated", "25")]
    public async Task Lung_shunt_fraction_decides_SIRT_only_when_the_whole_interval_is_on_one_side(string? comparator, int value, string status, string shuntEffect, string written)
    {
        var report = await EvaluateAsync(Bundle(Percent("ki67", Loinc, "29593-1", 5), Percent("shunt", Findings, "lung-shunt-fraction", value, comparator)));

        var sirt = Assessment(report, "SIRT");
        sirt.GetProperty("status").GetString().Should().Be(status);
        var shunt = Finding(sirt, "SIRT-SHUNT");
        shunt.GetProperty("effect").GetString().Should().Be(shuntEffect);
        shunt.GetProperty("inputs")[0].GetProperty("value").GetString().Should().Be(written + " %");
        report.GetProperty("facts").GetProperty("lungShuntFraction").GetProperty("written").GetString().Should().Be(written);
        report.GetProperty("dataProblems").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task A_lung_shunt_above_20_is_shown_as_written_on_the_report_and_the_card()
    {
        var bundle = Bundle(Percent("shunt", Findings, "lung-shunt-fraction", 20, ">"));

        var report = await EvaluateAsync(bundle);

        var facts = report.GetProperty("facts").GetProperty("lungShuntFraction");
        facts.GetProperty("written").GetString().Should().Be("> 20");
        facts.TryGetProperty("value", out _).Should().BeFalse("a bound is not the value");
        Finding(Assessment(report, "SIRT"), "SIRT-SHUNT").GetProperty("reason").GetString().Should().Contain("> 20 %");

        var evaluation = factory.Services.GetRequiredService<FhirEvaluation>().Evaluate(FhirInput.Parse(bundle).Resource!, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), Patient)!;
        var card = factory.Services.GetRequiredService<CardBuilder>().PatientView(evaluation, new CardLinks("https://netcds.example/cds-services", "https://netcds.example"))[0];
        card.Detail.Should().Contain("**Contraindicated** SIRT").And.Contain("SIRT-SHUNT").And.Contain("> 20 %, Observation/shunt");
    }

    [Theory]
    [InlineData("<", 3, "G1")]
    [InlineData(">", 20, "G3")]
    [InlineData(null, 2, "G1")]
    [InlineData(null, 3, "G2")]
    public async Task Ki67_with_a_comparator_is_graded_by_its_whole_interval(string? comparator, int value, string grade)
    {
        var report = await EvaluateAsync(Bundle(Percent("ki67", Loinc, "29593-1", value, comparator)));

        var tumour = report.GetProperty("facts").GetProperty("tumour");
        tumour.GetProperty("grade").GetString().Should().Be(grade);
        tumour.GetProperty("ki67").GetProperty("value").GetString().Should().Be((comparator is null ? "" : (comparator == "<" ? "< " : "> ")) + value + " %");
    }

    [Theory]
    [InlineData(25, "not-indicated")]
    [InlineData(1, "eligible")]
    public async Task LT_KI67_fails_on_a_mitotic_count_in_the_G3_range_even_with_Ki67_below_10(int mitoses, string effect)
    {
        var report = await EvaluateAsync(Bundle(
            Percent("ki67", Loinc, "29593-1", 2),
            Observation("mit", Findings, "mitotic-count", "valueQuantity", Quantity(mitoses, "/10.HPF"))));

        var lt = Assessment(report, "LT");
        Finding(lt, "LT-KI67").GetProperty("effect").GetString().Should().Be(effect);
        if (effect == "not-indicated")
        {
            lt.GetProperty("status").GetString().Should().Be("not-indicated");
        }
    }

    [Fact]
    public async Task A_score_with_a_comparator_is_a_data_problem_not_a_value()
    {
        var report = await EvaluateAsync(Bundle(Observation("ecog", Loinc, "89247-1", "valueQuantity", Quantity(2, null, "<"))));

        report.GetProperty("facts").TryGetProperty("ecog", out _).Should().BeFalse();
        var problem = report.GetProperty("dataProblems").EnumerateArray().Single();
        problem.GetProperty("resource").GetString().Should().Be("Observation/ecog");
        problem.GetProperty("element").GetString().Should().Be("Observation.value.comparator");
        problem.GetProperty("kind").GetString().Should().Be("unusable-value");
    }

    [Fact]
    public async Task A_resolved_primary_after_its_resection_still_gives_the_primary_site()
    {
        var bundle = Bundle("resolved", Percent("ki67", Loinc, "29593-1", 2));

        var report = await EvaluateAsync(bundle);

        report.GetProperty("facts").GetProperty("primarySite").GetProperty("value").GetString().Should().Be("pancreas");
    }

    /// <summary>A newer result than the bundle's (two values at one instant would be a conflict, neither used).</summary>
    private static JsonObject Later(JsonObject observation)
    {
        observation["effectiveDateTime"] = "2026-10-15";
        return observation;
    }

    private static JsonObject BilirubinRange(decimal low, decimal high) =>
        Later(Observation("bili-range", Loinc, "1975-2", "valueRange", new JsonObject { ["low"] = Quantity(low, "mg/dL"), ["high"] = Quantity(high, "mg/dL") }));

    [Fact]
    public async Task A_bilirubin_range_across_3_mg_dL_leaves_EMB_undecided_and_says_what_each_side_would_give()
    {
        // Decided by cases (issue 21): 2.5-4 mg/dL is consider up to 3 and contraindicated above (EMB-LIVER).
        var report = await EvaluateAsync(Bundle(BilirubinRange(2.5m, 4m)));

        var emb = Assessment(report, "EMB");
        emb.GetProperty("status").GetString().Should().Be("insufficient-data");
        var liver = Finding(emb, "EMB-LIVER");
        liver.GetProperty("effect").GetString().Should().Be("insufficient-data");
        // Below 3 mg/dL this patient's EMB still lacks other safety inputs; above, it is contraindicated.
        liver.GetProperty("reason").GetString().Should().Contain("if bilirubin ≤ 3 mg/dL").And.Contain("contraindicated if bilirubin > 3 mg/dL");
        liver.GetProperty("inputs")[0].GetProperty("value").GetString().Should().Be("2.5-4 mg/dL", "the card shows the value as written");
    }

    [Fact]
    public async Task A_bilirubin_range_inside_SIRT_consider_either_way_is_decided()
    {
        // SIRT-LIVER: 1.5-2.5 mg/dL is eligible below 2 and consider from 2; SIRT-BURDEN (80 %) is consider anyway.
        var report = await EvaluateAsync(Bundle(BilirubinRange(1.5m, 2.5m), Later(Percent("burden-80", Findings, "liver-tumor-burden", 80))));

        var sirt = Assessment(report, "SIRT");
        sirt.GetProperty("findings").EnumerateArray()
            .Where(f => f.GetProperty("rule").GetString() == "SIRT-LIVER").Select(f => f.GetProperty("effect").GetString())
            .Should().NotBeEmpty().And.NotContain("insufficient-data", "both sides of 2 mg/dL give SIRT the same status");
        sirt.GetProperty("findings").EnumerateArray().Should().Contain(f => f.GetProperty("rule").GetString() == "SIRT-LIVER"
            && f.GetProperty("reason").GetString()!.EndsWith("either way", StringComparison.Ordinal));
    }
}

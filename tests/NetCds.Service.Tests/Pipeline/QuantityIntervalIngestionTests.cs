using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetCds.Service.Tests.Support;
using static NetCds.Service.Tests.Pipeline.PipelineSupport;

namespace NetCds.Service.Tests.Pipeline;

/// <summary>
/// A FHIR <c>Quantity.comparator</c> is a modifier: on the event path it must reach the rule and the stored report
/// (catalogue "Quantities are intervals"), exactly as on <c>$evaluate</c>.
/// </summary>
public sealed class QuantityIntervalIngestionTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private const string Seed = "02-pancreatic-net-g2-progressive";

    private static string LungShunt(string patientId, decimal value, string comparator) => new JsonObject
    {
        ["resourceType"] = "Observation",
        ["id"] = $"{patientId}-lung-shunt",
        ["status"] = "final",
        ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://netcds.org/fhir/CodeSystem/net-findings", ["code"] = "lung-shunt-fraction" }) },
        ["subject"] = new JsonObject { ["reference"] = $"Patient/{patientId}" },
        ["effectiveDateTime"] = TestClock.DaysAgo(45),
        ["valueQuantity"] = new JsonObject { ["value"] = value, ["comparator"] = comparator, ["unit"] = "%", ["system"] = "http://unitsofmeasure.org", ["code"] = "%" },
    }.ToJsonString();

    private static JsonElement Sirt(JsonElement report) =>
        report.GetProperty("assessments").EnumerateArray().Single(a => a.GetProperty("therapy").GetString() == "SIRT");

    private static JsonElement? ShuntFinding(JsonElement report) =>
        Sirt(report).GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("rule").GetString() == "SIRT-SHUNT").Cast<JsonElement?>().FirstOrDefault();

    [Fact]
    public async Task A_lung_shunt_above_20_percent_posted_as_an_event_contraindicates_SIRT_and_the_report_shows_the_comparator()
    {
        using var client = factory.CreateApiClient();
        var (json, patientId) = UniqueSeed(Seed);
        (await PostAsync(client, "/fhir", json)).Status.Should().Be(HttpStatusCode.OK);
        await ReportAsync(client, patientId);

        (await PostAsync(client, "/fhir", LungShunt(patientId, 20m, ">"))).Status.Should().BeOneOf(HttpStatusCode.OK, HttpStatusCode.Created);

        var report = await ReportAsync(client, patientId, r => ShuntFinding(r) is not null);
        Statuses(report)["SIRT"].Should().Be("contraindicated");
        var finding = ShuntFinding(report)!.Value;
        finding.GetProperty("effect").GetString().Should().Be("contraindicated");
        finding.GetProperty("inputs")[0].GetProperty("value").GetString().Should().Be("> 20 %");
    }

    [Fact]
    public async Task A_lung_shunt_below_30_percent_decides_nothing_so_SIRT_asks_for_the_shunt_study()
    {
        using var client = factory.CreateApiClient();
        var (json, patientId) = UniqueSeed(Seed);
        (await PostAsync(client, "/fhir", json)).Status.Should().Be(HttpStatusCode.OK);
        await ReportAsync(client, patientId);

        (await PostAsync(client, "/fhir", LungShunt(patientId, 30m, "<"))).Status.Should().BeOneOf(HttpStatusCode.OK, HttpStatusCode.Created);

        var report = await ReportAsync(client, patientId, r => ShuntFinding(r) is not null);
        Statuses(report)["SIRT"].Should().Be("insufficient-data");
        ShuntFinding(report)!.Value.GetProperty("effect").GetString().Should().Be("insufficient-data");
        Sirt(report).GetProperty("missing").EnumerateArray().Select(m => m.GetProperty("fact").GetString()).Should().Contain("lungShuntFraction");
    }
}

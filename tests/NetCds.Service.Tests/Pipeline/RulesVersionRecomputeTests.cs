using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NetCds.Domain.Engine;
using NetCds.Service.Messaging.Contracts.V2;
using NetCds.Service.Records;
using NetCds.Service.Storage;
using NetCds.Service.Tests.Support;
using static NetCds.Service.Tests.Pipeline.PipelineSupport;

namespace NetCds.Service.Tests.Pipeline;

/// <summary>
/// Issue 22: a rules upgrade can change statuses while every kept fact stays the same, so a report stored under
/// another rules version is recomputed by the background pass (through the outbox), and its changes are announced
/// like any other.
/// </summary>
public sealed class RulesVersionRecomputeTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    /// <summary>The catalogue before the revision of 2026-12-06.</summary>
    private const string OlderRules = "netcds-rules-2026.11";

    private const string Seed = "02-pancreatic-net-g2-progressive";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private FactStateRederivation Pass => factory.Services.GetServices<IHostedService>().OfType<FactStateRederivation>().Single();

    private Task<PatientReport> ReportRowAsync(string patientId) =>
        QueryAsync(factory.Services, s => s.Reports.AsNoTracking().SingleAsync(r => r.Patient == $"Patient/{patientId}", Token));

    private Task<long> GenerationAsync(string patientId) =>
        QueryAsync(factory.Services, s => s.PatientRecords.AsNoTracking().Where(r => r.Patient == $"Patient/{patientId}").Select(r => r.Generation).SingleAsync(Token));

    private Task<List<EligibilityChanged>> ChangesInOutboxAsync(string patientId) =>
        QueryAsync(factory.Services, async s => (await s.Outbox.AsNoTracking().Where(m => m.MessageType == nameof(EligibilityChanged)).OrderBy(m => m.CreatedAt).ToListAsync(Token))
            .Select(m => JsonSerializer.Deserialize<EligibilityChanged>(m.Payload, JsonSerializerOptions.Web)!)
            .Where(m => m.Patient == $"Patient/{patientId}")
            .ToList());

    private static bool UnderCurrentRules(JsonElement report) => report.GetProperty("rulesVersion").GetString() == EligibilityEngine.RulesVersion;

    private static async Task<string> StoredPatientAsync(HttpClient client)
    {
        var (seed, patientId) = UniqueSeed(Seed);
        (await PostAsync(client, "/fhir", seed)).Status.Should().Be(HttpStatusCode.OK);
        UnderCurrentRules(await ReportAsync(client, patientId)).Should().BeTrue();
        return patientId;
    }

    /// <summary>Rewrites the stored report as the older catalogue computed it: its version, and what RES and INF were then.</summary>
    private Task<int> AsUnderOlderRulesAsync(string patientId, string? version) =>
        QueryAsync(factory.Services, s => s.Reports.Where(r => r.Patient == $"Patient/{patientId}").ExecuteUpdateAsync(set => set
            .SetProperty(r => r.RulesVersion, version)
            .SetProperty(r => r.ReportJson, r => r.ReportJson.Replace(EligibilityEngine.RulesVersion, OlderRules))
            .SetProperty(r => r.Statuses, r => r.Statuses.Replace("RES=not-indicated", "RES=contraindicated").Replace("INF=consider", "INF=not-indicated")), Token));

    [Fact]
    public async Task A_report_computed_under_an_older_rules_version_is_recomputed_and_its_changes_announced()
    {
        using var client = factory.CreateApiClient();
        var patientId = await StoredPatientAsync(client);
        var current = await ReportRowAsync(patientId);
        current.RulesVersion.Should().Be(EligibilityEngine.RulesVersion, "a recompute keeps the rules version it ran under");
        Statuses(await ReportAsync(client, patientId)).Should().Contain("RES", "not-indicated").And.Contain("INF", "consider");
        var announced = (await ChangesInOutboxAsync(patientId)).Count;

        (await AsUnderOlderRulesAsync(patientId, OlderRules)).Should().Be(1);
        UnderCurrentRules(await ReportAsync(client, patientId)).Should().BeFalse("the stored report is the older one until the pass runs");

        // The pass that runs at start and every Ingestion:FactStateCheckInterval, run now.
        (await Pass.RecomputeOutdatedReportsAsync(Token)).Should().BeGreaterThanOrEqualTo(1);

        var after = await ReportAsync(client, patientId, UnderCurrentRules);
        // Asked only now: between the take-up and the report write a second pass may queue the patient again (a
        // harmless extra recompute), and on a busy machine it did.
        (await Pass.RecomputeOutdatedReportsAsync(Token)).Should().Be(0, "a patient recomputed under the current rules is not queued again");
        Statuses(after).Should().Contain("RES", "not-indicated").And.Contain("INF", "consider");
        (await ReportRowAsync(patientId)).RulesVersion.Should().Be(EligibilityEngine.RulesVersion);
        var changes = await EventuallyAsync(() => ChangesInOutboxAsync(patientId), c => c.Count > announced);
        changes.Should().HaveCount(announced + 1);
        changes[^1].RulesVersion.Should().Be(EligibilityEngine.RulesVersion);
        changes[^1].Changes.Should().BeEquivalentTo(new[] { new StatusChange("RES", "contraindicated", "not-indicated"), new StatusChange("INF", "not-indicated", "consider") });
    }

    [Fact]
    public async Task A_report_stored_before_reports_kept_their_rules_version_is_recomputed()
    {
        using var client = factory.CreateApiClient();
        var patientId = await StoredPatientAsync(client);
        var generation = await GenerationAsync(patientId);

        await AsUnderOlderRulesAsync(patientId, version: null);
        await Pass.RecomputeOutdatedReportsAsync(Token);

        (await GenerationAsync(patientId)).Should().BeGreaterThan(generation, "the recompute is queued like any other, so it is not skipped as covered");
        await ReportAsync(client, patientId, UnderCurrentRules);
        (await ReportRowAsync(patientId)).RulesVersion.Should().Be(EligibilityEngine.RulesVersion);
    }

    [Fact]
    public async Task A_report_under_the_current_rules_is_left_alone()
    {
        using var client = factory.CreateApiClient();
        var patientId = await StoredPatientAsync(client);
        var before = await ReportRowAsync(patientId);
        var generation = await GenerationAsync(patientId);

        await Pass.RecomputeOutdatedReportsAsync(Token);

        (await GenerationAsync(patientId)).Should().Be(generation);
        (await ReportRowAsync(patientId)).Revision.Should().Be(before.Revision);
    }
}

using System.Net;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NetCds.Service.Messaging.Contracts.V1;
using NetCds.Service.Tests.Support;
using static NetCds.Service.Tests.Pipeline.PipelineSupport;

namespace NetCds.Service.Tests.Pipeline;

/// <summary>
/// Issue 10 on the embedded default: concurrent writers share transactions yet each is answered for its own entries;
/// a recompute is skipped when the report already covers its generation; resources that can supply no fact are
/// answered as not used and not kept; an update is seen by the next recompute although resources are parsed once.
/// </summary>
public sealed class CoalescingTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private const string Seed = "02-pancreatic-net-g2-progressive";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private Task<(long Generation, int Revision, long ReportGeneration)> StateAsync(string patientId) =>
        QueryAsync(factory.Services, async s =>
        {
            var generation = await s.PatientRecords.AsNoTracking().Where(r => r.Patient == $"Patient/{patientId}").Select(r => r.Generation).SingleOrDefaultAsync(Token);
            var report = await s.Reports.AsNoTracking().SingleOrDefaultAsync(r => r.Patient == $"Patient/{patientId}", Token);
            return (generation, report?.Revision ?? 0, report?.Generation ?? 0);
        });

    private static async Task<string> SeededPatientAsync(HttpClient client)
    {
        var (seed, patientId) = UniqueSeed(Seed);
        (await PostAsync(client, "/fhir", seed)).Status.Should().Be(HttpStatusCode.OK);
        await ReportAsync(client, patientId);
        return patientId;
    }

    [Fact]
    public async Task Forty_concurrent_posts_for_one_patient_are_each_answered_for_their_own_resource_all_stored_and_the_report_ends_on_the_newest()
    {
        using var client = factory.CreateApiClient();
        var patientId = await SeededPatientAsync(client);
        var start = TestClock.Now.AddDays(-2);
        var ids = Enumerable.Range(0, 40).Select(i => $"{patientId}-b{i}").ToList();

        var answers = await Task.WhenAll(ids.Select((id, i) => PostAsync(client, "/fhir/Observation", Bilirubin(id, patientId, 1m + (i % 5 * 0.5m), start.AddMinutes(i)).ToJsonString())));

        answers.Select(a => a.Status).Should().AllBeEquivalentTo(HttpStatusCode.Created);
        answers.Select(a => a.Body.GetProperty("id").GetString()).Should().Equal(ids, "each caller is answered with its own resource, whichever transaction carried it");
        foreach (var id in ids)
        {
            (await RowAsync(factory.Services, "Observation", id)).Should().NotBeNull();
        }

        var report = await ReportAsync(client, patientId, r => r.GetProperty("facts").GetProperty("bilirubin").GetProperty("source").GetString() == $"Observation/{ids[^1]}");
        report.GetProperty("facts").GetProperty("bilirubin").GetProperty("value").GetDecimal().Should().Be(1m + (39 % 5 * 0.5m));
        var (generation, _, reportGeneration) = await EventuallyAsync(() => StateAsync(patientId), s => s.ReportGeneration == s.Generation);
        reportGeneration.Should().Be(generation, "the last report was computed from the record's last generation");
        generation.Should().BeInRange(2, 41, "one generation per committed transaction: the seed's, then at most one per request");
    }

    [Fact]
    public async Task A_value_the_report_does_not_show_keeps_the_report_and_its_revision_and_a_newer_one_replaces_it()
    {
        using var client = factory.CreateApiClient();
        var patientId = await SeededPatientAsync(client);
        (await PostAsync(client, "/fhir/Observation", Bilirubin($"{patientId}-newest", patientId, 1.4m, TestClock.Now.AddDays(-1)).ToJsonString())).Status.Should().Be(HttpStatusCode.Created);
        var shown = await ReportAsync(client, patientId, r => r.GetProperty("facts").GetProperty("bilirubin").GetProperty("source").GetString() == $"Observation/{patientId}-newest");
        var (before, revision, _) = await EventuallyAsync(() => StateAsync(patientId), s => s.ReportGeneration == s.Generation);

        // An older bilirubin: stored and part of the record, but the report cites the newest (issue 19, deliverable 3).
        (await PostAsync(client, "/fhir/Observation", Bilirubin($"{patientId}-older", patientId, 2.9m, TestClock.Now.AddDays(-40)).ToJsonString())).Status.Should().Be(HttpStatusCode.Created);
        var afterOlder = await EventuallyAsync(() => StateAsync(patientId), s => s.Generation > before && s.ReportGeneration == s.Generation);
        afterOlder.Revision.Should().Be(revision, "nothing the report shows changed, so the report, its revision and its ETag stay");
        (await ReportAsync(client, patientId)).GetRawText().Should().Be(shown.GetRawText(), "the stored report was not rewritten");

        (await PostAsync(client, "/fhir/Observation", Bilirubin($"{patientId}-newer", patientId, 3.1m, TestClock.Now.AddHours(-1)).ToJsonString())).Status.Should().Be(HttpStatusCode.Created);
        await ReportAsync(client, patientId, r => r.GetProperty("facts").GetProperty("bilirubin").GetProperty("source").GetString() == $"Observation/{patientId}-newer");
        (await StateAsync(patientId)).Revision.Should().Be(revision + 1, "a newer cited value is shown: the report is rewritten once");
    }

    [Fact]
    public async Task A_recompute_for_a_generation_the_report_already_covers_is_skipped_and_one_without_a_generation_is_not()
    {
        using var client = factory.CreateApiClient();
        var patientId = await SeededPatientAsync(client);
        var (generation, revision, _) = await EventuallyAsync(() => StateAsync(patientId), s => s.ReportGeneration == s.Generation && s.Revision > 0);
        var bus = factory.Services.GetRequiredService<IBus>();
        using var consumed = new ConsumedMessages<RecomputeEligibility>(bus);

        var requestedAt = TestClock.Now;
        await bus.Publish(new RecomputeEligibility($"Patient/{patientId}", requestedAt, generation), Token);
        await bus.Publish(new RecomputeEligibility($"Patient/{patientId}", requestedAt, Generation: null), Token);

        // Both consumed: the skip is shown by the consumer having run, not by waiting a while.
        await consumed.CountAsync(m => m.Patient == $"Patient/{patientId}" && m.RequestedAt == requestedAt, 2);
        (await StateAsync(patientId)).Revision.Should().Be(revision + 1, "the request for a covered generation changes nothing; the one without a generation recomputes once");
    }

    [Fact]
    public async Task While_a_patient_s_recompute_is_queued_further_events_queue_none_and_the_one_queued_sees_them_all()
    {
        using var client = factory.CreateApiClient();
        var patientId = await SeededPatientAsync(client);
        var patient = $"Patient/{patientId}";
        await EventuallyAsync(() => StateAsync(patientId), s => s.ReportGeneration == s.Generation);
        Task<int> QueuedAsync() => QueryAsync(factory.Services, s => s.Outbox.AsNoTracking()
            .CountAsync(m => m.MessageType == nameof(RecomputeEligibility) && m.Payload.Contains($"\"{patient}\""), Token));

        // As if a commit had queued a recompute that no consumer has taken up yet.
        var generation = await QueryAsync(factory.Services, s => s.PatientRecords.Where(r => r.Patient == patient).Select(r => r.Generation).SingleAsync(Token));
        await QueryAsync(factory.Services, s => s.PatientRecords.Where(r => r.Patient == patient).ExecuteUpdateAsync(set => set.SetProperty(r => r.PendingSince, generation), Token));
        var queued = await QueuedAsync();

        var ids = Enumerable.Range(0, 5).Select(i => $"{patientId}-q{i}").ToList();
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            (await PostAsync(client, "/fhir/Observation", Bilirubin(id, patientId, 2m + i, TestClock.Now.AddMinutes(-10 + i)).ToJsonString())).Status.Should().Be(HttpStatusCode.Created);
        }

        (await QueuedAsync()).Should().Be(queued, "a recompute is already queued for the patient: the five commits queue none");
        (await StateAsync(patientId)).Generation.Should().Be(generation + 5);

        await factory.Services.GetRequiredService<IBus>().Publish(new RecomputeEligibility(patient, TestClock.Now, generation), Token);

        var report = await ReportAsync(client, patientId, r => r.GetProperty("facts").GetProperty("bilirubin").GetProperty("source").GetString() == $"Observation/{ids[^1]}");
        report.GetProperty("facts").GetProperty("bilirubin").GetProperty("value").GetDecimal().Should().Be(6m);
        (await StateAsync(patientId)).ReportGeneration.Should().Be(generation + 5, "the queued recompute read the record after taking it up: it saw all five");
        (await PostAsync(client, "/fhir/Observation", Bilirubin($"{patientId}-after", patientId, 1m, TestClock.Now.AddMinutes(-1)).ToJsonString())).Status.Should().Be(HttpStatusCode.Created);
        (await QueuedAsync()).Should().Be(queued + 1, "once taken up, the next commit queues a recompute of its own");
    }

    [Fact]
    public async Task An_observation_no_code_of_which_is_known_is_answered_as_not_used_and_neither_kept_nor_recomputed()
    {
        using var client = factory.CreateApiClient();
        var patientId = await SeededPatientAsync(client);
        var before = await EventuallyAsync(() => StateAsync(patientId), s => s.ReportGeneration == s.Generation);
        var id = $"{patientId}-bp";
        var bloodPressure = Bilirubin(id, patientId, 120, TestClock.Now.AddHours(-1), code: "8480-6");

        var (status, outcome) = await PostAsync(client, "/fhir/Observation", bloodPressure.ToJsonString());

        status.Should().Be(HttpStatusCode.OK);
        outcome.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
        var issue = outcome.GetProperty("issue")[0];
        issue.GetProperty("severity").GetString().Should().Be("information");
        issue.GetProperty("diagnostics").GetString().Should().Contain("not used").And.Contain("http://loinc.org|8480-6");
        issue.GetProperty("expression")[0].GetString().Should().Be("Observation.code");
        (await RowAsync(factory.Services, "Observation", id)).Should().BeNull("it can supply no fact, so it is not kept");
        (await StateAsync(patientId)).Generation.Should().Be(before.Generation, "nothing about the patient changed: no recompute is queued");
    }

    [Fact]
    public async Task In_a_bundle_the_unknown_entry_is_answered_not_used_beside_the_stored_one()
    {
        using var client = factory.CreateApiClient();
        var patientId = await SeededPatientAsync(client);
        var known = Bilirubin($"{patientId}-k", patientId, 2.5m, TestClock.Now.AddHours(-2));
        var unknown = Bilirubin($"{patientId}-u", patientId, 80, TestClock.Now.AddHours(-2), code: "8867-4");
        var bundle = new JsonObject
        {
            ["resourceType"] = "Bundle",
            ["type"] = "batch",
            ["entry"] = new JsonArray(new JsonObject { ["resource"] = known }, new JsonObject { ["resource"] = unknown }),
        };

        var (status, response) = await PostAsync(client, "/fhir", bundle.ToJsonString());

        status.Should().Be(HttpStatusCode.OK);
        var entries = response.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("response")).ToList();
        entries[0].GetProperty("status").GetString().Should().Be("201 Created");
        entries[1].GetProperty("status").GetString().Should().Be("200 OK");
        entries[1].GetProperty("outcome").GetProperty("issue")[0].GetProperty("diagnostics").GetString().Should().Contain("not used");
        (await RowAsync(factory.Services, "Observation", $"{patientId}-k")).Should().NotBeNull();
        (await RowAsync(factory.Services, "Observation", $"{patientId}-u")).Should().BeNull();
    }

    [Fact]
    public async Task A_newer_version_of_a_stored_resource_is_what_the_next_recompute_sees()
    {
        using var client = factory.CreateApiClient();
        var patientId = await SeededPatientAsync(client);
        var id = $"{patientId}-v";
        var when = TestClock.Now.AddHours(-3);
        var first = Bilirubin(id, patientId, 1.2m, when);
        first["meta"] = new JsonObject { ["lastUpdated"] = "2026-11-01T10:00:00Z" };
        (await PostAsync(client, "/fhir/Observation", first.ToJsonString())).Status.Should().Be(HttpStatusCode.Created);
        await ReportAsync(client, patientId, r => r.GetProperty("facts").GetProperty("bilirubin").GetProperty("value").GetDecimal() == 1.2m);

        var corrected = Bilirubin(id, patientId, 3.4m, when);
        corrected["meta"] = new JsonObject { ["lastUpdated"] = "2026-11-02T10:00:00Z" };
        (await PostAsync(client, "/fhir/Observation", corrected.ToJsonString())).Status.Should().Be(HttpStatusCode.OK);

        var report = await ReportAsync(client, patientId, r => r.GetProperty("facts").GetProperty("bilirubin").GetProperty("value").GetDecimal() == 3.4m);
        report.GetProperty("facts").GetProperty("bilirubin").GetProperty("source").GetString().Should().Be($"Observation/{id}");
    }
}

/// <summary><c>Ingestion:UnknownObservationCodes=Store</c>: a site that wants unmapped codes kept for later.</summary>
public sealed class StoreUnknownCodesFactory : ServiceFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Ingestion:UnknownObservationCodes", "Store");
    }
}

public sealed class StoreUnknownCodesTests(StoreUnknownCodesFactory factory) : IClassFixture<StoreUnknownCodesFactory>
{
    [Fact]
    public async Task With_the_store_policy_an_unknown_observation_is_kept()
    {
        using var client = factory.CreateApiClient();
        var id = $"o{Guid.NewGuid():N}"[..20];
        var json = new JsonObject
        {
            ["resourceType"] = "Observation",
            ["id"] = id,
            ["status"] = "final",
            ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = "8480-6" }) },
            ["subject"] = new JsonObject { ["reference"] = "Patient/someone" },
            ["effectiveDateTime"] = TestClock.DaysAgo(60),
            ["valueQuantity"] = new JsonObject { ["value"] = 120, ["unit"] = "mm[Hg]", ["system"] = "http://unitsofmeasure.org", ["code"] = "mm[Hg]" },
        }.ToJsonString();

        var (status, body) = await PostAsync(client, "/fhir/Observation", json);

        status.Should().Be(HttpStatusCode.Created);
        body.GetProperty("resourceType").GetString().Should().Be("Observation");
        (await RowAsync(factory.Services, "Observation", id)).Should().NotBeNull();
    }
}

using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NetCds.Service.Records;
using NetCds.Service.Tests.Support;
using static NetCds.Service.Tests.Pipeline.PipelineSupport;

namespace NetCds.Service.Tests.Pipeline;

/// <summary>
/// A host whose clock stands still until a test moves it, with a 5 s recompute gather: a request waiting out its gather
/// is taken up only when the test moves the clock past it, so what is and is not gathered is decided by the test, not
/// by how fast the machine is.
/// </summary>
public sealed class StillClockGatherFactory : ServiceFactory
{
    public static readonly TimeSpan Gather = TimeSpan.FromSeconds(5);

    public FakeTimeProvider Still { get; } = new(TestClock.Now);

    public override TimeProvider Clock => Still;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Ingestion:RecomputeGather", "00:00:05");
    }
}

/// <summary>
/// Issue 19: the recompute gather pays only where a patient's events come faster than it. A lone event is recomputed
/// at once; events within a gather of the patient's previous take-up are covered by one recompute after the gather.
/// </summary>
public sealed class RecomputeGatherTests(StillClockGatherFactory factory) : IClassFixture<StillClockGatherFactory>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static Func<JsonElement, bool> Cites(string id) =>
        r => r.GetProperty("facts").GetProperty("bilirubin").GetProperty("source").GetString() == $"Observation/{id}";

    /// <summary>A seeded patient whose last take-up is a gather behind the clock: its next event is a lone one.</summary>
    private async Task<string> QuietPatientAsync(HttpClient client)
    {
        var (seed, patientId) = UniqueSeed("02-pancreatic-net-g2-progressive");
        (await PostAsync(client, "/fhir", seed)).Status.Should().Be(HttpStatusCode.OK);
        await ReportAsync(client, patientId);
        var seeded = await EventuallyAsync(() => StateAsync(patientId), s => s.ReportGeneration == s.Generation);
        seeded.Generation.Should().Be(1, "the seed is one commit: one request, taken up at once (nothing was taken up before)");
        factory.Still.Advance(StillClockGatherFactory.Gather);
        return patientId;
    }

    private async Task PostBilirubinAsync(HttpClient client, string patientId, string id, decimal value, int minutes) =>
        (await PostAsync(client, "/fhir/Observation", Bilirubin(id, patientId, value, factory.Still.GetUtcNow().AddHours(-5).AddMinutes(minutes)).ToJsonString()))
            .Status.Should().Be(HttpStatusCode.Created);

    [Fact]
    public async Task A_lone_event_is_recomputed_without_waiting_out_the_gather()
    {
        using var client = factory.CreateApiClient();
        var patientId = await QuietPatientAsync(client);

        await PostBilirubinAsync(client, patientId, $"{patientId}-lone", 2.2m, 0);

        // The clock stands still: a request waiting out a gather would never be taken up.
        await ReportAsync(client, patientId, Cites($"{patientId}-lone"));
    }

    [Fact]
    public async Task Events_faster_than_the_gather_are_covered_by_one_recompute_after_it()
    {
        using var client = factory.CreateApiClient();
        var patientId = await QuietPatientAsync(client);
        await PostBilirubinAsync(client, patientId, $"{patientId}-g0", 1m, 0);
        await ReportAsync(client, patientId, Cites($"{patientId}-g0"));
        var (before, revision, _) = await EventuallyAsync(() => StateAsync(patientId), s => s.ReportGeneration == s.Generation);

        for (var i = 1; i <= 3; i++)
        {
            await PostBilirubinAsync(client, patientId, $"{patientId}-g{i}", 1m + i, i);
        }

        // Within a gather of the previous take-up (the clock has not moved): the first of them waits out the gather,
        // the others joined it.
        var waiting = await StateAsync(patientId);
        waiting.Generation.Should().Be(before + 3, "each POST committed on its own");
        (waiting.Revision, waiting.ReportGeneration).Should().Be((revision, before), "no recompute is taken up before the gather is over");

        factory.Still.Advance(StillClockGatherFactory.Gather);
        await ReportAsync(client, patientId, Cites($"{patientId}-g3"));
        var after = await EventuallyAsync(() => StateAsync(patientId), s => s.ReportGeneration == s.Generation);
        after.Generation.Should().Be(before + 3);
        after.Revision.Should().Be(revision + 1, "the three commits fell within one gather: one recompute covered them all");
    }

    [Fact]
    public async Task Closing_an_import_window_recomputes_without_waiting_out_the_gather()
    {
        // Issue 19, deliverable 8: an import's parts are all committed when its window closes, so nothing is left to
        // gather; a close that waited the gather per patient ran past the request timeout on 200 patients.
        using var client = factory.CreateApiClient();
        var patientId = await QuietPatientAsync(client);
        await PostBilirubinAsync(client, patientId, $"{patientId}-live", 1.5m, 0);
        await ReportAsync(client, patientId, Cites($"{patientId}-live"));

        // Imported with its recompute deferred, within a gather of the patient's last take-up (the clock stands still).
        var line = Bilirubin($"{patientId}-imported", patientId, 3.3m, factory.Still.GetUtcNow().AddHours(-4)).ToJsonString();
        using (var content = new StringContent(line + "\n", System.Text.Encoding.UTF8))
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/fhir+ndjson");
            content.Headers.Add(NetCds.Service.Ingestion.BackfillApi.RecomputeHeader, "deferred");
            using var imported = await client.PostAsync(new Uri("/fhir", UriKind.Relative), content, Token);
            imported.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        // The window's close: were it to wait out the gather, the still clock would hold it (and this POST) forever.
        using var close = await client.PostAsync(new Uri($"/recompute?after={Uri.EscapeDataString($"Patient/{patientId}"[..^1])}", UriKind.Relative), content: null, Token);
        close.StatusCode.Should().Be(HttpStatusCode.OK);
        await ReportAsync(client, patientId, Cites($"{patientId}-imported"));
    }

    private Task<(long Generation, int Revision, long ReportGeneration)> StateAsync(string patientId) =>
        QueryAsync(factory.Services, async s =>
        {
            var generation = await s.PatientRecords.AsNoTracking().Where(r => r.Patient == $"Patient/{patientId}").Select(r => r.Generation).SingleOrDefaultAsync(Token);
            var report = await s.Reports.AsNoTracking().SingleOrDefaultAsync(r => r.Patient == $"Patient/{patientId}", Token);
            return (generation, report?.Revision ?? 0, report?.Generation ?? 0);
        });
}

/// <summary>
/// Issue 19: a patient's request is taken up only when the patient's running recompute has ended, so the commits
/// meanwhile join it instead of each queueing a request that waits behind the patient lease (what let the report fall
/// seconds behind a Bundle load).
/// </summary>
public sealed class RecomputeTurnTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Commits_while_a_patient_s_recompute_runs_are_covered_by_one_recompute_after_it()
    {
        var probe = new HoldingProbe();
        using var factory = new ServiceFactory();
        using var service = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<RecomputeProbe>(probe)));
        using var client = service.CreateApiClient();
        var (seed, patientId) = UniqueSeed("02-pancreatic-net-g2-progressive");
        (await PostAsync(client, "/fhir", seed)).Status.Should().Be(HttpStatusCode.OK);
        await ReportAsync(client, patientId);
        var start = TestClock.Now.AddHours(-5);

        // The next recompute of the patient stops after reading the record, its turn held, until released.
        probe.Arm($"Patient/{patientId}");
        (await PostAsync(client, "/fhir/Observation", Bilirubin($"{patientId}-t0", patientId, 1m, start).ToJsonString())).Status.Should().Be(HttpStatusCode.Created);
        await probe.Reached.WaitAsync(Eventually.Bound, Token);
        var (_, revision, _) = await StateAsync(service.Services, patientId);

        // The next commit queues a request; it waits for the held recompute's turn, and the commits after it join it.
        (await PostAsync(client, "/fhir/Observation", Bilirubin($"{patientId}-t1", patientId, 2m, start.AddMinutes(1)).ToJsonString())).Status.Should().Be(HttpStatusCode.Created);
        var gathering = service.Services.GetRequiredService<RecomputeGathering>();
        await Eventually.UntilAsync(() => gathering.Waiting($"Patient/{patientId}") == 1, "the queued request to wait for the patient's turn");
        for (var i = 2; i <= 4; i++)
        {
            (await PostAsync(client, "/fhir/Observation", Bilirubin($"{patientId}-t{i}", patientId, 1m + i, start.AddMinutes(i)).ToJsonString())).Status.Should().Be(HttpStatusCode.Created);
        }

        probe.Release();
        await ReportAsync(client, patientId, r => r.GetProperty("facts").GetProperty("bilirubin").GetProperty("source").GetString() == $"Observation/{patientId}-t4");
        var after = await EventuallyAsync(() => StateAsync(service.Services, patientId), s => s.ReportGeneration == s.Generation);
        after.Revision.Should().Be(revision + 2, "the held recompute, then one recompute for the four commits made while it ran");
        gathering.Waiting($"Patient/{patientId}").Should().Be(0);
    }

    private static Task<(long Generation, int Revision, long ReportGeneration)> StateAsync(IServiceProvider services, string patientId) =>
        QueryAsync(services, async s =>
        {
            var generation = await s.PatientRecords.AsNoTracking().Where(r => r.Patient == $"Patient/{patientId}").Select(r => r.Generation).SingleOrDefaultAsync(Token);
            var report = await s.Reports.AsNoTracking().SingleOrDefaultAsync(r => r.Patient == $"Patient/{patientId}", Token);
            return (generation, report?.Revision ?? 0, report?.Generation ?? 0);
        });
}

/// <summary>The gather's decision on its own, with the instants given (nothing waits).</summary>
public sealed class RecomputeGatheringTests
{
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(500);

    private static RecomputeGathering Gathering(TimeSpan? gather = null) =>
        new(Options.Create(new IngestionOptions { RecomputeGather = gather ?? Gather }));

    [Fact]
    public void A_patient_never_taken_up_is_not_gathered()
    {
        var now = TestClock.Now;
        Gathering().WaitFor("Patient/p", now, now).Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void A_request_a_gather_or_more_after_the_previous_take_up_is_lone()
    {
        var gathering = Gathering();
        var tookUp = TestClock.Now;
        gathering.TookUp("Patient/p", tookUp);
        gathering.WaitFor("Patient/p", tookUp + Gather, tookUp + Gather).Should().Be(TimeSpan.Zero);
        gathering.WaitFor("Patient/p", tookUp + TimeSpan.FromMinutes(3), tookUp + TimeSpan.FromMinutes(3)).Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void A_request_within_a_gather_of_the_previous_take_up_waits_out_the_rest_from_its_commit()
    {
        var gathering = Gathering();
        var tookUp = TestClock.Now;
        gathering.TookUp("Patient/p", tookUp);
        var requested = tookUp + TimeSpan.FromMilliseconds(100);
        gathering.WaitFor("Patient/p", requested, requested).Should().Be(Gather);
        gathering.WaitFor("Patient/p", requested, requested + TimeSpan.FromMilliseconds(200)).Should().Be(TimeSpan.FromMilliseconds(300));
        gathering.WaitFor("Patient/p", requested, requested + Gather).Should().Be(TimeSpan.Zero, "the gather is over");
        gathering.WaitFor("Patient/other", requested, requested).Should().Be(TimeSpan.Zero, "another patient's take-up decides nothing");
    }

    [Fact]
    public void No_gather_set_takes_every_request_up_at_once()
    {
        var gathering = Gathering(TimeSpan.Zero);
        var now = TestClock.Now;
        gathering.TookUp("Patient/p", now);
        gathering.WaitFor("Patient/p", now, now).Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public async Task A_patient_s_second_request_waits_for_the_first_s_turn_and_another_patient_s_does_not()
    {
        var gathering = Gathering();
        var first = await gathering.TakeTurnAsync("Patient/p", TestContext.Current.CancellationToken);
        var second = gathering.TakeTurnAsync("Patient/p", TestContext.Current.CancellationToken);
        var other = gathering.TakeTurnAsync("Patient/q", TestContext.Current.CancellationToken);

        other.IsCompletedSuccessfully.Should().BeTrue();
        second.IsCompleted.Should().BeFalse();
        gathering.Waiting("Patient/p").Should().Be(1);

        await first.DisposeAsync();
        await (await second).DisposeAsync();
        await (await other).DisposeAsync();
        gathering.Waiting("Patient/p").Should().Be(0);
    }
}

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NetCds.Domain.Engine;
using NetCds.Domain.Policy;
using NetCds.Fhir;
using NetCds.Fhir.Input;
using NetCds.Fhir.Mapping;
using NetCds.Fhir.Terminology;
using NetCds.Service.Messaging.Contracts.V2;
using NetCds.Service.Storage;
using NetCds.Service.Tests.CdsHooks.Support;
using NetCds.Service.Tests.Support;
using Npgsql;

namespace NetCds.Service.Tests.Recovery;

/// <summary>
/// The service killed (SIGKILL) while events are in flight and started again: every event it accepted is stored and
/// reflected in the final reports, and no status change is announced twice.
/// </summary>
[Collection("RabbitMq")]
public sealed class CrashRecoveryTests
{
    private const int Patients = 4;
    private const int Events = 120;

    [Fact]
    public async Task Killed_mid_flight_and_restarted_loses_nothing_and_duplicates_no_effect()
    {
        var admin = Environment.GetEnvironmentVariable("NETCDS_TEST_POSTGRES");
        var rabbit = Environment.GetEnvironmentVariable("NETCDS_TEST_RABBITMQ");
        Assert.SkipWhen(string.IsNullOrEmpty(admin) || string.IsNullOrEmpty(rabbit), "NETCDS_TEST_POSTGRES/NETCDS_TEST_RABBITMQ not set: run ./test.sh (deploy/local starts both)");
        var ct = TestContext.Current.CancellationToken;
        var database = $"netcds_crash_{Guid.NewGuid():N}";
        await ExecuteAsync(admin!, $"CREATE DATABASE {database}", ct);
        var store = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;
        var settings = new Dictionary<string, string>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["ConnectionStrings:RabbitMq"] = rabbit!,
            ["Storage:Provider"] = "PostgreSql",
            ["ConnectionStrings:Store"] = store,
            ["CdsHooks:RequireJwt"] = "false",
            ["Api:RequireAuth"] = "false", // about crash recovery, not credentials
            ["Demo:Enabled"] = "false",
            ["Messaging:OutboxPollMilliseconds"] = "100",
        };
        var run = Guid.NewGuid().ToString("N")[..6];
        string PatientId(int p) => $"crash-{run}-{p}";
        var accepted = new HashSet<int>();
        try
        {
            using (var first = await ServiceProcess.StartAsync(settings, ct))
            {
                using var http = new HttpClient { BaseAddress = first.BaseAddress };
                var seed = HookCalls.Seed("02-pancreatic-net-g2-progressive");
                for (var p = 0; p < Patients; p++)
                {
                    (await PostAsync(http, seed.Replace("seed-02", PatientId(p), StringComparison.Ordinal), ct)).Should().BeTrue();
                }

                // Events race the kill: whatever got a 2xx was accepted and must survive. The sender itself says when a
                // third is accepted, and the kill follows at once: a poll of the count (its pauses grow to 250 ms) let a
                // quick machine accept every event before the kill, and the test then failed for want of a crash.
                var aThird = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var sending = Task.Run(async () =>
                {
                    for (var i = 0; i < Events; i++)
                    {
                        if (await PostAsync(http, Event(run, i, PatientId(i % Patients)), ct))
                        {
                            lock (accepted)
                            {
                                accepted.Add(i);
                                if (accepted.Count >= Events / 3)
                                {
                                    aThird.TrySetResult();
                                }
                            }
                        }
                    }
                }, ct);
                await Task.WhenAny(aThird.Task, sending).WaitAsync(Eventually.Bound, ct);
                aThird.Task.IsCompleted.Should().BeTrue("a third of the events is accepted before the kill");
                first.Kill();
                await sending;
            }

            accepted.Count.Should().BeLessThan(Events, "the kill interrupted the stream");
            using var second = await ServiceProcess.StartAsync(settings, ct);
            using (var http = new HttpClient { BaseAddress = second.BaseAddress })
            {
                // A client retries what was not acknowledged.
                for (var i = 0; i < Events; i++)
                {
                    if (!accepted.Contains(i))
                    {
                        (await PostAsync(http, Event(run, i, PatientId(i % Patients)), ct)).Should().BeTrue();
                    }
                }
            }

            await using var context = new PostgreSqlStoreContext(new DbContextOptionsBuilder<PostgreSqlStoreContext>().UseNpgsql(store).Options);
            await Eventually.UntilAsync(async () => !await context.Outbox.AnyAsync(m => m.DispatchedAt == null, ct) && await AllCurrentAsync(context, PatientId, ct), "the pipeline to settle after the restart");

            (await context.Resources.CountAsync(r => r.ResourceId.StartsWith($"bili-{run}-"), ct)).Should().Be(Events, "every accepted event is stored");
            foreach (var p in Enumerable.Range(0, Patients).Select(PatientId))
            {
                var report = await context.Reports.AsNoTracking().SingleAsync(r => r.Patient == $"Patient/{p}", ct);
                report.Statuses.Should().Be(await RecomputeAsync(context, $"Patient/{p}", report.EvaluatedAt, ct), "the stored report equals a fresh single-process recompute");
                var announced = (await context.Outbox.AsNoTracking().Where(m => m.MessageType == "EligibilityChanged").ToListAsync(ct))
                    .Select(m => JsonSerializer.Deserialize<EligibilityChanged>(m.Payload, JsonSerializerOptions.Web)!).Where(m => m.Patient == $"Patient/{p}")
                    .OrderBy(m => m.Revision).ToList();
                announced.Should().NotBeEmpty();
                announced.Select(m => m.Revision).Should().OnlyHaveUniqueItems("a change is announced once, never repeated");

                // The changes chain: each starts where the last announced change of its therapy ended (none lost, none
                // repeated), and together they end at the stored report.
                var state = new Dictionary<string, string>();
                foreach (var change in announced.SelectMany(m => m.Changes))
                {
                    state.GetValueOrDefault(change.Therapy).Should().Be(change.Previous, $"{change.Therapy} changes from what was last announced");
                    state[change.Therapy] = change.Current;
                }

                state.Should().BeEquivalentTo(report.Statuses.Split(',').Select(s => s.Split('=')).ToDictionary(s => s[0], s => s[1]));
            }
        }
        finally
        {
            await TestDatabases.DropAsync(admin!, database);
        }
    }

    private static string Event(string run, int i, string patientId) => new JsonObject
    {
        ["resourceType"] = "Observation",
        ["id"] = $"bili-{run}-{i}",
        ["status"] = "final",
        ["subject"] = new JsonObject { ["reference"] = $"Patient/{patientId}" },
        ["effectiveDateTime"] = TestClock.OutOfProcess.GetUtcNow().AddDays(-5).AddMinutes(i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = "1975-2" }) },
        ["valueQuantity"] = new JsonObject { ["value"] = 1m + (i % 6 * 0.5m), ["unit"] = "mg/dL", ["system"] = "http://unitsofmeasure.org", ["code"] = "mg/dL" },
    }.ToJsonString();

    private static async Task<bool> PostAsync(HttpClient http, string json, CancellationToken ct)
    {
        try
        {
            using var content = new StringContent(json, Encoding.UTF8, "application/fhir+json");
            using var response = await http.PostAsync(new Uri("fhir", UriKind.Relative), content, ct);
            return response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>
    /// Every patient's report covers the generation of its record: computed from every committed write. A drained
    /// outbox is not enough on its own (a RecomputeEligibility it published may still be in the consumer), nor is a
    /// report evaluated after the newest <c>ReceivedAt</c> (a write stamped before a recompute's read can commit after
    /// it; the recompute its commit queued then follows).
    /// </summary>
    private static async Task<bool> AllCurrentAsync(StoreContext context, Func<int, string> patientId, CancellationToken ct)
    {
        foreach (var p in Enumerable.Range(0, Patients).Select(i => $"Patient/{patientId(i)}"))
        {
            var report = await context.Reports.AsNoTracking().FirstOrDefaultAsync(r => r.Patient == p, ct);
            var record = await context.PatientRecords.AsNoTracking().FirstOrDefaultAsync(r => r.Patient == p, ct);
            if (report is null || record is null || report.Generation < record.Generation)
            {
                return false;
            }
        }

        return true;
    }

    private static async Task<string> RecomputeAsync(StoreContext context, string patient, DateTimeOffset asOf, CancellationToken ct)
    {
        var rows = await context.Resources.AsNoTracking().Where(r => r.Patient == patient && !r.Deleted).Select(r => r.Json!).ToListAsync(ct);
        var resources = rows.Select(j => FhirInput.Parse(j).Resource!).Select(r => new SourcedResource(r, $"{r.TypeName}/{r.Id}")).ToList();
        var report = new FhirEvaluation(TerminologyMap.Default, EligibilityPolicy.Default).Evaluate(resources, asOf, patient)!.Report;
        return string.Join(',', report.Assessments.Select(a => $"{a.Therapy.Code()}={a.Status.Code()}"));
    }

    private static async Task ExecuteAsync(string connection, string sql, CancellationToken ct)
    {
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, db);
        await command.ExecuteNonQueryAsync(ct);
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NetCds.Fhir.Mapping;
using NetCds.Service.Records;
using NetCds.Service.Storage;
using NetCds.Service.Tests.CdsHooks.Support;
using NetCds.Service.Tests.Support;
using Npgsql;
using static NetCds.Service.Tests.Pipeline.PipelineSupport;

namespace NetCds.Service.Tests.CdsHooks;

/// <summary>
/// Issue 20, deliverable 1: a hook call takes the stored part of the record from the held fact state without a store
/// round trip when this instance vouches for it (the store's only writer, nothing of the patient written since the
/// state read the store), and with one statement when another instance may have written. Either way it sees what was
/// ingested a moment before: on the same instance, and on another sharing the store.
/// </summary>
public sealed class HeldStateFreshnessTests
{
    private static readonly string Admin = Environment.GetEnvironmentVariable("NETCDS_TEST_POSTGRES") ?? "";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task On_the_only_writer_a_call_reads_nothing_from_the_store_yet_sees_an_Observation_ingested_a_moment_before()
    {
        var (json, patientId) = UniqueSeed("02-pancreatic-net-g2-progressive");
        using var commands = StoreCommandLog.WithParameter($"Patient/{patientId}");
        using var factory = new QuietFactory();
        using var client = factory.CreateApiClient();
        (await PostAsync(client, "/fhir", json)).Status.Should().Be(HttpStatusCode.OK);
        var onlyPatient = OnlyPatient(json);

        // The recompute the ingestion queued writes the patient's report in the background: once it has, a call after
        // a call reads nothing, because nothing of the patient was written since the state read the store.
        var reads = await EventuallyAsync(() => RepeatedCallReadsAsync(factory, commands, patientId, onlyPatient), n => n == 0);
        reads.Should().Be(0);

        var fresh = Bilirubin($"{patientId}-fresh", patientId, 4.2m, factory.Clock.GetUtcNow().AddHours(-1));
        (await PostAsync(client, "/fhir/Observation", fresh.ToJsonString())).Status.Should().Be(HttpStatusCode.Created);

        commands.Reset();
        var after = await CallAsync(factory, patientId, onlyPatient);

        after.Facts.Facts.Bilirubin.Should().Contain(f => f.Source == $"Observation/{patientId}-fresh", "it was ingested before the call");
        commands.Count.Should().BeGreaterThan(0, "a write of the patient on this instance makes the call read the store again");
        (await EventuallyAsync(() => RepeatedCallReadsAsync(factory, commands, patientId, onlyPatient), n => n == 0)).Should().Be(0, "the state read the store after the writes ended");
        (await CallAsync(factory, patientId, onlyPatient)).Facts.Facts.Bilirubin.Should().Contain(f => f.Source == $"Observation/{patientId}-fresh");
        await SettledAsync(factory, patientId);
    }

    /// <summary>The store commands naming the patient in the second of two calls.</summary>
    private static async Task<int> RepeatedCallReadsAsync(ServiceFactory factory, StoreCommandLog commands, string patientId, List<SourcedResource> fromCall)
    {
        await CallAsync(factory, patientId, fromCall);
        commands.Reset();
        await CallAsync(factory, patientId, fromCall);
        return commands.Count;
    }

    [Fact]
    public async Task On_the_only_writer_a_call_names_the_revision_of_the_report_a_recompute_stored_after_the_state_was_read()
    {
        using var factory = new QuietFactory();
        using var client = factory.CreateApiClient();
        var (json, patientId) = UniqueSeed("02-pancreatic-net-g2-progressive");
        (await PostAsync(client, "/fhir", json)).Status.Should().Be(HttpStatusCode.OK);

        // The first call may come before or after the recompute stores the report; later calls follow the store.
        await CallAsync(factory, patientId, OnlyPatient(json));
        var stored = await EventuallyAsync(
            () => QueryAsync(factory.Services, s => s.Reports.AsNoTracking().Where(r => r.Patient == $"Patient/{patientId}").Select(r => new { r.Revision, r.Statuses }).FirstOrDefaultAsync(Token)),
            r => r is not null);

        var named = await EventuallyAsync(() => CallAsync(factory, patientId, OnlyPatient(json)), c => c.Report is not null);

        named.Report!.Revision.Should().Be(stored!.Revision);
        named.Report.Statuses.Should().Be(stored.Statuses);
        await SettledAsync(factory, patientId);
    }

    [Fact]
    public async Task On_the_only_writer_a_patient_with_nothing_stored_costs_no_read_until_something_is_stored_for_it()
    {
        var (json, patientId) = UniqueSeed("10-ileal-net-g2-bilirubin-3-5");
        using var commands = StoreCommandLog.WithParameter($"Patient/{patientId}");
        using var factory = new QuietFactory();
        using var client = factory.CreateApiClient();
        var prefetch = HookCalls.PrefetchResources(HookCalls.PrefetchFrom(json));
        (await CallAsync(factory, patientId, prefetch)).Report.Should().BeNull();
        commands.Count.Should().BeGreaterThan(0, "the first call reads the store");

        commands.Reset();
        await CallAsync(factory, patientId, prefetch);

        commands.Count.Should().Be(0, "the instance remembers that nothing is stored for the patient");

        var fresh = Bilirubin($"{patientId}-stored", patientId, 1.1m, factory.Clock.GetUtcNow().AddHours(-2));
        (await PostAsync(client, "/fhir", Collection(HookCalls.PrefetchFrom(json)["patient"]!.DeepClone(), fresh))).Status.Should().Be(HttpStatusCode.OK);

        (await CallAsync(factory, patientId, prefetch)).Facts.Facts.Bilirubin.Should().Contain(f => f.Source == $"Observation/{patientId}-stored");
        await SettledAsync(factory, patientId);
    }

    /// <summary>
    /// Two instances on one store, neither its only writer: PostgreSQL (how the service scales out), and a SQLite file
    /// shared with <c>Storage:SoleWriter</c> off. The instance that did not ingest sees the new Observation at its next
    /// call; with nothing written since its state read the store, a call costs it one statement.
    /// </summary>
    [Theory]
    [InlineData("PostgreSql")]
    [InlineData("Sqlite")]
    public async Task An_instance_sees_an_Observation_another_instance_sharing_the_store_ingested_a_moment_before(string provider)
    {
        Assert.SkipWhen(provider == "PostgreSql" && string.IsNullOrEmpty(Admin), "NETCDS_TEST_POSTGRES is not set: run ./test.sh, or eval \"$(deploy/local/postgres.sh up)\" first");
        var database = provider == "PostgreSql" ? $"netcds_held_{Guid.NewGuid():N}" : Path.Combine(Path.GetTempPath(), $"netcds-held-{Guid.NewGuid():N}.db");
        var connection = provider == "PostgreSql" ? new NpgsqlConnectionStringBuilder(Admin) { Database = database }.ConnectionString : $"Data Source={database}";
        if (provider == "PostgreSql")
        {
            await using var admin = new NpgsqlConnection(Admin);
            await admin.OpenAsync(Token);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await create.ExecuteNonQueryAsync(Token);
        }

        var (json, patientId) = UniqueSeed("02-pancreatic-net-g2-progressive");
        using var commands = StoreCommandLog.WithParameter($"Patient/{patientId}");
        try
        {
            using var writer = new SharedStoreFactory(provider, connection);
            using var writerClient = writer.CreateApiClient();
            using var reader = new SharedStoreFactory(provider, connection);
            using var readerClient = reader.CreateApiClient();
            reader.Services.GetRequiredService<PatientWrites>().SoleWriter.Should().BeFalse();
            (await PostAsync(writerClient, "/fhir", json)).Status.Should().Be(HttpStatusCode.OK);
            // The writer's recompute moves the generation and the report: counted from when it has, the reader's calls
            // see a store that nothing writes to.
            await SettledAsync(writer, patientId);
            var onlyPatient = OnlyPatient(json);
            (await CallAsync(reader, patientId, onlyPatient)).Facts.Facts.Bilirubin.Should().NotContain(f => f.Source == $"Observation/{patientId}-elsewhere");

            commands.Reset();
            await CallAsync(reader, patientId, onlyPatient);
            commands.Count.Should().Be(1, "the patient's generation and report in one statement, and no catch-up when the generation did not move");

            var fresh = Bilirubin($"{patientId}-elsewhere", patientId, 4.4m, writer.Clock.GetUtcNow().AddHours(-1));
            (await PostAsync(writerClient, "/fhir/Observation", fresh.ToJsonString())).Status.Should().Be(HttpStatusCode.Created);

            var after = await CallAsync(reader, patientId, onlyPatient);

            after.Facts.Facts.Bilirubin.Should().Contain(f => f.Source == $"Observation/{patientId}-elsewhere", "the other instance committed it before this call");
            await SettledAsync(writer, patientId);
        }
        finally
        {
            if (provider == "PostgreSql")
            {
                await TestDatabases.DropAsync(Admin, database);
            }
            else
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                foreach (var file in new[] { database, database + "-wal", database + "-shm" })
                {
                    File.Delete(file);
                }
            }
        }
    }

    [Fact]
    public void A_write_under_way_or_ended_since_a_mark_makes_the_held_state_untrusted()
    {
        var writes = new PatientWrites(Microsoft.Extensions.Options.Options.Create(new StorageOptions()));
        writes.SoleWriter.Should().BeTrue("SQLite, unset: this instance is the only writer");
        var mark = writes.Mark("Patient/a");
        mark.Should().NotBeNull();
        writes.Unchanged("Patient/a", mark!.Value).Should().BeTrue();

        var writing = writes.Begin(["Patient/a"]);
        writes.Mark("Patient/a").Should().BeNull("a write of the patient is under way");
        writes.Unchanged("Patient/a", mark.Value).Should().BeFalse("its commit may come before the next read");
        writing.Dispose();

        writes.Unchanged("Patient/a", mark.Value).Should().BeFalse("it committed after the mark was taken");
        var after = writes.Mark("Patient/a");
        after.Should().NotBeNull();
        writes.Unchanged("Patient/a", after!.Value).Should().BeTrue();
        new PatientWrites(Microsoft.Extensions.Options.Options.Create(new StorageOptions { Provider = StorageProvider.PostgreSql })).SoleWriter.Should().BeFalse();
    }

    /// <summary>Waits for the recompute the test's writes queued, so the host is not disposed under it.</summary>
    private static async Task SettledAsync(ServiceFactory factory, string patientId) =>
        await EventuallyAsync(
            () => QueryAsync(factory.Services, async s => (
                Record: await s.PatientRecords.Where(r => r.Patient == $"Patient/{patientId}").Select(r => r.Generation).FirstOrDefaultAsync(Token),
                Report: await s.Reports.Where(r => r.Patient == $"Patient/{patientId}").Select(r => (long?)r.Generation).FirstOrDefaultAsync(Token))),
            g => g.Report >= g.Record);

    private static async Task<CallFacts> CallAsync(ServiceFactory factory, string patientId, List<SourcedResource> fromCall)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PatientRecord>().CallFactsAsync($"Patient/{patientId}", fromCall, factory.Clock.GetUtcNow(), Token);
    }

    private static string Collection(params JsonNode[] resources) => new JsonObject
    {
        ["resourceType"] = "Bundle",
        ["type"] = "collection",
        ["entry"] = new JsonArray([.. resources.Select(r => (JsonNode)new JsonObject { ["resource"] = r })]),
    }.ToJsonString();

    private static List<SourcedResource> OnlyPatient(string seedJson) =>
        HookCalls.PrefetchResources(new JsonObject { ["patient"] = HookCalls.PrefetchFrom(seedJson)["patient"]!.DeepClone() });

    private class QuietFactory : ServiceFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
        }
    }

    private sealed class SharedStoreFactory(string provider, string connection) : QuietFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Storage:Provider", provider);
            builder.UseSetting("ConnectionStrings:Store", connection);

            // Unset, SQLite means this instance is the store's only writer: not so here.
            builder.UseSetting("Storage:SoleWriter", "false");
        }
    }
}

using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NetCds.Fhir;
using NetCds.Service.Records;
using NetCds.Service.Storage;
using NetCds.Service.Tests.Support;
using Npgsql;
using static NetCds.Service.Tests.Pipeline.PipelineSupport;

namespace NetCds.Service.Tests.Pipeline;

/// <summary>
/// Issue 19: a patient's fact state is held in memory and caught up from the rows written since (one indexed query),
/// and gives what a full read of the record gives, whoever wrote the rows; ingestion never waits for a recompute.
/// </summary>
public sealed class IncrementalFactStateTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Long enough for a busy machine; reached only when something waits for the held recompute.</summary>
    private static readonly TimeSpan Stuck = TimeSpan.FromSeconds(60);

    private static bool BilirubinIs(JsonElement report, decimal value) =>
        report.GetProperty("facts").TryGetProperty("bilirubin", out var bilirubin) && bilirubin.GetProperty("value").GetDecimal() == value;

    public static TheoryData<string> Providers() => ["Sqlite", "PostgreSql"];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Ingestion_for_a_patient_commits_while_a_recompute_of_that_patient_is_held_open(string provider)
    {
        var probe = new HoldingProbe();
        await using var database = await StoreAsync(provider);
        using var factory = new ServiceFactory();
        using var service = factory.WithWebHostBuilder(b =>
        {
            database.Configure(b);
            b.ConfigureTestServices(s => s.AddSingleton<RecomputeProbe>(probe));
        });
        using var client = service.CreateApiClient();
        var (seed, patientId) = UniqueSeed("02-pancreatic-net-g2-progressive");
        (await PostAsync(client, "/fhir", seed)).Status.Should().Be(HttpStatusCode.OK);
        await ReportAsync(client, patientId);

        // The next recompute of the patient stops after reading the record, holding its lease (on PostgreSQL its
        // transaction and advisory lock) until released.
        probe.Arm($"Patient/{patientId}");
        (await PostAsync(client, "/fhir/Observation", Bilirubin($"{patientId}-b1", patientId, 2.1m, TestClock.Now.AddHours(-2)).ToJsonString())).Status.Should().Be(HttpStatusCode.Created);
        await probe.Reached.WaitAsync(Stuck, Token);
        var before = await GenerationAsync(service.Services, patientId);

        // Ingestion for the same patient commits while that recompute is open.
        var (status, _) = await PostAsync(client, "/fhir/Observation", Bilirubin($"{patientId}-b2", patientId, 3.3m, TestClock.Now.AddHours(-1)).ToJsonString()).WaitAsync(Stuck, Token);

        status.Should().Be(HttpStatusCode.Created);
        (await RowAsync(service.Services, "Observation", $"{patientId}-b2")).Should().NotBeNull("the resource is committed");
        (await GenerationAsync(service.Services, patientId)).Should().BeGreaterThan(before);
        probe.Reached.IsCompleted.Should().BeTrue();
        probe.Released.Should().BeFalse("the recompute is still held open");

        probe.Release();
        await ReportAsync(client, patientId, r => BilirubinIs(r, 3.3m));
    }

    [Fact]
    public async Task The_held_state_equals_a_full_read_after_updates_deletions_moves_and_another_instance_s_writes()
    {
        using var first = new ServiceFactory();
        using var firstClient = first.CreateApiClient();
        var file = first.Services.GetRequiredService<IConfiguration>()["ConnectionStrings:Store"]!;
        using var secondFactory = new ServiceFactory();
        using var second = secondFactory.WithWebHostBuilder(b => b.UseSetting("ConnectionStrings:Store", file));
        using var secondClient = second.CreateApiClient();
        var (seed, p) = UniqueSeed("02-pancreatic-net-g2-progressive");
        var (otherSeed, q) = UniqueSeed("10-ileal-net-g2-bilirubin-3-5");
        (await PostAsync(firstClient, "/fhir", seed)).Status.Should().Be(HttpStatusCode.OK);
        (await PostAsync(firstClient, "/fhir", otherSeed)).Status.Should().Be(HttpStatusCode.OK);
        await AssertHeldEqualsFullAsync(first.Services, p, q);

        // Each step by one instance or the other: the first instance's held states must catch up either way.
        var random = new Random(19);
        var ids = Enumerable.Range(0, 6).Select(i => $"{p}-x{i}").ToList();
        for (var step = 0; step < 30; step++)
        {
            var client = random.Next(2) == 0 ? firstClient : secondClient;
            var id = ids[random.Next(ids.Count)];
            var (status, _) = random.Next(5) switch
            {
                0 => await SendAsync(client, HttpMethod.Delete, $"/fhir/Observation/{id}"),
                1 => await SendAsync(client, HttpMethod.Put, $"/fhir/Observation/{id}", Bilirubin(id, q, 4 + step, TestClock.Now.AddDays(-random.Next(3))).ToJsonString()),
                _ => await SendAsync(client, HttpMethod.Put, $"/fhir/Observation/{id}", Bilirubin(id, p, 1 + step, TestClock.Now.AddDays(-random.Next(3))).ToJsonString()),
            };
            status.Should().BeOneOf(HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.NoContent);
            await AssertHeldEqualsFullAsync(first.Services, p, q);
        }

        var moved = await GenerationsAsync(first.Services, p);
        moved.LeftAt.Should().BeGreaterThan(0, "resources moved from one patient to the other on the way");
    }

    /// <summary>The first instance's held fact state (caught up) and a full read of the record give the same report.</summary>
    private static async Task AssertHeldEqualsFullAsync(IServiceProvider services, params string[] patientIds)
    {
        var evaluation = services.GetRequiredService<FhirEvaluation>();
        var asOf = TestClock.Now;
        foreach (var patientId in patientIds)
        {
            await using var scope = services.CreateAsyncScope();
            var held = await scope.ServiceProvider.GetRequiredService<PatientRecord>().FactsAsync($"Patient/{patientId}", asOf, Token);
            using var empty = new PatientFactStates(services.GetRequiredService<IOptions<IngestionOptions>>());
            var full = await ActivatorUtilities.CreateInstance<PatientRecord>(scope.ServiceProvider, empty).FactsAsync($"Patient/{patientId}", asOf, Token);

            (held is null).Should().Be(full is null, "the held state and a full read agree on whether anything of the patient is stored");
            if (held is not null)
            {
                evaluation.Evaluate(held, asOf)!.Document.ToJson().Should().Be(evaluation.Evaluate(full!, asOf)!.Document.ToJson());
            }
        }
    }

    private static Task<long> GenerationAsync(IServiceProvider services, string patientId) =>
        QueryAsync(services, s => s.PatientRecords.AsNoTracking().Where(r => r.Patient == $"Patient/{patientId}").Select(r => r.Generation).SingleAsync(Token));

    private static Task<PatientRecordState> GenerationsAsync(IServiceProvider services, string patientId) =>
        QueryAsync(services, s => s.PatientRecords.AsNoTracking().SingleAsync(r => r.Patient == $"Patient/{patientId}", Token));

    private static async Task<TestStore> StoreAsync(string provider)
    {
        if (provider == "Sqlite")
        {
            return new TestStore(null, null);
        }

        var admin = Environment.GetEnvironmentVariable("NETCDS_TEST_POSTGRES");
        Assert.SkipWhen(string.IsNullOrEmpty(admin), "NETCDS_TEST_POSTGRES is not set: run ./test.sh, which starts PostgreSQL (deploy/local/postgres.sh)");
        var database = $"netcds_test_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync(Token);
        await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
        await create.ExecuteNonQueryAsync(Token);
        return new TestStore(admin, database);
    }

    /// <summary>The service's own SQLite file, or a throwaway PostgreSQL database dropped afterwards.</summary>
    private sealed record TestStore(string? Admin, string? Database) : IAsyncDisposable
    {
        public void Configure(IWebHostBuilder builder)
        {
            if (Admin is not null)
            {
                builder.UseSetting("Storage:Provider", "PostgreSql")
                    .UseSetting("ConnectionStrings:Store", new NpgsqlConnectionStringBuilder(Admin) { Database = Database }.ConnectionString);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Admin is not null)
            {
                await TestDatabases.DropAsync(Admin, Database!);
            }
        }
    }
}

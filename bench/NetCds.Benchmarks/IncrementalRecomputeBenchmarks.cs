using BenchmarkDotNet.Attributes;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NetCds.Domain.Policy;
using NetCds.Fhir;
using NetCds.Fhir.Terminology;
using NetCds.Service.Ingestion;
using NetCds.Service.Outbox;
using NetCds.Service.Records;
using NetCds.Service.Storage;

namespace NetCds.Benchmarks;

/// <summary>
/// Issue 19, recompute cost independent of record size: one new bilirubin Observation for a patient whose record holds
/// 100 or 10,000 resources, ingested and then recomputed over the service's real code path (ResourceIngestion,
/// EligibilityRecompute, PatientRecord and its held fact state) on a SQLite file. The baseline catches the held state
/// up from the rows written since; the other recomputes as an operator's request does, building the fact state from
/// every row of the record (what every recompute cost before). The target: the 10,000-resource baseline within 2x
/// of the 100-resource one.
/// </summary>
[MemoryDiagnoser]
public class IncrementalRecomputeBenchmarks
{
    private const string Patient = "Patient/bench";
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"netcds-bench-{Guid.NewGuid():N}.db");
    private IHost? _host;
    private int _events;

    /// <summary>Resources in the patient's record (one Patient, the rest bilirubin Observations).</summary>
    [Params(100, 10_000)]
    public int Resources { get; set; }

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup()
    {
        _host?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _file, _file + "-wal", _file + "-shm" })
        {
            File.Delete(file);
        }
    }

    [Benchmark(Baseline = true)]
    public Task<RecomputeOutcome> OneEventThenRecompute() => OneEventThenRecomputeAsync(rebuild: false);

    [Benchmark]
    public Task<RecomputeOutcome> OneEventThenFullReadRecompute() => OneEventThenRecomputeAsync(rebuild: true);

    private async Task<RecomputeOutcome> OneEventThenRecomputeAsync(bool rebuild)
    {
        var n = Interlocked.Increment(ref _events);
        await IngestAsync([new IngestEntry(Bilirubin($"event-{n}", Now.AddSeconds(-n), 1.0m + (n % 7 / 10m)))]);
        await using var scope = _host!.Services.CreateAsyncScope();

        // A request naming a generation catches the held state up; one without (an operator's) reads the whole record.
        return await scope.ServiceProvider.GetRequiredService<EligibilityRecompute>().RecomputeAsync(Patient, rebuild ? null : 0, Now, CancellationToken.None);
    }

    private async System.Threading.Tasks.Task SetupAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["ConnectionStrings:Store"] = $"Data Source={_file}";
        builder.AddStore();
        builder.AddPatientRecords();
        builder.AddIngestion();
        builder.Services.AddSingleton(TerminologyMap.Default);
        builder.Services.AddSingleton(EligibilityPolicy.Default);
        builder.Services.AddSingleton(sp => new FhirEvaluation(sp.GetRequiredService<TerminologyMap>(), sp.GetRequiredService<EligibilityPolicy>()));
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<TimeProvider>(new FixedClock(Now));
        _host = builder.Build();
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<StoreContext>().Database.MigrateAsync();
        }

        var record = new List<IngestEntry> { new(new Patient { Id = "bench", BirthDate = "1960-01-01" }) };
        record.AddRange(Enumerable.Range(0, Resources - 1).Select(i => new IngestEntry(Bilirubin($"o{i}", Now.AddDays(-1).AddMinutes(-i), 1.0m + (i % 9 / 10m)))));
        foreach (var chunk in record.Chunk(1000))
        {
            await IngestAsync([.. chunk]);
        }

        // The first recompute builds the held state (as after a start or an eviction); the benchmark measures the next ones.
        await OneEventThenRecomputeAsync(rebuild: false);
    }

    private async System.Threading.Tasks.Task IngestAsync(IReadOnlyList<IngestEntry> entries)
    {
        await using var scope = _host!.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ResourceIngestion>().IngestAsync(entries, CancellationToken.None);
    }

    private static Observation Bilirubin(string id, DateTimeOffset effective, decimal value) => new()
    {
        Id = id,
        Status = ObservationStatus.Final,
        Code = new CodeableConcept("http://loinc.org", "1975-2"),
        Subject = new ResourceReference(Patient),
        Effective = new FhirDateTime(effective),
        Value = new Quantity { Value = value, Unit = "mg/dL", System = "http://unitsofmeasure.org", Code = "mg/dL" },
    };

    /// <summary>The benchmark's data is dated from one instant, so every run sees the same record.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

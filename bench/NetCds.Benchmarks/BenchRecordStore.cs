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
/// The service's record path (store, ingestion, patient records and their held fact states, evaluation) over a SQLite
/// file, dated from one instant so every run sees the same record: what the record benchmarks run over. No recompute
/// gather: a benchmark's recompute is taken up at once.
/// </summary>
internal sealed class BenchRecordStore : IDisposable
{
    public const string PatientId = "bench";
    public const string Patient = $"Patient/{PatientId}";
    public static readonly DateTimeOffset Now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string _file;

    private BenchRecordStore(IHost host, string file)
    {
        Services = host.Services;
        HostInstance = host;
        _file = file;
    }

    public IServiceProvider Services { get; }

    private IHost HostInstance { get; }

    /// <summary>Starts the path on a new SQLite file and stores <paramref name="resources"/> resources for the patient (its Patient, the rest bilirubin Observations).</summary>
    public static async Task<BenchRecordStore> StartAsync(int resources)
    {
        var file = Path.Combine(Path.GetTempPath(), $"netcds-bench-{Guid.NewGuid():N}.db");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["ConnectionStrings:Store"] = $"Data Source={file}";
        builder.Configuration["Ingestion:RecomputeGather"] = "00:00:00";
        builder.AddStore();
        builder.AddPatientRecords();
        builder.AddIngestion();
        builder.Services.AddSingleton(TerminologyMap.Default);
        builder.Services.AddSingleton(EligibilityPolicy.Default);
        builder.Services.AddSingleton(sp => new FhirEvaluation(sp.GetRequiredService<TerminologyMap>(), sp.GetRequiredService<EligibilityPolicy>()));
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<TimeProvider>(new FixedClock(Now));
        var store = new BenchRecordStore(builder.Build(), file);
        await using (var scope = store.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<StoreContext>().Database.MigrateAsync();
        }

        var record = new List<IngestEntry> { new(new Patient { Id = PatientId, BirthDate = "1960-01-01" }) };
        record.AddRange(Enumerable.Range(0, resources - 1).Select(i => new IngestEntry(Bilirubin($"o{i}", Now.AddDays(-1).AddMinutes(-i), 1.0m + (i % 9 / 10m)))));
        foreach (var chunk in record.Chunk(1000))
        {
            await store.IngestAsync([.. chunk]);
        }

        return store;
    }

    public static Observation Bilirubin(string id, DateTimeOffset effective, decimal value, DateTimeOffset? lastUpdated = null) => new()
    {
        Id = id,
        Meta = lastUpdated is null ? null : new Meta { LastUpdated = lastUpdated },
        Status = ObservationStatus.Final,
        Code = new CodeableConcept("http://loinc.org", "1975-2"),
        Subject = new ResourceReference(Patient),
        Effective = new FhirDateTime(effective),
        Value = new Quantity { Value = value, Unit = "mg/dL", System = "http://unitsofmeasure.org", Code = "mg/dL" },
    };

    public async System.Threading.Tasks.Task IngestAsync(IReadOnlyList<IngestEntry> entries)
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ResourceIngestion>().IngestAsync(entries, CancellationToken.None);
    }

    public void Dispose()
    {
        HostInstance.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _file, _file + "-wal", _file + "-shm" })
        {
            File.Delete(file);
        }
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

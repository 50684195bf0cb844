using BenchmarkDotNet.Attributes;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NetCds.Domain.Policy;
using NetCds.Fhir;
using NetCds.Fhir.Input;
using NetCds.Fhir.Mapping;
using NetCds.Fhir.Terminology;
using NetCds.Service.Ingestion;
using NetCds.Service.Outbox;
using NetCds.Service.Records;
using NetCds.Service.Storage;

namespace NetCds.Benchmarks;

/// <summary>
/// Issue 20, a CDS Hooks call's data cost against its target (at most 1.5x a bare Firely parse of its prefetch): a
/// 100-resource prefetch (the Patient and 99 bilirubin Observations, half of them newer copies of stored ones) for a
/// patient whose stored record holds 100 or 10,000 resources. The call parses the prefetch, takes the stored record's
/// facts from the patient's held fact state (PatientRecord.FactsWithAsync over a SQLite file), overlays the
/// prefetch's and evaluates; HTTP, the JWT and the cards are not in it. The baseline is the parse alone.
/// </summary>
[MemoryDiagnoser]
public class CdsCallBenchmarks
{
    private const string PatientId = "bench";
    private const string Patient = $"Patient/{PatientId}";
    private const int PrefetchObservations = 99;
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly FhirJsonSerializer Serializer = new();
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"netcds-bench-{Guid.NewGuid():N}.db");
    private IHost? _host;
    private string[] _prefetch = [];

    /// <summary>Resources in the patient's stored record (one Patient, the rest bilirubin Observations).</summary>
    [Params(100, 10_000)]
    public int StoredResources { get; set; }

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

    /// <summary>The prefetch's keys parsed by Firely, nothing more.</summary>
    [Benchmark(Baseline = true)]
    public int FirelyParseOfThePrefetch()
    {
        var count = 0;
        foreach (var json in _prefetch)
        {
            count += FhirInput.Resources(FhirInput.Parse(json).Resource!).Count;
        }

        return count;
    }

    /// <summary>The prefetch parsed, the stored record's facts from the held state with the prefetch's overlaid, evaluated.</summary>
    [Benchmark]
    public async Task<Evaluation?> CdsEvaluation()
    {
        var resources = new List<SourcedResource>();
        foreach (var json in _prefetch)
        {
            resources.AddRange(FhirInput.Resources(FhirInput.Parse(json).Resource!));
        }

        await using var scope = _host!.Services.CreateAsyncScope();
        var mapping = await scope.ServiceProvider.GetRequiredService<PatientRecord>().FactsWithAsync(Patient, resources, Now, CancellationToken.None);
        return scope.ServiceProvider.GetRequiredService<FhirEvaluation>().Evaluate(mapping, Now);
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

        var patient = new Patient { Id = PatientId, BirthDate = "1960-01-01" };
        var record = new List<IngestEntry> { new(patient) };
        record.AddRange(Enumerable.Range(0, StoredResources - 1).Select(i => new IngestEntry(Bilirubin($"o{i}", Now.AddDays(-1).AddMinutes(-i), 1.0m + (i % 9 / 10m), null))));
        foreach (var chunk in record.Chunk(1000))
        {
            await using var scope = _host.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ResourceIngestion>().IngestAsync([.. chunk], CancellationToken.None);
        }

        // As the EHR sends it: the patient key and one searchset; the first half newer copies of stored Observations.
        var searchset = new Bundle { Type = Bundle.BundleType.Searchset, Total = PrefetchObservations };
        foreach (var i in Enumerable.Range(0, PrefetchObservations))
        {
            var id = i < PrefetchObservations / 2 ? $"o{i}" : $"call{i}";
            searchset.Entry.Add(new Bundle.EntryComponent { Resource = Bilirubin(id, Now.AddHours(-2).AddMinutes(-i), 2.0m + (i % 7 / 10m), Now.AddHours(-1)) });
        }

        _prefetch = [Serializer.SerializeToString(patient), Serializer.SerializeToString(searchset)];

        // The first call builds the held state (as after a start or an eviction); the benchmark measures the next ones.
        await CdsEvaluation();
    }

    private static Observation Bilirubin(string id, DateTimeOffset effective, decimal value, DateTimeOffset? lastUpdated) => new()
    {
        Id = id,
        Meta = lastUpdated is null ? null : new Meta { LastUpdated = lastUpdated },
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

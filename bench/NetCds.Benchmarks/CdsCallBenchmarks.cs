using BenchmarkDotNet.Attributes;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.DependencyInjection;
using NetCds.Fhir;
using NetCds.Fhir.Input;
using NetCds.Fhir.Mapping;
using NetCds.Service.Records;

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
    private const int PrefetchObservations = 99;
    private static readonly FhirJsonSerializer Serializer = new();
    private BenchRecordStore? _store;
    private string[] _prefetch = [];

    /// <summary>Resources in the patient's stored record (one Patient, the rest bilirubin Observations).</summary>
    [Params(100, 10_000)]
    public int StoredResources { get; set; }

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _store?.Dispose();

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

        await using var scope = _store!.Services.CreateAsyncScope();
        var mapping = await scope.ServiceProvider.GetRequiredService<PatientRecord>().FactsWithAsync(BenchRecordStore.Patient, resources, BenchRecordStore.Now, CancellationToken.None);
        return scope.ServiceProvider.GetRequiredService<FhirEvaluation>().Evaluate(mapping, BenchRecordStore.Now);
    }

    private async System.Threading.Tasks.Task SetupAsync()
    {
        _store = await BenchRecordStore.StartAsync(StoredResources);
        var now = BenchRecordStore.Now;

        // As the EHR sends it: the patient key and one searchset; the first half newer copies of stored Observations.
        var searchset = new Bundle { Type = Bundle.BundleType.Searchset, Total = PrefetchObservations };
        foreach (var i in Enumerable.Range(0, PrefetchObservations))
        {
            var id = i < PrefetchObservations / 2 ? $"o{i}" : $"call{i}";
            searchset.Entry.Add(new Bundle.EntryComponent { Resource = BenchRecordStore.Bilirubin(id, now.AddHours(-2).AddMinutes(-i), 2.0m + (i % 7 / 10m), now.AddHours(-1)) });
        }

        var patient = new Patient { Id = BenchRecordStore.PatientId, BirthDate = "1960-01-01" };
        _prefetch = [Serializer.SerializeToString(patient), Serializer.SerializeToString(searchset)];

        // The first call builds the held state (as after a start or an eviction); the benchmark measures the next ones.
        await CdsEvaluation();
    }
}

using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using NetCds.Service.Ingestion;
using NetCds.Service.Records;

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
    private BenchRecordStore? _store;
    private int _events;

    /// <summary>Resources in the patient's record (one Patient, the rest bilirubin Observations).</summary>
    [Params(100, 10_000)]
    public int Resources { get; set; }

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _store?.Dispose();

    [Benchmark(Baseline = true)]
    public Task<RecomputeOutcome> OneEventThenRecompute() => OneEventThenRecomputeAsync(rebuild: false);

    [Benchmark]
    public Task<RecomputeOutcome> OneEventThenFullReadRecompute() => OneEventThenRecomputeAsync(rebuild: true);

    private async Task<RecomputeOutcome> OneEventThenRecomputeAsync(bool rebuild)
    {
        var n = Interlocked.Increment(ref _events);
        var now = BenchRecordStore.Now;
        await _store!.IngestAsync([new IngestEntry(BenchRecordStore.Bilirubin($"event-{n}", now.AddSeconds(-n), 1.0m + (n % 7 / 10m)))]);
        await using var scope = _store.Services.CreateAsyncScope();

        // A request naming a generation catches the held state up; one without (an operator's) reads the whole record.
        return await scope.ServiceProvider.GetRequiredService<EligibilityRecompute>().RecomputeAsync(BenchRecordStore.Patient, rebuild ? null : 0, now, CancellationToken.None);
    }

    private async Task SetupAsync()
    {
        _store = await BenchRecordStore.StartAsync(Resources);

        // The first recompute builds the held state (as after a start or an eviction); the benchmark measures the next ones.
        await OneEventThenRecomputeAsync(rebuild: false);
    }
}

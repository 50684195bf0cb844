using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using NetCds.Fhir.Mapping;

namespace NetCds.Service.Records;

/// <summary>
/// Each patient's fact state held in memory between recomputes (issue 19): the resources' facts merged incrementally
/// (<see cref="FactLedger"/>), valid for a known record generation and mapping version, so a recompute reads only the
/// rows written after that generation (<see cref="PatientRecord.FactsAsync"/>). Bounded in bytes
/// (<see cref="IngestionOptions.FactStateCacheBytes"/>, by each state's estimated size): an evicted patient is rebuilt
/// from its kept facts, a full read once. Another instance's writes are seen because the catch-up reads the database,
/// not this instance's ingestion.
/// </summary>
public sealed class PatientFactStates(IOptions<IngestionOptions> options) : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = Math.Max(1, options.Value.FactStateCacheBytes) });

    /// <summary>The state held for the patient under <paramref name="mappingVersion"/>, else a new, empty one.</summary>
    internal PatientFactState Get(string patient, string mappingVersion) =>
        _cache.TryGetValue(patient, out PatientFactState? held) && held!.MappingVersion == mappingVersion ? held : new PatientFactState(mappingVersion);

    /// <summary>Holds the state (again) at its current size; a state larger than the whole budget is not held.</summary>
    internal void Keep(string patient, PatientFactState state) =>
        _cache.Set(patient, state, new MemoryCacheEntryOptions { Size = Math.Max(1, state.EstimatedBytes), SlidingExpiration = TimeSpan.FromHours(1) });

    internal void Forget(string patient) => _cache.Remove(patient);

    public void Dispose() => _cache.Dispose();
}

/// <summary>One patient's incrementally kept facts and what they are valid for.</summary>
internal sealed class PatientFactState(string mappingVersion)
{
    /// <summary>One recompute at a time brings it up to date (the patient lease makes this uncontended).</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public string MappingVersion { get; } = mappingVersion;

    /// <summary>Every row of the patient written up to this generation is applied; -1 before the first (full) read.</summary>
    public long Generation { get; set; } = -1;

    /// <summary>The held resources' facts, each with the stored version it is of.</summary>
    public FactLedger Ledger { get; } = new();

    /// <summary>Resources whose facts depend on the evaluation time or another resource: mapped again at every evaluation.</summary>
    public SortedSet<string> Live { get; } = new(StringComparer.Ordinal);

    public long EstimatedBytes => Ledger.EstimatedBytes + (Live.Count * 120L);
}

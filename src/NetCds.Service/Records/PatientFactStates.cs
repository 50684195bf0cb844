using Microsoft.Extensions.Options;
using NetCds.Fhir.Mapping;

namespace NetCds.Service.Records;

/// <summary>
/// Each patient's fact state held in memory between recomputes (issue 19): the resources' facts merged incrementally
/// (<see cref="FactLedger"/>), valid for a known record generation and mapping version, so a recompute reads only the
/// rows written after that generation (<see cref="PatientRecord.FactsAsync"/>). Bounded in bytes
/// (<see cref="IngestionOptions.FactStateCacheBytes"/>, by each state's estimated size): a patient whose state is not
/// held is rebuilt from its kept facts, a full read. Another instance's writes are seen because the catch-up reads the
/// database, not this instance's ingestion.
/// When a state does not fit, only states no longer part of the stream of recomputes make room (not kept during the
/// last two rounds of keeps, a round being one keep per held patient), least recently kept first; if that is not
/// enough, this state is not held and the others stay. Evicting the least recently kept state regardless (what a
/// size-limited MemoryCache does) thrashes once the patients under way outgrow the budget: recomputes visit the patients
/// in turn, so the state evicted is always the next one needed, and every recompute became a full read (issue 19:
/// RabbitMQ + PostgreSQL, Bundles of 100, the lag p99 went from 0.49 s to 6.1 s when a faster run took the 20 patients'
/// states past the 256 MiB budget in its last seconds).
/// </summary>
public sealed class PatientFactStates(IOptions<IngestionOptions> options) : IDisposable
{
    private readonly long _limit = Math.Max(1, options.Value.FactStateCacheBytes);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Held> _held = new(StringComparer.Ordinal);
    private long _bytes;
    private long _keeps;

    /// <summary>The bytes of the states held now (estimated).</summary>
    public long HeldBytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Whether a state is held for the patient (under any mapping version).</summary>
    public bool Holds(string patient)
    {
        lock (_gate)
        {
            return _held.ContainsKey(patient);
        }
    }

    /// <summary>The state held for the patient under <paramref name="mappingVersion"/>, else a new, empty one.</summary>
    internal PatientFactState Get(string patient, string mappingVersion)
    {
        lock (_gate)
        {
            return _held.TryGetValue(patient, out var held) && held.State.MappingVersion == mappingVersion ? held.State : new PatientFactState(mappingVersion);
        }
    }

    /// <summary>Holds the state (again) at its current size, if it fits (see the class remarks).</summary>
    internal void Keep(string patient, PatientFactState state)
    {
        var size = Math.Max(1, state.EstimatedBytes);
        lock (_gate)
        {
            var keep = ++_keeps;
            if (_held.Remove(patient, out var prior))
            {
                _bytes -= prior.Bytes;
            }

            if (_bytes + size > _limit)
            {
                var idleBefore = keep - (2L * (_held.Count + 1));
                foreach (var (other, idle) in _held.Where(h => h.Value.KeptAt < idleBefore).OrderBy(h => h.Value.KeptAt).ToList())
                {
                    if (_bytes + size <= _limit)
                    {
                        break;
                    }

                    _held.Remove(other);
                    _bytes -= idle.Bytes;
                }

                if (_bytes + size > _limit)
                {
                    return;
                }
            }

            _held[patient] = new Held(state, size, keep);
            _bytes += size;
        }
    }

    internal void Forget(string patient)
    {
        lock (_gate)
        {
            if (_held.Remove(patient, out var prior))
            {
                _bytes -= prior.Bytes;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _held.Clear();
            _bytes = 0;
        }
    }

    /// <summary>A held state, its size when it was kept, and the keep that held it (a count, not a time).</summary>
    private sealed record Held(PatientFactState State, long Bytes, long KeptAt);
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

using Microsoft.Extensions.Options;
using NetCds.Fhir.Mapping;
using NetCds.Service.Ops;
using NetCds.Service.Storage;

namespace NetCds.Service.Records;

/// <summary>
/// Each patient's fact state held in memory between recomputes (issue 19): the resources' facts merged incrementally
/// (<see cref="FactLedger"/>), valid for a known record generation and mapping version, so a recompute reads only the
/// rows written after that generation (<see cref="PatientRecord.FactsAsync"/>). Bounded in bytes
/// (<see cref="IngestionOptions.FactStateBudget"/>, by each state's estimated size): a patient whose state is not
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
    private const int MaxNothingStored = 10_000;

    private readonly long _limit = Math.Max(1, options.Value.FactStateBudget(IngestionOptions.GcHeapBytes));
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Held> _held = new(StringComparer.Ordinal);

    /// <summary>
    /// Patients a hook call found nothing stored for, with the <see cref="PatientWrites.Mark"/> of that read: no fact
    /// state is held for them. Bounded by count (a few dozen bytes each), emptied when full.
    /// </summary>
    private readonly Dictionary<string, long> _nothingStored = new(StringComparer.Ordinal);

    private long _bytes;
    private long _keeps;

    /// <summary>The most bytes of states held (<see cref="IngestionOptions.FactStateBudget"/>).</summary>
    public long BudgetBytes => _limit;

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
            _nothingStored.Remove(patient);
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
                    NetCdsTelemetry.FactStatesHeld(_bytes, _limit);
                    return;
                }
            }

            _held[patient] = new Held(state, size, keep);
            _bytes += size;
            NetCdsTelemetry.FactStatesHeld(_bytes, _limit);
        }
    }

    /// <summary>Nothing was stored for the patient when the store was read after <paramref name="mark"/> was taken.</summary>
    internal void NothingStored(string patient, long mark)
    {
        lock (_gate)
        {
            if (_nothingStored.Count >= MaxNothingStored)
            {
                _nothingStored.Clear();
            }

            _nothingStored[patient] = mark;
        }
    }

    /// <summary>The mark of the read that found nothing stored for the patient, if that is remembered.</summary>
    internal long? NothingStoredMark(string patient)
    {
        lock (_gate)
        {
            return _nothingStored.TryGetValue(patient, out var mark) ? mark : null;
        }
    }

    internal void Forget(string patient)
    {
        lock (_gate)
        {
            if (_held.Remove(patient, out var prior))
            {
                _bytes -= prior.Bytes;
                NetCdsTelemetry.FactStatesHeld(_bytes, _limit);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _held.Clear();
            _nothingStored.Clear();
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

    /// <summary>The stored report's bookkeeping when the state last read the store (null: no report).</summary>
    public StoredReportSummary? Report { get; set; }

    /// <summary>
    /// <see cref="PatientWrites.Mark"/> taken before the state last read the store (null: a write of the patient was
    /// under way then): while <see cref="PatientWrites.Unchanged"/>, a hook call uses the state as held (issue 20).
    /// </summary>
    public long? Mark { get; set; }

    /// <summary>The held resources' facts, each with the stored version it is of.</summary>
    public FactLedger Ledger { get; } = new();

    /// <summary>Resources whose facts depend on the evaluation time or another resource: mapped again at every evaluation.</summary>
    public SortedSet<string> Live { get; } = new(StringComparer.Ordinal);

    public long EstimatedBytes => Ledger.EstimatedBytes + (Live.Count * 120L);
}

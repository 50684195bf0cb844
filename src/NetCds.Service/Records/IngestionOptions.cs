using System.ComponentModel.DataAnnotations;

namespace NetCds.Service.Records;

/// <summary>Configuration section <c>Ingestion</c>.</summary>
public sealed class IngestionOptions
{
    private const long MaxFactStateCacheBytes = 256L * 1024 * 1024;
    private const long MaxParsedResourceCacheBytes = 32L * 1024 * 1024;

    /// <summary>Most entries accepted in one Bundle.</summary>
    [Range(1, 100_000)]
    public int MaxEntries { get; init; } = 1000;

    /// <summary>
    /// A resource no code of which the terminology map knows (an Observation, Condition, Procedure or medication
    /// course that can supply no fact): <c>Skip</c> (the default: answered per entry as not used, counted, not kept,
    /// no recompute), <c>Store</c> (kept, so a code mapped later finds it), or, for Observations arriving on the bus,
    /// <c>DeadLetter</c> (refused to the error queue naming the code, to be replayed once the site maps it).
    /// </summary>
    public UnknownCodePolicy UnknownObservationCodes { get; init; } = UnknownCodePolicy.Skip;

    /// <summary>
    /// Most entries written in one transaction. Concurrent requests and messages are written together (group commit):
    /// one transaction, one commit, for everything that arrived while the previous one was being written.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxEntriesPerTransaction { get; init; } = 2000;

    /// <summary>
    /// Memory for stored resources kept parsed (bytes, estimated from each one's JSON at about 6 bytes a character), so
    /// the MDT view, CDS Hooks and a recompute parse only what changed. A 400-character Observation takes about 2.6 KB
    /// parsed: 32 MiB holds about 12,000 of them (issue 19, measured); a larger record is parsed again, in part, each
    /// time it is read whole. The same budget keeps the resources CDS clients send, by content (their exact JSON, about
    /// 7 bytes a character with it), from their second sending on: a chart opened again is not parsed again (issue 20).
    /// Unset (the default): a tenth of the heap the GC may use, at most 32 MiB (<see cref="ParsedResourceBudget"/>).
    /// </summary>
    [Range(0, long.MaxValue)]
    public long? ParsedResourceCacheBytes { get; init; }

    /// <summary>
    /// Memory for patients' fact states held between recomputes (bytes, estimated per patient from what it holds,
    /// calibrated against the heap), so a recompute reads only the rows written since the last one. A patient of
    /// 10,000 one-value resources takes about 2 MB. A state that does not fit makes room only from states no longer
    /// recomputed, else is not held: the patient's next recompute is built again from its kept facts, a read of the
    /// whole record. So a budget smaller than the patients under way makes the patients that do not fit pay such a read
    /// on every recompute, while the others stay held (<see cref="PatientFactStates"/>; a least-recently-used eviction
    /// made every recompute such a read, issue 19, measured).
    /// Unset (the default): two thirds of the heap the GC may use, at most 256 MiB (<see cref="FactStateBudget"/>).
    /// </summary>
    [Range(1024, long.MaxValue)]
    public long? FactStateCacheBytes { get; init; }

    /// <summary>
    /// How often stored facts derived by another mapping version (a site terminology map changed, a new release, a
    /// row written by an older instance during a rolling update) are looked for and derived again. Also at start.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FactStateCheckInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a patient's queued recompute waits, counted from the commit that queued it, before it is taken up,
    /// when the patient's events come faster than this (the request was queued within this long of the patient's
    /// previous take-up; <see cref="RecomputeGathering"/>). While it waits, further commits for the patient queue
    /// nothing and are covered by it: under a stream of single events, one outbox row, publish and recompute serve many
    /// events instead of one each (issue 19, measured on RabbitMQ + PostgreSQL, one Observation per POST from 16
    /// connections: 288 events/s without it; 696, 975 and 1,153 with 100, 300 and 500 ms, the lag p99 208, 379 and
    /// 565 ms). A lone event is taken up at once. It adds at most this much to the time a report takes to follow an
    /// event. Zero takes each request up at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05")]
    public TimeSpan RecomputeGather { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The fact-state budget in bytes: <see cref="FactStateCacheBytes"/> when set, else two thirds of
    /// <paramref name="heapBytes"/> (the heap the GC may use: its hard limit, 75 % of a container's memory limit, or the
    /// machine's memory), at most 256 MiB. With a tenth for resources kept parsed, the caches take at most 77 % of the
    /// heap, so a small heap (a container limit of 256Mi gives 192 MiB) makes them hold less instead of the service
    /// running out of memory. Half the heap was too little: on RabbitMQ + PostgreSQL at 6,000 events/s the 20 patients' states outgrew
    /// 96 MiB and the last event took 1.5 s to reach every report instead of 0.6 s (docs/performance.md, twelfth session).
    /// </summary>
    public long FactStateBudget(long heapBytes) => FactStateCacheBytes ?? Math.Clamp(heapBytes / 3 * 2, 1024, MaxFactStateCacheBytes);

    /// <summary>
    /// The budget of resources kept parsed in bytes: <see cref="ParsedResourceCacheBytes"/> when set, else a tenth of
    /// <paramref name="heapBytes"/>, at most 32 MiB (see <see cref="FactStateBudget"/>).
    /// </summary>
    public long ParsedResourceBudget(long heapBytes) => ParsedResourceCacheBytes ?? Math.Clamp(heapBytes / 10, 0, MaxParsedResourceCacheBytes);

    /// <summary>The heap the GC may use in this process, in bytes: what the budgets are shares of when not set.</summary>
    public static long GcHeapBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>
    /// How long one page of <c>POST /recompute</c> (an import window's close) goes on taking up stale patients before
    /// it answers with the cursor to the rest, so a page of large records stays well inside the request timeout
    /// (<c>Service:RequestTimeoutSeconds</c>, 30 s): a page cut off by the timeout is answered 504 and sent again
    /// (issue 19, deliverable 8). The patient under way when it runs out is finished; zero takes one patient a page.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RecomputePageTime { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>What to do with a resource whose code the terminology map does not know (<c>Ingestion:UnknownObservationCodes</c>).</summary>
public enum UnknownCodePolicy
{
    /// <summary>Answer it as not used, count it, keep nothing: it could supply no fact.</summary>
    Skip,

    /// <summary>Store it like any other resource (it supplies no fact until its code is mapped).</summary>
    Store,

    /// <summary>Refuse the whole message: it goes to the error queue naming the code, to be replayed once the site maps it.</summary>
    DeadLetter,
}

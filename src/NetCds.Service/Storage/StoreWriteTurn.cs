using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace NetCds.Service.Storage;

/// <summary>
/// Turns for the embedded store's single writer (SQLite), taken in arrival order. SQLite lets one transaction write at
/// a time and makes the others poll for the lock (its busy handler sleeps between attempts), so under a steady
/// ingestion load a recompute's one-row report write waited while back-to-back ingestion transactions (the group
/// commit starts the next one as soon as one commits) took the lock each time it came free: the embedded Bundle
/// load's reports followed it by 37-47 s (issue 19, docs/performance.md). The in-process writers that matter
/// (ingestion, the recompute's take-up and report write, the outbox claim and mark) queue here instead, first come
/// first served, so each waits for at most the writes queued before it, and a report write for one ingestion
/// transaction at most. Brought back from <c>2a4939c</c> (backed out in <c>cb5004b</c> while each single event paid a
/// full recompute of its record; recomputes are now incremental and gathered). Entered before a transaction begins,
/// never inside one, so a writer holding SQLite's lock never waits for a turn. On PostgreSQL, which has row locks and
/// no single writer, there is no turn: <see cref="EnterAsync"/> returns at once.
/// Not disposable: its semaphore holds no wait handle (nothing reads <c>AvailableWaitHandle</c>), and disposing it with
/// the container while a recompute still held the turn made that recompute's release throw, so the turn was never
/// given back and the next writer waited for ever. That is how test runs hung in a host's stop: a WebApplicationFactory's
/// container was disposed while its bus still ran a recompute (eleventh session, a heap dump of the hang: the waiter's
/// semaphore disposed, its count 0, no holder).
/// </summary>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "Deliberately never disposed: see the summary.")]
public sealed class StoreWriteTurn
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private int _waiting;
    private string? _holder;

    /// <summary>Writers waiting for their turn now (not the one holding it).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// The writer holding the turn now (its method and file), else null. Kept for a process dump: test runs hung behind
    /// a recompute waiting here while no code seen in the dump held the turn (tenth session; the cause is in the summary).
    /// </summary>
    public string? Holder => Volatile.Read(ref _holder);

    /// <summary>Waits for this writer's turn (at once on PostgreSQL); disposing the result ends it.</summary>
    public async ValueTask<Turn> EnterAsync(StoreContext store, CancellationToken cancellationToken, [CallerMemberName] string writer = "", [CallerFilePath] string file = "")
    {
        if (store is not SqliteStoreContext)
        {
            return default;
        }

        // SemaphoreSlim hands a released turn to its oldest asynchronous waiter: a newcomer cannot take it first.
        Interlocked.Increment(ref _waiting);
        try
        {
            await _turn.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        Volatile.Write(ref _holder, $"{writer} ({Path.GetFileName(file)})");
        return new Turn(this);
    }

    private void Release()
    {
        Volatile.Write(ref _holder, null);
        _turn.Release();
    }

    /// <summary>A writer's turn; ends when disposed (a default turn, PostgreSQL's, holds nothing).</summary>
    public readonly struct Turn(StoreWriteTurn? turns) : IDisposable
    {
        public void Dispose() => turns?.Release();
    }
}

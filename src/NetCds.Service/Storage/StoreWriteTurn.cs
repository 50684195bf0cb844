namespace NetCds.Service.Storage;

/// <summary>
/// Turns for the embedded store's single writer (SQLite). SQLite lets one transaction write at a time and makes the
/// others poll for the lock (its busy handler sleeps between attempts), so under a steady ingestion load a recompute's
/// one-row report write waited while back-to-back ingestion transactions (the group commit starts the next one as soon
/// as one commits) took the lock each time it came free: the embedded Bundle load's reports followed it by 37-47 s
/// (issue 19, docs/performance.md). The in-process writers that matter queue here instead, in two lanes:
/// <list type="bullet">
/// <item><see cref="WriteSize.Small"/>: the writes a report or a CDS answer waits for, each a row or a few (the
/// recompute's take-up and report write, the outbox claim and mark, the CDS jti record). They go first.</item>
/// <item><see cref="WriteSize.Bulk"/>: ingestion's group transactions (up to
/// <c>Ingestion:MaxEntriesPerTransaction</c> entries) and the card memory's batches.</item>
/// </list>
/// Each lane is first come, first served. A small write so waits for the transaction under way and the small writes
/// queued before it, never for a bulk one queued before it: a recompute takes two turns, and behind a queued ingestion
/// group each cost it a second group's time, which was most of the embedded Bundle lag (issue 19, measured). Bulk
/// writes cannot starve: small writes are few (recomputes are gathered per patient, the outbox batches). Entered before
/// a transaction begins, never inside one, so a writer holding SQLite's lock never waits for a turn. On PostgreSQL,
/// which has row locks and no single writer, there is no turn: <see cref="EnterAsync"/> returns at once.
/// </summary>
public sealed class StoreWriteTurn
{
    private readonly Lock _gate = new();
    private readonly Queue<TaskCompletionSource> _small = new();
    private readonly Queue<TaskCompletionSource> _bulk = new();
    private bool _held;
    private int _waiting;

    /// <summary>Which lane a writer queues in.</summary>
    public enum WriteSize
    {
        /// <summary>A group transaction or a batch: after every small write queued.</summary>
        Bulk,

        /// <summary>A row or a few that a report or an answer waits for: before every bulk write queued.</summary>
        Small,
    }

    /// <summary>Writers waiting for their turn now (not the one holding it).</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiting;
            }
        }
    }

    /// <summary>Waits for this writer's turn (at once on PostgreSQL); disposing the result ends it.</summary>
    public ValueTask<Turn> EnterAsync(StoreContext store, CancellationToken cancellationToken, WriteSize size = WriteSize.Bulk)
    {
        if (store is not SqliteStoreContext)
        {
            return ValueTask.FromResult(default(Turn));
        }

        TaskCompletionSource waiter;
        lock (_gate)
        {
            if (!_held)
            {
                _held = true;
                return ValueTask.FromResult(new Turn(this));
            }

            // Continuations run on the pool: a turn is never handed over inside the releasing writer's Dispose.
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (size == WriteSize.Small ? _small : _bulk).Enqueue(waiter);
            _waiting++;
        }

        return WaitAsync(waiter, cancellationToken);
    }

    private async ValueTask<Turn> WaitAsync(TaskCompletionSource waiter, CancellationToken cancellationToken)
    {
        try
        {
            await waiter.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            bool withdrawn;
            lock (_gate)
            {
                // Left in its queue, completed: Release passes over it.
                withdrawn = waiter.TrySetCanceled(cancellationToken);
                if (withdrawn)
                {
                    _waiting--;
                }
            }

            if (!withdrawn)
            {
                Release(); // handed the turn just as the caller gave up: hand it on
            }

            throw;
        }

        return new Turn(this);
    }

    private void Release()
    {
        lock (_gate)
        {
            while (_small.TryDequeue(out var next) || _bulk.TryDequeue(out next))
            {
                if (next.TrySetResult())
                {
                    _waiting--;
                    return; // still held: by the next writer now
                }
            }

            _held = false;
        }
    }

    /// <summary>A writer's turn; ends when disposed (a default turn, PostgreSQL's, holds nothing).</summary>
    public readonly struct Turn(StoreWriteTurn? turns) : IDisposable
    {
        public void Dispose() => turns?.Release();
    }
}

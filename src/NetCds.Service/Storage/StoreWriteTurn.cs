namespace NetCds.Service.Storage;

/// <summary>
/// Turns for the embedded store's single writer (SQLite), taken in arrival order. SQLite lets one transaction write at
/// a time and makes the others poll for the lock (its busy handler sleeps between attempts), so under a steady
/// ingestion load a recompute's one-row report update could wait seconds while back-to-back ingestion transactions
/// took the lock each time it came free (issue 19, measured: 1.3 s per report write at 7,000 events/s). The in-process
/// writers that matter (ingestion, the recompute, the outbox dispatcher) queue here instead, so each waits for at most
/// the writes queued before it. On PostgreSQL, which has row locks and no single writer, a turn is free.
/// </summary>
public sealed class StoreWriteTurn : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    /// <summary>Waits for this writer's turn (at once on PostgreSQL); disposing the result ends it.</summary>
    public async ValueTask<Turn> EnterAsync(StoreContext store, CancellationToken cancellationToken)
    {
        if (store is not SqliteStoreContext)
        {
            return default;
        }

        // SemaphoreSlim queues asynchronous waiters first come, first served.
        await _turn.WaitAsync(cancellationToken);
        return new Turn(_turn);
    }

    public void Dispose() => _turn.Dispose();

    public readonly struct Turn(SemaphoreSlim? turn) : IDisposable
    {
        public void Dispose() => turn?.Release();
    }
}

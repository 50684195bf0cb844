using System.Text.Json;
using NetCds.Service.Storage;

namespace NetCds.Service.Outbox;

/// <summary>
/// Writes messages to the outbox table, in the caller's transaction; the <see cref="OutboxDispatcher"/> publishes them
/// after commit. A writer calls <see cref="OutboxSignal.Notify"/> right after its commit, so the row is published at
/// once rather than at the next safety poll.
/// </summary>
public static class OutboxMessages
{
    public static void Add<T>(StoreContext store, T message, DateTimeOffset now)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(store);
        store.Outbox.Add(new OutboxMessage
        {
            Id = Guid.NewGuid(),
            MessageType = typeof(T).Name,
            Payload = JsonSerializer.Serialize(message, JsonSerializerOptions.Web),
            CreatedAt = now,
            TraceParent = System.Diagnostics.Activity.Current?.Id,
        });
    }
}

/// <summary>
/// Wakes the dispatcher as soon as a transaction wrote to the outbox: the publish follows the commit. The dispatcher's
/// poll is only the safety net (rows left by a crash, a claim that expired, a failed publish). Never disposed, as
/// <see cref="StoreWriteTurn"/>: a recompute that commits after its host's container was disposed still calls
/// <see cref="Notify"/>, which threw <see cref="ObjectDisposedException"/> after its report had committed (the
/// semaphore holds no wait handle, so nothing needs disposing).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "Deliberately never disposed: see the summary.")]
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }
    }

    /// <summary>True when signalled, false when <paramref name="timeout"/> passed first.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}

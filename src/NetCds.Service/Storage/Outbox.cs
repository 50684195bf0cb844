using System.Text.Json;

namespace NetCds.Service.Storage;

/// <summary>Writes messages to the outbox table; the outbox dispatcher (Messaging) publishes them after commit.</summary>
public static class Outbox
{
    public static void Add<T>(StoreContext store, T message, DateTimeOffset now)
        where T : class =>
        store.Outbox.Add(new OutboxMessage
        {
            Id = Guid.NewGuid(),
            MessageType = typeof(T).Name,
            Payload = JsonSerializer.Serialize(message, JsonSerializerOptions.Web),
            CreatedAt = now,
            TraceParent = System.Diagnostics.Activity.Current?.Id,
        });
}

/// <summary>Wakes the dispatcher as soon as a transaction wrote to the outbox (it also polls, for rows from other instances or a crash).</summary>
public sealed class OutboxSignal : IDisposable
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

    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}

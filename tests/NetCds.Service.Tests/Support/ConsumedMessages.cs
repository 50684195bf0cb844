using System.Collections.Concurrent;
using MassTransit;

namespace NetCds.Service.Tests.Support;

/// <summary>
/// Every <typeparamref name="T"/> the service's bus has finished consuming (or faulted on) since it was connected:
/// what a test waits on when the thing to show is that a consumer ran and changed nothing, where there is no state
/// change to poll for. MassTransit's own consume observer, on the real bus.
/// </summary>
internal sealed class ConsumedMessages<T> : IConsumeMessageObserver<T>, IDisposable
    where T : class
{
    private readonly ConcurrentQueue<T> _done = new();
    private readonly ConnectHandle _handle;

    public ConsumedMessages(IBus bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        _handle = bus.ConnectConsumeMessageObserver(this);
    }

    /// <summary>Waits (see <see cref="Eventually"/>) until <paramref name="count"/> messages matching <paramref name="match"/> were consumed.</summary>
    public Task CountAsync(Func<T, bool> match, int count) =>
        Eventually.UntilAsync(() => _done.Count(match) >= count, $"{count} {typeof(T).Name} message(s) to be consumed");

    public Task PreConsume(ConsumeContext<T> context) => Task.CompletedTask;

    public Task PostConsume(ConsumeContext<T> context)
    {
        _done.Enqueue(context.Message);
        return Task.CompletedTask;
    }

    public Task ConsumeFault(ConsumeContext<T> context, Exception exception)
    {
        _done.Enqueue(context.Message);
        return Task.CompletedTask;
    }

    public void Dispose() => _handle.Disconnect();
}

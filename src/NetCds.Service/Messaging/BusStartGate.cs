using MassTransit;

namespace NetCds.Service.Messaging;

/// <summary>
/// Holds the host's stop until a bus start under way has finished. MassTransit starts the bus in the background
/// (the host does not wait for the broker), and a stop that arrives while the start is still awaiting its endpoints
/// makes two stops of the same receive endpoint race: MassTransit cancels the start and stops the endpoints itself
/// while the host's stop stops them too, and one of them fails inside <c>ReceiveEndpoint.Stop</c> with a
/// NullReferenceException (seen when a test host is disposed right after it started, on a loaded machine).
/// Registered after MassTransit's hosted service, so the host stops this one first; the wait is bounded.
/// </summary>
internal sealed partial class BusStartGate(ILogger<BusStartGate> logger) : IBusObserver, IHostedService
{
    /// <summary>How long a stop waits for a start under way (a broker that cannot be reached never finishes it).</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _starting;

    public Task PreStart(IBus bus)
    {
        _starting = true;
        return Task.CompletedTask;
    }

    public Task PostStart(IBus bus, Task<BusReady> busReady) => Settle();

    public Task StartFaulted(IBus bus, Exception exception) => Settle();

    public void PostCreate(IBus bus)
    {
    }

    public void CreateFaulted(Exception exception)
    {
    }

    public Task PreStop(IBus bus) => Task.CompletedTask;

    public Task PostStop(IBus bus) => Task.CompletedTask;

    public Task StopFaulted(IBus bus, Exception exception) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_starting || _settled.Task.IsCompleted)
        {
            return;
        }

        try
        {
            await _settled.Task.WaitAsync(Bound, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            LogStartNotSettled(logger, Bound.TotalSeconds);
        }
    }

    private Task Settle()
    {
        _settled.TrySetResult();
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping while the message bus is still starting (waited {Seconds} s for the broker).")]
    private static partial void LogStartNotSettled(ILogger logger, double seconds);
}

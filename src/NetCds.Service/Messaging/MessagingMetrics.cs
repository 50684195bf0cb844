using MassTransit;
using NetCds.Service.Ops;

namespace NetCds.Service.Messaging;

/// <summary>
/// Counts messages consumed, and those whose consumer gave up after its retries (failed, by message type) or that
/// could not even be consumed (bad body, no consumer): both end in the endpoint's <c>_error</c> queue (dead-lettered, by queue).
/// </summary>
public sealed class MessagingMetrics : IReceiveObserver
{
    public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType)
        where T : class
    {
        NetCdsTelemetry.Consumed(typeof(T).Name);
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        NetCdsTelemetry.Failed(typeof(T).Name);
        NetCdsTelemetry.DeadLettered(QueueOf(context.ReceiveContext.InputAddress));
        return Task.CompletedTask;
    }

    public Task ReceiveFault(ReceiveContext context, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(context);
        NetCdsTelemetry.DeadLettered(QueueOf(context.InputAddress));
        return Task.CompletedTask;
    }

    private static string QueueOf(Uri? address) => address?.AbsolutePath.Split('/').LastOrDefault(p => p.Length > 0) ?? "unknown";
}

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NetCds.Service.Storage;

namespace NetCds.Service.Ops;

/// <summary>Reads the outbox backlog and the age of its oldest row, for the metrics (periodically) and readiness (on demand).</summary>
public sealed class OutboxMonitor(IServiceScopeFactory scopes, TimeProvider clock)
{
    public async Task<OutboxSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
        var pending = store.Outbox.AsNoTracking().Where(m => m.DispatchedAt == null);
        var backlog = await pending.LongCountAsync(cancellationToken);
        var oldest = backlog == 0 ? (DateTimeOffset?)null : await pending.OrderBy(m => m.CreatedAt).Select(m => (DateTimeOffset?)m.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        var snapshot = new OutboxSnapshot(backlog, oldest is { } at ? Math.Max(0, (clock.GetUtcNow() - at).TotalSeconds) : 0);
        NetCdsTelemetry.Outbox(snapshot);
        return snapshot;
    }
}

/// <summary>Refreshes the outbox gauges every <see cref="OpsOptions.OutboxMonitorSeconds"/>.</summary>
public sealed partial class OutboxMonitorService(OutboxMonitor monitor, IOptions<OpsOptions> options, ILogger<OutboxMonitorService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.OutboxMonitorSeconds));
        do
        {
            try
            {
                await monitor.ReadAsync(stoppingToken);
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                LogReadFailed(logger, failure);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not read the outbox backlog")]
    private static partial void LogReadFailed(ILogger logger, Exception failure);
}

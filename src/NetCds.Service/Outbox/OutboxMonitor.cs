using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using NetCds.Service.Ops;
using NetCds.Service.Storage;

namespace NetCds.Service.Outbox;

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

/// <summary>The outbox is being drained: fewer than the threshold rows wait.</summary>
public sealed class OutboxBacklogHealthCheck(OutboxMonitor monitor, IOptions<OpsOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var snapshot = await monitor.ReadAsync(cancellationToken).WaitAsync(cancellationToken);
            var threshold = options.Value.OutboxBacklogThreshold;
            var data = new Dictionary<string, object> { ["backlog"] = snapshot.Backlog, ["oldestAgeSeconds"] = snapshot.OldestAgeSeconds };
            return snapshot.Backlog < threshold
                ? HealthCheckResult.Healthy($"{snapshot.Backlog} waiting", data)
                : HealthCheckResult.Unhealthy($"{snapshot.Backlog} rows waiting (threshold {threshold})", data: data);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("the outbox could not be read in time");
        }
        catch (Exception failure)
        {
            return HealthCheckResult.Unhealthy($"the outbox could not be read: {failure.GetType().Name}");
        }
    }
}

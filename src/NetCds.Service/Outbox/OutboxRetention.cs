using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NetCds.Service.Storage;

namespace NetCds.Service.Outbox;

/// <summary>
/// Deletes dispatched outbox rows older than <see cref="OutboxOptions.OutboxRetention"/>, a batch at a time
/// (short transactions, no long lock on the table), every <see cref="OutboxOptions.OutboxRetentionInterval"/>.
/// </summary>
public sealed partial class OutboxRetention(IServiceScopeFactory scopes, IOptions<OutboxOptions> options, TimeProvider clock, ILogger<OutboxRetention> logger) : BackgroundService
{
    /// <summary>Deletes every expired row now; returns how many.</summary>
    public async Task<int> DeleteExpiredAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var cutoff = clock.GetUtcNow() - settings.OutboxRetention;
        var total = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
            var batch = await store.Outbox.Where(m => m.DispatchedAt != null && m.DispatchedAt < cutoff)
                .OrderBy(m => m.DispatchedAt).Select(m => m.Id).Take(settings.OutboxRetentionBatchSize).ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                return total;
            }

            total += await store.Outbox.Where(m => batch.Contains(m.Id)).ExecuteDeleteAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.OutboxRetentionInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var deleted = await DeleteExpiredAsync(stoppingToken);
                if (deleted > 0)
                {
                    LogDeleted(logger, deleted);
                }
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                LogFailed(logger, failure.GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox retention: {Count} dispatched rows deleted")]
    private static partial void LogDeleted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox retention failed ({Failure}); will retry")]
    private static partial void LogFailed(ILogger logger, string failure);
}

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NetCds.Service.Storage;

namespace NetCds.Service.CdsHooks.Feedback;

/// <summary>
/// Deletes remembered cards older than <c>CdsHooks:CardMemoryRetention</c> with the feedback given on them (a comment
/// may hold PHI), a batch at a time, and the daily shown tallies of the days wholly past it, every
/// <c>CdsHooks:CardMemoryPurgeInterval</c> on the service's clock.
/// </summary>
public sealed partial class CardMemoryRetention(IServiceScopeFactory scopes, IOptions<CardMemoryOptions> options, TimeProvider clock, ILogger<CardMemoryRetention> logger)
    : BackgroundService
{
    private const int BatchSize = 1_000;

    /// <summary>Deletes every expired card now; returns how many cards.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - options.Value.CardMemoryRetention;
        var total = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
            var batch = await store.RememberedCards.Where(c => c.ShownAt < cutoff).OrderBy(c => c.ShownAt).Select(c => c.CardUuid).Take(BatchSize).ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                // A day's tally goes once the whole day is past the retention (the cutoff's own day stays).
                var lastDay = DateOnly.FromDateTime(cutoff.UtcDateTime);
                await store.CardShownTallies.Where(t => t.Day < lastDay).ExecuteDeleteAsync(cancellationToken);
                return total;
            }

            await using var transaction = await store.Database.BeginTransactionAsync(cancellationToken);
            await store.Feedback.Where(f => batch.Contains(f.CardUuid)).ExecuteDeleteAsync(cancellationToken);
            total += await store.RememberedCards.Where(c => batch.Contains(c.CardUuid)).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CardMemoryPurgeInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var deleted = await PurgeExpiredAsync(stoppingToken);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Card memory retention: {Count} remembered card(s) deleted, with their feedback")]
    private static partial void LogDeleted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Card memory retention failed ({Failure}); will retry")]
    private static partial void LogFailed(ILogger logger, string failure);
}

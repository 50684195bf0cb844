using Microsoft.EntityFrameworkCore;
using NetCds.Service.Storage;

namespace NetCds.Service.CdsHooks.Security;

/// <summary>
/// The <c>jti</c> values already accepted, per issuer, each kept until its token could no longer pass the expiry
/// check (exp + clock skew). Kept in the store (table <c>cds_used_jti</c>), so that every instance of the service
/// sharing a PostgreSQL store refuses a replay wherever the first call landed; expired rows are purged by
/// <see cref="JtiPurgeService"/>.
/// </summary>
public sealed class JtiReplayCache(IServiceScopeFactory scopes, TimeProvider clock)
{
    /// <summary>
    /// Records the jti in one statement: inserted when new, taken over when the earlier token has expired, refused
    /// (<c>false</c>) when the issuer already used it in a token that may still be live. Atomic across instances.
    /// </summary>
    public async Task<bool> TryRecordAsync(string issuer, string jti, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var until = keepUntil.ToUnixTimeSeconds();
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<StoreContext>();

        // Both providers (SQLite 3.24+, PostgreSQL 9.5+) take this upsert; a conflicting row whose token is still
        // live is left alone, and the statement then changes no row.
        var changed = await store.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO cds_used_jti ("Issuer", "Jti", "ExpiresAt") VALUES ({issuer}, {jti}, {until})
            ON CONFLICT ("Issuer", "Jti") DO UPDATE SET "ExpiresAt" = excluded."ExpiresAt"
            WHERE cds_used_jti."ExpiresAt" <= {now}
            """,
            cancellationToken);
        return changed == 1;
    }

    /// <summary>Deletes the rows of tokens that have expired; returns how many.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
        return await store.UsedJtis.Where(j => j.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
    }
}

/// <summary>Purges expired <c>jti</c> rows every minute (each instance does; the delete is idempotent).</summary>
internal sealed partial class JtiPurgeService(JtiReplayCache replays, TimeProvider clock, ILogger<JtiPurgeService> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await replays.PurgeExpiredAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPurgeFailed(logger, e.GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not purge expired CDS Hooks jti rows ({Reason}); will try again.")]
    private static partial void LogPurgeFailed(ILogger logger, string reason);
}

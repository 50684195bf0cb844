using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using NetCds.Service.Storage;

namespace NetCds.Service.CdsHooks.Security;

/// <summary>
/// The <c>jti</c> values already accepted, per issuer, each kept until its token could no longer pass the expiry
/// check (exp + clock skew). Two levels (issue 20: atomic across instances, off the single-writer path):
/// <list type="bullet">
/// <item>in memory: a jti this instance has seen is refused at once, without the database; two calls racing with one
/// jti on this instance are settled here, so at most one of them reaches the store;</item>
/// <item>the store (table <c>cds_used_jti</c>, UNLOGGED on PostgreSQL): every instance sharing it refuses a replay
/// wherever the first call landed. Callers queue their jti and take the writer's turn: whoever holds it records
/// everything queued (up to <see cref="MaxBatch"/>) in one upsert that returns the rows it took, so a burst of calls
/// costs one write (one turn of SQLite's single writer), not one each. A call is answered only once its jti is
/// recorded.</item>
/// </list>
/// Expired rows and entries are purged by <see cref="JtiPurgeService"/>.
/// </summary>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "Deliberately never disposed, as StoreWriteTurn: a release after the container is disposed must still hand the turn on.")]
public sealed class JtiReplayCache(IServiceScopeFactory scopes, StoreWriteTurn writeTurn, TimeProvider clock)
{
    /// <summary>The most jtis one statement records (3 parameters each: well under every provider's limit).</summary>
    public const int MaxBatch = 200;

    /// <summary>Seen here: a 128-bit digest of issuer and jti (bounded size whatever their length) → keep until (Unix s).</summary>
    private readonly ConcurrentDictionary<UInt128, long> _seen = new();
    private readonly ConcurrentQueue<Pending> _queue = new();
    private readonly SemaphoreSlim _turn = new(1, 1);

    /// <summary>
    /// Records the jti: <c>true</c> when new (or its earlier token has expired), <c>false</c> when the issuer already
    /// used it in a token that may still be live, here or on any instance sharing the store. Atomic across instances:
    /// the store's upsert takes a row for one call only.
    /// </summary>
    public async Task<bool> TryRecordAsync(string issuer, string jti, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        var until = keepUntil.ToUnixTimeSeconds();
        var key = Key(issuer, jti);
        if (!Claim(key, until, clock.GetUtcNow().ToUnixTimeSeconds()))
        {
            return false;
        }

        var mine = new Pending(issuer, jti, until);
        _queue.Enqueue(mine);
        try
        {
            while (!mine.Done.Task.IsCompleted)
            {
                await _turn.WaitAsync(cancellationToken);
                try
                {
                    if (!mine.Done.Task.IsCompleted)
                    {
                        // Not the caller's token: the batch holds other callers' jtis, whose calls go on.
                        await WriteAsync(Take(), CancellationToken.None);
                    }
                }
                finally
                {
                    _turn.Release();
                }
            }

            return await mine.Done.Task;
        }
        catch
        {
            // Not known to be recorded (the store failed, or the caller gave up first): let a retry ask the store again.
            _seen.TryRemove(KeyValuePair.Create(key, until));
            throw;
        }
    }

    /// <summary>Deletes the rows of tokens that have expired, and forgets them here; returns how many rows.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        foreach (var entry in _seen)
        {
            if (entry.Value <= now)
            {
                _seen.TryRemove(entry);
            }
        }

        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
        return await store.UsedJtis.Where(j => j.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
    }


    private static UInt128 Key(string issuer, string jti)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{issuer}\n{jti}"), digest);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }

    /// <summary>Takes the jti in memory: false when this instance already holds it for a token that may still be live.</summary>
    private bool Claim(UInt128 key, long until, long now)
    {
        while (true)
        {
            if (_seen.TryAdd(key, until))
            {
                return true;
            }

            if (!_seen.TryGetValue(key, out var held))
            {
                continue; // purged meanwhile: try again
            }

            if (held > now)
            {
                return false;
            }

            if (_seen.TryUpdate(key, until, held))
            {
                return true; // the earlier token has expired: the jti may be used again
            }
        }
    }

    private List<Pending> Take()
    {
        var batch = new List<Pending>();
        while (batch.Count < MaxBatch && _queue.TryDequeue(out var next))
        {
            batch.Add(next);
        }

        return batch;
    }

    private async Task WriteAsync(List<Pending> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            var taken = await UpsertAsync(batch, cancellationToken);
            foreach (var pending in batch)
            {
                pending.Done.TrySetResult(taken.Remove((pending.Issuer, pending.Jti)));
            }
        }
        catch (Exception failure)
        {
            foreach (var pending in batch)
            {
                pending.Done.TrySetException(failure);
            }
        }
    }

    /// <summary>
    /// One statement for the batch, on both providers (SQLite 3.35+, PostgreSQL 9.5+): each jti is inserted when new,
    /// taken over when its earlier token has expired, else left alone; RETURNING names the rows inserted or taken over.
    /// A jti twice in one batch (only possible after its first token expired) is written once, the later call refused.
    /// </summary>
    private async Task<HashSet<(string Issuer, string Jti)>> UpsertAsync(List<Pending> batch, CancellationToken cancellationToken)
    {
        var distinct = batch.DistinctBy(p => (p.Issuer, p.Jti)).ToList();
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<StoreContext>();

        // On the embedded store the upsert waits its turn for SQLite's one writer (StoreWriteTurn), handed over the
        // moment the writer before it ends, instead of meeting a busy lock and sleeping in SQLite's busy handler while
        // the card memory or ingestion writes (issue 20: p99 of a call under load).
        using var turn = await writeTurn.EnterAsync(store, cancellationToken);
        await store.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = store.Database.GetDbConnection().CreateCommand();
            var values = new StringBuilder();
            for (var i = 0; i < distinct.Count; i++)
            {
                values.Append(i == 0 ? "" : ", ").Append($"(@i{i}, @j{i}, @e{i})");
                Add(command, $"i{i}", distinct[i].Issuer);
                Add(command, $"j{i}", distinct[i].Jti);
                Add(command, $"e{i}", distinct[i].KeepUntil);
            }

            Add(command, "now", clock.GetUtcNow().ToUnixTimeSeconds());
            command.CommandText =
                $"""
                INSERT INTO cds_used_jti ("Issuer", "Jti", "ExpiresAt") VALUES {values}
                ON CONFLICT ("Issuer", "Jti") DO UPDATE SET "ExpiresAt" = excluded."ExpiresAt"
                WHERE cds_used_jti."ExpiresAt" <= @now
                RETURNING "Issuer", "Jti"
                """;
            var taken = new HashSet<(string, string)>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                taken.Add((reader.GetString(0), reader.GetString(1)));
            }

            return taken;
        }
        finally
        {
            await store.Database.CloseConnectionAsync();
        }
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private sealed record Pending(string Issuer, string Jti, long KeepUntil)
    {
        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>Purges expired <c>jti</c> rows and entries every minute (each instance does; the delete is idempotent).</summary>
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

using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Microsoft.Extensions.Options;
using NetCds.Service.Messaging.Contracts.V1;
using NetCds.Service.Ops;
using NetCds.Service.Storage;

namespace NetCds.Service.Outbox;

/// <summary>
/// Publishes outbox rows in order and marks them dispatched. At least once: a crash between publish and mark
/// republishes, so every message carries its outbox id as MessageId and consumers are idempotent (exactly one
/// effect per change).
/// Driven by the commits (issue 19, deliverable 4): every writer signals right after its commit
/// (<see cref="OutboxSignal"/>), and the dispatcher claims and publishes at once. Polling is only the safety net, every
/// <see cref="OutboxOptions.OutboxPollMilliseconds"/>, and an idle tick is one indexed existence query
/// (<see cref="AnyWaitingAsync"/>): no claim, no read, no write while nothing waits. Decided over skipping the poll
/// while the signal path is healthy: a row left by a crashed instance, or whose claim expired, is announced by no
/// signal, and knowing that no other instance exists would itself need a query.
/// </summary>
public sealed partial class OutboxDispatcher(IServiceScopeFactory scopes, OutboxSignal signal, IOptions<OutboxOptions> options, StoreWriteTurn writeTurn, TimeProvider clock, ILogger<OutboxDispatcher> logger)
    : BackgroundService
{
    /// <summary>How long a claim keeps other instances off a row; a claim that outlives a crash expires.</summary>
    public static readonly TimeSpan ClaimFor = TimeSpan.FromSeconds(30);

    private static readonly DateTimeOffsetToBinaryConverter SqliteTime = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromMilliseconds(options.Value.OutboxPollMilliseconds);
        var batch = options.Value.OutboxBatchSize;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A full batch: more may wait, claim again at once. Otherwise wait for the next commit's signal (a
                // commit during the pass above left it set, so nothing is missed), checking on each timeout whether
                // a row no signal announced waits.
                if (await DispatchBatchAsync(stoppingToken) < batch)
                {
                    while (!await signal.WaitAsync(poll, stoppingToken) && !await AnyWaitingAsync(stoppingToken))
                    {
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                // Store or broker unavailable (or a bad row): the rows stay in the outbox and are retried; the host stays up.
                LogDispatchFailed(failure.GetType().Name);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(options.Value.OutboxPollMilliseconds, 1000)), stoppingToken);
            }
        }
    }

    /// <summary>Whether a row waits that this instance may claim: one probe of the (DispatchedAt, CreatedAt) index.</summary>
    public async Task<bool> AnyWaitingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
        var now = clock.GetUtcNow();
        return await store.Outbox.AnyAsync(m => m.DispatchedAt == null && (m.ClaimedUntil == null || m.ClaimedUntil < now), cancellationToken);
    }

    /// <summary>
    /// Publishes one batch; returns how many rows were dispatched. The batch is claimed and read in one statement
    /// (<c>UPDATE ... RETURNING</c>): the oldest rows nobody holds get a claim until now + <see cref="ClaimFor"/>, so
    /// with several instances only the claimer publishes a row (on PostgreSQL the candidate rows are locked with
    /// <c>SKIP LOCKED</c>: two instances claiming at once take different rows instead of waiting for each other). The
    /// claimed rows are published in order and their confirms awaited together: one broker round trip per batch.
    /// Rows are marked only after every confirm; a failed publish releases the claim, so the rows go out again at
    /// the next pass (consumers are idempotent) instead of after the claim expires.
    /// </summary>
    public async Task<int> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
        var publisher = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        // The claim, the release and the mark each take the embedded store's writer turn (StoreWriteTurn); the
        // publish between them holds none.
        List<ClaimedRow> claimed;
        using (await writeTurn.EnterAsync(store, cancellationToken))
        {
            claimed = await ClaimAsync(store, clock.GetUtcNow(), options.Value.OutboxBatchSize, cancellationToken);
        }

        if (claimed.Count == 0)
        {
            return 0;
        }

        var ids = claimed.Select(r => r.Id).ToList();
        try
        {
            var publishes = new List<Task>(claimed.Count);
            foreach (var row in claimed)
            {
                var message = Message(row);
                // The publish (and so the consumer, through the message headers) joins the trace that wrote the row.
                ActivityContext.TryParse(row.TraceParent, null, out var parent);
                using var activity = NetCdsTelemetry.Source.StartActivity($"outbox dispatch {row.MessageType}", ActivityKind.Internal, parent);
                activity?.SetTag("netcds.outbox.id", row.Id.ToString());
                publishes.Add(publisher.Publish(message, message.GetType(), c => c.MessageId = row.Id, cancellationToken));
            }

            await Task.WhenAll(publishes);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            using var releasing = await writeTurn.EnterAsync(store, CancellationToken.None);
            await store.Outbox.Where(m => ids.Contains(m.Id) && m.DispatchedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null), CancellationToken.None);
            throw;
        }

        var at = clock.GetUtcNow();
        using (await writeTurn.EnterAsync(store, cancellationToken))
        {
            await store.Outbox.Where(m => ids.Contains(m.Id)).ExecuteUpdateAsync(u => u.SetProperty(m => m.DispatchedAt, at), cancellationToken);
        }

        return claimed.Count;
    }

    private static object Message(ClaimedRow row) => row.MessageType switch
    {
        nameof(RecomputeEligibility) => JsonSerializer.Deserialize<RecomputeEligibility>(row.Payload, JsonSerializerOptions.Web)!,
        // A V1 row left undispatched by the previous release goes out in the V2 shape (its report and cards dropped,
        // revision 0: unknown); the subscriber reads the report as for any change.
        nameof(Messaging.Contracts.V2.EligibilityChanged) => JsonSerializer.Deserialize<Messaging.Contracts.V2.EligibilityChanged>(row.Payload, JsonSerializerOptions.Web)!,
        nameof(SubscriptionNotificationReceived) => JsonSerializer.Deserialize<SubscriptionNotificationReceived>(row.Payload, JsonSerializerOptions.Web)!,
        _ => throw new InvalidOperationException($"Unknown outbox message type {row.MessageType}."),
    };

    /// <summary>
    /// Claims up to <paramref name="limit"/> of the oldest claimable rows and returns them, oldest first, in one
    /// auto-committed statement. Plain SQL: EF Core has no UPDATE ... RETURNING. The same statement on both stores,
    /// but for the lock clause (SQLite has one writer at a time: no row locks) and the time values (SQLite stores
    /// them as <see cref="DateTimeOffsetToBinaryConverter"/> integers, see <c>SqliteStoreContext</c>).
    /// The condition is repeated on the outer rows: on PostgreSQL a row another instance claimed between the
    /// subquery and the update is re-checked on the locked row and stays with that instance.
    /// </summary>
    private static async Task<List<ClaimedRow>> ClaimAsync(StoreContext store, DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        var sqlite = store is SqliteStoreContext;
        var sql = $"""
            UPDATE outbox SET "ClaimedUntil" = @until, "Attempts" = "Attempts" + 1
            WHERE "Id" IN (
                SELECT "Id" FROM outbox
                WHERE "DispatchedAt" IS NULL AND ("ClaimedUntil" IS NULL OR "ClaimedUntil" < @now)
                ORDER BY "CreatedAt" LIMIT @limit{(sqlite ? "" : " FOR UPDATE SKIP LOCKED")})
              AND "DispatchedAt" IS NULL AND ("ClaimedUntil" IS NULL OR "ClaimedUntil" < @now)
            RETURNING "Id", "MessageType", "Payload", "CreatedAt", "TraceParent"
            """;
        var connection = store.Database.GetDbConnection();
        await store.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            Add(command, "until", sqlite ? SqliteTime.ConvertToProvider(now + ClaimFor)! : now + ClaimFor);
            Add(command, "now", sqlite ? SqliteTime.ConvertToProvider(now)! : now);
            Add(command, "limit", limit);
            var rows = new List<ClaimedRow>(limit);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new ClaimedRow(
                    reader.GetValue(0) switch { Guid g => g, var v => Guid.Parse(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!) },
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetValue(3) switch { long ticks => ticks, DateTimeOffset at => at.UtcTicks, DateTime at => at.Ticks, var v => throw new InvalidOperationException($"CreatedAt read as {v.GetType().Name}") },
                    reader.IsDBNull(4) ? null : reader.GetString(4)));
            }

            // RETURNING promises no order: publish in the order the rows were written.
            rows.Sort((a, b) => a.CreatedAt.CompareTo(b.CreatedAt));
            return rows;
        }
        finally
        {
            await store.Database.CloseConnectionAsync();
        }
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>A claimed row; <c>CreatedAt</c> only as an order key (ticks on PostgreSQL, the stored integer on SQLite).</summary>
    private sealed record ClaimedRow(Guid Id, string MessageType, string Payload, long CreatedAt, string? TraceParent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox dispatch failed ({Failure}); will retry")]
    private partial void LogDispatchFailed(string failure);
}

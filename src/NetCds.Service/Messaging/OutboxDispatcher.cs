using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NetCds.Service.Messaging.Contracts.V1;
using NetCds.Service.Ops;
using NetCds.Service.Storage;

namespace NetCds.Service.Messaging;

/// <summary>
/// Publishes outbox rows in order and marks them dispatched. At least once: a crash between publish and mark
/// republishes, so every message carries its outbox id as MessageId and consumers are idempotent.
/// </summary>
public sealed partial class OutboxDispatcher(IServiceScopeFactory scopes, OutboxSignal signal, IOptions<MessagingOptions> options, TimeProvider clock, ILogger<OutboxDispatcher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromMilliseconds(options.Value.OutboxPollMilliseconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await DispatchBatchAsync(stoppingToken) == 0)
                {
                    await signal.WaitAsync(poll, stoppingToken);
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
                await Task.Delay(poll * 5, stoppingToken);
            }
        }
    }

    /// <summary>
    /// Publishes one batch; returns how many rows were dispatched. The batch is claimed with one UPDATE (the oldest
    /// unclaimed rows get this pass's token), then read back by token, so with several instances only the claimer
    /// publishes a row (a claim that outlives a crash expires). The claimed rows are published in order and their
    /// confirms awaited together: one broker round trip per batch. Rows are marked only after every confirm, so a
    /// failure republishes (consumers are idempotent).
    /// </summary>
    public async Task<int> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
        var publisher = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        var now = clock.GetUtcNow();
        var claimUntil = now.AddSeconds(30);
        var token = Guid.NewGuid();
        var oldest = store.Outbox
            .Where(m => m.DispatchedAt == null && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .OrderBy(m => m.CreatedAt).Take(options.Value.OutboxBatchSize).Select(m => m.Id);
        // The condition is repeated on the outer rows: a row another instance claimed between the subquery and the
        // update (PostgreSQL re-checks it on the locked row) stays with that instance.
        var won = await store.Outbox
            .Where(m => oldest.Contains(m.Id) && m.DispatchedAt == null && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.ClaimedUntil, claimUntil).SetProperty(m => m.ClaimToken, token).SetProperty(m => m.Attempts, m => m.Attempts + 1), cancellationToken);
        var claimed = won == 0 ? [] : await store.Outbox.AsNoTracking().Where(m => m.ClaimToken == token).OrderBy(m => m.CreatedAt).ToListAsync(cancellationToken);

        if (claimed.Count == 0)
        {
            return 0;
        }

        var publishes = new List<Task>(claimed.Count);
        foreach (var row in claimed)
        {
            object message = row.MessageType switch
            {
                nameof(RecomputeEligibility) => JsonSerializer.Deserialize<RecomputeEligibility>(row.Payload, JsonSerializerOptions.Web)!,
                // A V1 row left undispatched by the previous release goes out in the V2 shape (its report and cards dropped,
                // revision 0: unknown); the subscriber reads the report as for any change.
                nameof(Contracts.V2.EligibilityChanged) => JsonSerializer.Deserialize<Contracts.V2.EligibilityChanged>(row.Payload, JsonSerializerOptions.Web)!,
                nameof(SubscriptionNotificationReceived) => JsonSerializer.Deserialize<SubscriptionNotificationReceived>(row.Payload, JsonSerializerOptions.Web)!,
                _ => throw new InvalidOperationException($"Unknown outbox message type {row.MessageType}."),
            };
            // The publish (and so the consumer, through the message headers) joins the trace that wrote the row.
            ActivityContext.TryParse(row.TraceParent, null, out var parent);
            using var activity = NetCdsTelemetry.Source.StartActivity($"outbox dispatch {row.MessageType}", ActivityKind.Internal, parent);
            activity?.SetTag("netcds.outbox.id", row.Id.ToString());
            publishes.Add(publisher.Publish(message, message.GetType(), c => c.MessageId = row.Id, cancellationToken));
        }

        await Task.WhenAll(publishes);
        var ids = claimed.Select(r => r.Id).ToList();
        var at = clock.GetUtcNow();
        await store.Outbox.Where(m => ids.Contains(m.Id)).ExecuteUpdateAsync(u => u.SetProperty(m => m.DispatchedAt, at), cancellationToken);
        return claimed.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox dispatch failed ({Failure}); will retry")]
    private partial void LogDispatchFailed(string failure);
}

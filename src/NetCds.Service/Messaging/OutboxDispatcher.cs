using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NetCds.Service.Messaging.Contracts.V1;
using NetCds.Service.Storage;

namespace NetCds.Service.Messaging;

/// <summary>Wakes the dispatcher as soon as a transaction wrote to the outbox (it also polls, for rows from other instances or a crash).</summary>
public sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}

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

    /// <summary>Publishes one batch; returns how many rows were dispatched.</summary>
    public async Task<int> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
        var publisher = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        var batch = await store.Outbox.Where(m => m.DispatchedAt == null).OrderBy(m => m.CreatedAt).Take(options.Value.OutboxBatchSize).ToListAsync(cancellationToken);
        // Publish the whole batch, in order, and await the confirms together: one broker round trip (a quorum queue's
        // fsync) per batch rather than per row. Rows are marked only after every confirm, so a failure republishes.
        var publishes = new List<Task>(batch.Count);
        foreach (var row in batch)
        {
            row.Attempts++;
            object message = row.MessageType switch
            {
                nameof(RecomputeEligibility) => JsonSerializer.Deserialize<RecomputeEligibility>(row.Payload, JsonSerializerOptions.Web)!,
                nameof(EligibilityChanged) => JsonSerializer.Deserialize<EligibilityChanged>(row.Payload, JsonSerializerOptions.Web)!,
                _ => throw new InvalidOperationException($"Unknown outbox message type {row.MessageType}."),
            };
            publishes.Add(publisher.Publish(message, message.GetType(), c => c.MessageId = row.Id, cancellationToken));
        }

        await Task.WhenAll(publishes);
        var now = clock.GetUtcNow();
        foreach (var row in batch)
        {
            row.DispatchedAt = now;
        }

        await store.SaveChangesAsync(cancellationToken);
        return batch.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox dispatch failed ({Failure}); will retry")]
    private partial void LogDispatchFailed(string failure);
}

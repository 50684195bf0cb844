using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NetCds.Domain.Engine;
using NetCds.Fhir.Input;
using NetCds.Service.Messaging.Contracts.V1;
using NetCds.Service.Ops;
using NetCds.Service.Outbox;
using NetCds.Service.Storage;

namespace NetCds.Service.Records;

/// <summary>
/// Re-derives kept facts that another mapping version derived (issue 10): at start and every
/// <see cref="IngestionOptions.FactStateCheckInterval"/>, in batches, each row updated only if it is still the version
/// read (a newer version stored meanwhile has its own facts). A patient whose facts changed gets a recompute, through
/// the outbox in the same transaction, so a new terminology code or a mapping fix reaches the reports of resources
/// stored before it. Until then readers map such rows from the resource (<see cref="PatientRecord.FactsAsync"/>), so
/// nothing waits for this. Progress: <c>netcds_fact_state_stale</c>, <c>netcds_fact_state_rederived_total</c>, and a
/// log line per pass that found work.
/// The same pass then recomputes reports computed under another rule catalogue (issue 22): a rules change can leave
/// every fact as it was and still change statuses, so a stored report whose <see cref="PatientReport.RulesVersion"/>
/// is not <see cref="EligibilityEngine.RulesVersion"/> gets its patient's recompute queued through the outbox
/// (<see cref="RecomputeOutdatedReportsAsync"/>; <c>netcds_reports_outdated_rules_recomputes_total</c> and a log line).
/// </summary>
public sealed partial class FactStateRederivation(
    IServiceScopeFactory scopes,
    FactState factState,
    IOptions<IngestionOptions> options,
    TimeProvider clock,
    ILogger<FactStateRederivation> logger) : BackgroundService
{
    private const int BatchSize = 500;

    /// <summary>Re-derives every row kept under another version now; returns how many rows were re-derived.</summary>
    public async Task<int> RederiveAsync(CancellationToken cancellationToken)
    {
        var version = factState.Version;
        var total = 0;
        var recomputed = 0;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
            NetCdsTelemetry.FactStateStale(await Stale(store, version).CountAsync(cancellationToken));
        }

        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
            var batch = await Stale(store, version)
                .OrderBy(r => r.ResourceType).ThenBy(r => r.ResourceId)
                .Select(r => new { r.ResourceType, r.ResourceId, r.Version, r.Patient, r.Json, r.Facts })
                .Take(BatchSize)
                .ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                NetCdsTelemetry.FactStateStale(0);
                if (total > 0)
                {
                    LogDone(logger, total, recomputed, version);
                }

                return total;
            }

            if (total == 0)
            {
                LogStarted(logger, version);
            }

            var now = clock.GetUtcNow();
            var changed = new SortedSet<string>(StringComparer.Ordinal);
            await using var transaction = await store.Database.BeginTransactionAsync(cancellationToken);
            foreach (var row in batch)
            {
                var resource = FhirInput.Parse(row.Json!).Resource;
                var facts = resource is null ? null : factState.Derive(resource, row.Patient, now);
                var updated = await store.Resources
                    .Where(r => r.ResourceType == row.ResourceType && r.ResourceId == row.ResourceId && r.Version == row.Version)
                    .ExecuteUpdateAsync(set => set.SetProperty(r => r.Facts, facts).SetProperty(r => r.FactsVersion, version), cancellationToken);
                if (updated > 0 && facts != row.Facts)
                {
                    changed.Add(row.Patient!);
                }
            }

            foreach (var (patient, generation, queue) in await PatientGenerations.BumpAsync(store, changed, cancellationToken))
            {
                if (queue)
                {
                    OutboxMessages.Add(store, new RecomputeEligibility(patient, now, generation), now);
                }
            }

            await store.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            scope.ServiceProvider.GetRequiredService<OutboxSignal>().Notify();
            total += batch.Count;
            recomputed += changed.Count;
            NetCdsTelemetry.FactStateRederived(batch.Count);
        }
    }

    /// <summary>
    /// Queues a recompute for every patient whose stored report another rules version computed (or one stored before
    /// reports kept their version), in batches keyed by patient, each batch's generation bump and outbox rows in one
    /// transaction. A patient whose recompute is already queued and not yet taken up is left to it; one whose
    /// recompute fails stays outdated and is queued again by the next pass. Returns how many recomputes were queued.
    /// </summary>
    public async Task<int> RecomputeOutdatedReportsAsync(CancellationToken cancellationToken)
    {
        const string Rules = EligibilityEngine.RulesVersion;
        var queued = 0;
        var after = "";
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
            var last = after;
            var batch = await store.Reports
                .Where(r => (r.RulesVersion == null || r.RulesVersion != Rules) && string.Compare(r.Patient, last) > 0)
                .Where(r => !store.PatientRecords.Any(p => p.Patient == r.Patient && p.PendingSince != 0))
                .OrderBy(r => r.Patient)
                .Select(r => r.Patient)
                .Take(BatchSize)
                .ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                if (queued > 0)
                {
                    LogRulesRecompute(logger, queued, Rules);
                }

                return queued;
            }

            var now = clock.GetUtcNow();
            await using var transaction = await store.Database.BeginTransactionAsync(cancellationToken);
            var bumps = await PatientGenerations.BumpAsync(store, batch, cancellationToken);
            foreach (var (patient, generation, queue) in bumps.Where(b => b.QueueRecompute))
            {
                OutboxMessages.Add(store, new RecomputeEligibility(patient, now, generation), now);
            }

            await store.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            scope.ServiceProvider.GetRequiredService<OutboxSignal>().Notify();
            var count = bumps.Count(b => b.QueueRecompute);
            queued += count;
            NetCdsTelemetry.OutdatedReportsQueued(count);
            after = batch[^1];
        }
    }

    /// <summary>Rows whose kept facts another mapping version derived (or none ever did: rows stored before facts were kept).</summary>
    private static IQueryable<StoredResource> Stale(StoreContext store, string version) =>
        store.Resources.Where(r => r.Patient != null && !r.Deleted && r.Json != null && (r.FactsVersion == null || r.FactsVersion != version));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.FactStateCheckInterval, clock);
        do
        {
            try
            {
                // Facts first: a patient whose facts changed is queued there, and the rules pass leaves a queued patient alone.
                await RederiveAsync(stoppingToken);
                await RecomputeOutdatedReportsAsync(stoppingToken);
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                LogFailed(logger, failure.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fact state: re-deriving facts kept under another mapping version (now {Version})")]
    private static partial void LogStarted(ILogger logger, string version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fact state: {Count} resources re-derived under mapping version {Version}; {Patients} patients queued for a recompute")]
    private static partial void LogDone(ILogger logger, int count, int patients, string version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rules version: {Patients} patients whose stored report another rules version computed queued for a recompute (now {Version})")]
    private static partial void LogRulesRecompute(ILogger logger, int patients, string version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fact state re-derivation failed ({Failure}); will retry")]
    private static partial void LogFailed(ILogger logger, string failure);
}

using Microsoft.EntityFrameworkCore;
using NetCds.Domain.Engine;
using NetCds.Fhir;
using NetCds.Fhir.Mapping;
using NetCds.Fhir.Reporting;
using NetCds.Service.Messaging.Contracts.V2;
using NetCds.Service.Ops;
using NetCds.Service.Outbox;
using NetCds.Service.Storage;

namespace NetCds.Service.Records;

/// <summary>What a recompute did (named in JSON: the operator's <c>POST /admin/recompute/{id}</c> answers with it).</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<RecomputeOutcome>))]
public enum RecomputeOutcome
{
    /// <summary>The patient's report already covers the record's generation: nothing to do.</summary>
    Covered,

    /// <summary>Nothing of the patient was ever stored, or every resource was deleted before a report was made: no report.</summary>
    NothingToEvaluate,

    /// <summary>The record changed but nothing the report shows did: the report, its revision and ETag were kept.</summary>
    Unchanged,

    /// <summary>The report was refreshed; no status changed.</summary>
    Refreshed,

    /// <summary>The report was refreshed and an <see cref="EligibilityChanged"/> was written to the outbox.</summary>
    Changed,
}

/// <summary>
/// Recomputes one patient from the stored record: what the recompute consumer, and anything else that asks for a
/// patient's report to be brought up to date, calls. Coalesced twice: while a patient's request is queued and not
/// yet taken up, further commits queue none (<see cref="PatientGenerations.TakeUpAsync"/>: 50 events for one patient
/// before its recompute starts give one message); and a request whose patient's report was already computed from the
/// record's current generation is skipped (read in the same statement that takes the request up). A request is taken up
/// only when this instance's previous recompute of the patient has ended, and after a gather when the patient's events
/// come faster than it (<see cref="RecomputeGathering"/>). One recompute per patient at a time
/// (<see cref="PatientLease"/>), so instances wait for each other instead of colliding and retrying. The report is refreshed; an <see cref="EligibilityChanged"/> is written to the outbox, in the same
/// transaction, only when a status changed, so a redelivered request announces nothing twice. The record is read as
/// its fact state held in memory and caught up from the rows written since (<see cref="PatientRecord.FactsAsync"/>,
/// issue 19): an event costs the facts of what changed, not a read, parse or settling of the whole record.
/// </summary>
public sealed class EligibilityRecompute(StoreContext store, PatientRecord record, FhirEvaluation evaluation, OutboxSignal signal, RecomputeProbe probe, RecomputeGathering gathering, StoreWriteTurn writeTurn, PatientWrites patientWrites, TimeProvider clock)
{
    /// <summary>
    /// Brings <paramref name="patient"/>'s report up to date. <paramref name="generation"/> is the record generation
    /// the request was queued for; null (an operator's request, a replay) always recomputes. A queued request first
    /// waits out the gather (<see cref="IngestionOptions.RecomputeGather"/>).
    /// </summary>
    public Task<RecomputeOutcome> RecomputeAsync(string patient, long? generation, DateTimeOffset requestedAt, CancellationToken cancellationToken) =>
        RecomputeAsync(patient, generation, requestedAt, gather: true, cancellationToken);

    /// <summary>
    /// As <see cref="RecomputeAsync(string, long?, DateTimeOffset, CancellationToken)"/>; <paramref name="gather"/>:
    /// whether a queued request first waits out the gather (<see cref="IngestionOptions.RecomputeGather"/>); a backfill
    /// closing its window does not (issue 19, deliverable 8): its parts are all committed, nothing is left to join, and
    /// the gather's 500 ms per patient, paid one patient after another, was most of a 200-patient import's time.
    /// </summary>
    public async Task<RecomputeOutcome> RecomputeAsync(string patient, long? generation, DateTimeOffset requestedAt, bool gather, CancellationToken cancellationToken)
    {
        // A queued request waits for this instance's running recompute of the patient (its turn, held to the end),
        // then out the gather if the patient's events come faster than it (RecomputeGathering, issue 19).
        long? wanted = null;
        await using var turn = generation is null ? null : await gathering.TakeTurnAsync(patient, cancellationToken);
        if (generation is not null)
        {
            var wait = gather ? gathering.WaitFor(patient, requestedAt, clock.GetUtcNow()) : TimeSpan.Zero;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, clock, cancellationToken);
            }

            // From here on a commit for this patient queues a recompute of its own; every commit before is seen below.
            gathering.TookUp(patient, clock.GetUtcNow());
            long current;
            long? reported;
            // The take-up is a write: on the embedded store it waits its turn (StoreWriteTurn), not SQLite's lock.
            using (await writeTurn.EnterAsync(store, cancellationToken))
            {
                (current, reported) = await PatientGenerations.TakeUpAsync(store, patient, cancellationToken);
            }

            if (reported >= current)
            {
                NetCdsTelemetry.RecomputeCoalesced();
                return RecomputeOutcome.Covered;
            }

            wanted = current;
        }

        await using var lease = await PatientLease.AcquireAsync(store, patient, cancellationToken);
        // The stored report's bookkeeping only: its text is never read here.
        var stored = await store.Reports.AsNoTracking().Where(r => r.Patient == patient)
            .Select(r => new StoredReport(r.Revision, r.Generation, r.Statuses, r.RulesVersion, r.ContentHash))
            .FirstOrDefaultAsync(cancellationToken);
        if (wanted is not null && stored?.Generation >= wanted)
        {
            // Another recompute covered it while this one waited for the lease.
            NetCdsTelemetry.RecomputeCoalesced();
            return RecomputeOutcome.Covered;
        }

        // The generation is read before the resources (the one taken up above, else now): the report may see more
        // than it claims, never less.
        var reading = wanted ?? await PatientGenerations.CurrentAsync(store, patient, cancellationToken);
        var now = clock.GetUtcNow();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        // An operator's request or a replay (no generation) rebuilds the patient's fact state from the store: the way
        // back from anything written to the store behind the service's back (issue 19).
        var facts = await record.FactsAsync(patient, now, cancellationToken, rebuild: generation is null);
        // No report is made up for a patient nothing is stored for (a mistyped id, a request about another store's
        // patient): it would announce every therapy as changed. A patient whose every resource was deleted is
        // evaluated on nothing, so that the report stops showing them.
        var result = facts is null && stored is null ? null : Evaluate(facts ?? FactMapper.Merge([], patient), now, stored?.Statuses);
        NetCdsTelemetry.Evaluated("recompute", System.Diagnostics.Stopwatch.GetElapsedTime(started));
        await probe.AfterReadAsync(patient, cancellationToken);
        if (result is null)
        {
            return RecomputeOutcome.NothingToEvaluate;
        }

        var (content, statuses, changes) = (result.ContentHash, result.Statuses, result.Changes);
        if (generation is not null && stored is not null && stored.ContentHash == content && stored.Statuses == statuses && stored.RulesVersion == result.Document.RulesVersion)
        {
            // Nothing the report shows changed (an older value, a duplicate, a new value that is not the one cited):
            // the report, its revision and its ETag stay; only the generation it covers moves on (issue 19,
            // deliverable 3). An operator's request (no generation) always rewrites. The revision in the condition
            // refuses a report another writer replaced meanwhile.
            int covered;
            using (await writeTurn.EnterAsync(store, cancellationToken))
            {
                covered = await store.Reports.Where(r => r.Patient == patient && r.Revision == stored.Revision)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.Generation, reading), cancellationToken);
            }

            if (covered == 0)
            {
                throw new DbUpdateConcurrencyException($"The report changed while it was recomputed (revision {stored.Revision}).");
            }

            await lease.CommitAsync(cancellationToken);
            NetCdsTelemetry.RecomputeLagged(clock.GetUtcNow() - requestedAt);
            return RecomputeOutcome.Unchanged;
        }

        var report = new PatientReport { Patient = patient, ReportJson = "", Statuses = stored?.Statuses ?? "" };
        if (stored is null)
        {
            store.Reports.Add(report);
        }
        else
        {
            // Updated in place, on the condition that the revision read above is still the stored one.
            report.Revision = stored.Revision;
            store.Reports.Attach(report);
        }

        report.ReportJson = result.Document.ToCompactJson();
        report.ContentHash = content;
        report.Statuses = statuses;
        report.EvaluatedAt = now;
        report.RulesVersion = result.Document.RulesVersion;
        report.Generation = reading;
        report.Revision++;
        if (changes.Count > 0)
        {
            OutboxMessages.Add(store, new EligibilityChanged(patient, report.Revision, now, result.Document.RulesVersion, changes), now);
        }

        // Under way until committed: a hook call on this instance reads the stored report's revision again (issue 20).
        using var writing = patientWrites.Begin([patient]);

        // The report write takes the embedded store's writer turn: behind at most the ingestion transaction under way,
        // not behind every one that follows it (issue 19: the embedded Bundle drain).
        using (await writeTurn.EnterAsync(store, cancellationToken))
        {
            await store.SaveChangesAsync(cancellationToken);
        }

        await lease.CommitAsync(cancellationToken);
        writing.Dispose();
        signal.Notify();
        NetCdsTelemetry.RecomputeLagged(clock.GetUtcNow() - requestedAt);
        foreach (var change in changes)
        {
            NetCdsTelemetry.StatusChanged(change.Therapy, change.Current);
        }

        return changes.Count > 0 ? RecomputeOutcome.Changed : RecomputeOutcome.Refreshed;
    }

    /// <summary>
    /// What <see cref="PatientReport.Statuses"/> holds for an evaluation: THERAPY=status pairs in catalogue order. The CDS
    /// cards compare their own evaluation with it to name the stored report's revision (issue 20).
    /// </summary>
    public static string StatusesOf(Evaluation result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return string.Join(',', result.Report.Assessments.Select(a => $"{a.Therapy.Code()}={a.Status.Code()}"));
    }

    /// <summary>
    /// The evaluation as the rest of the recompute needs it: the rendered report, its content hash, the statuses and
    /// what changed. The patient's facts and the engine's working state are left behind here, before the recompute
    /// waits for the writer's turn: held across that wait by up to <see cref="Messaging.RecomputeEligibilityConsumerDefinition.InFlight"/>
    /// recomputes at once, each patient's materialized facts (about 1.5 MB at 10,000 values) outlived the young
    /// generations and were then collected from gen2, which the GC left fragmented (issue 19, deliverable 7: a heap
    /// dump under the embedded Bundle load found 206,000 live facts of waiting recomputes).
    /// </summary>
    private Evaluated? Evaluate(FactMapping facts, DateTimeOffset now, string? storedStatuses) =>
        evaluation.Evaluate(facts, now) is { } result
            ? new Evaluated(result.Document, result.Document.ContentHash(), StatusesOf(result), Changes(storedStatuses, result))
            : null;

    private sealed record Evaluated(ReportDocument Document, string ContentHash, string Statuses, List<StatusChange> Changes);

    private static List<StatusChange> Changes(string? previous, Evaluation result)
    {
        var before = (previous ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        return [.. result.Report.Assessments
            .Where(a => before.GetValueOrDefault(a.Therapy.Code()) != a.Status.Code())
            .Select(a => new StatusChange(a.Therapy.Code(), before.GetValueOrDefault(a.Therapy.Code()), a.Status.Code()))];
    }
}

/// <summary>What a recompute needs of the stored report (not its text).</summary>
internal sealed record StoredReport(int Revision, long Generation, string Statuses, string? RulesVersion, string? ContentHash);

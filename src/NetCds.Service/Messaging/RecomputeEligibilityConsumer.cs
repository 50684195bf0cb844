using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using NetCds.Domain.Engine;
using NetCds.Fhir;
using NetCds.Service.Cards;
using NetCds.Service.Messaging.Contracts.V1;
using NetCds.Service.Ops;
using NetCds.Service.Records;
using NetCds.Service.Storage;

namespace NetCds.Service.Messaging;

/// <summary>
/// Recomputes one patient from the stored record. Coalesced twice: while a patient's request is queued and not yet
/// taken up, further commits queue none (<see cref="PatientGenerations.TakeUpAsync"/>: 50 events for one patient
/// before its recompute starts give one message); and a request whose patient's report was already computed from the
/// record's current generation is skipped (read in the same statement that takes the request up). One recompute per patient at a time (<see cref="PatientLease"/>), so instances wait for each other
/// instead of colliding and retrying. The report is refreshed; an EligibilityChanged is written to the outbox, in the
/// same transaction, only when a status changed, so a redelivered request announces nothing twice. The record is
/// read as its kept fact state (<see cref="PatientRecord.FactsAsync"/>): an event costs the facts of what changed,
/// not a parse and mapping of the whole record.
/// </summary>
public sealed class RecomputeEligibilityConsumer(StoreContext store, PatientRecord record, FhirEvaluation evaluation, CardBuilder cards, OutboxSignal signal, TimeProvider clock)
    : IConsumer<RecomputeEligibility>
{
    public async Task Consume(ConsumeContext<RecomputeEligibility> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var patient = context.Message.Patient;
        var cancellationToken = context.CancellationToken;

        // From here on a commit for this patient queues a recompute of its own; every commit before is seen below.
        // A request without a generation (an operator's, a replay) always recomputes.
        var covered = false;
        long? wanted = null;
        if (context.Message.Generation is not null)
        {
            var (current, reported) = await PatientGenerations.TakeUpAsync(store, patient, cancellationToken);
            wanted = current;
            covered = reported >= current;
        }

        if (covered)
        {
            NetCdsTelemetry.RecomputeCoalesced();
            return;
        }

        await using var lease = await PatientLease.AcquireAsync(store, patient, cancellationToken);
        var report = await store.Reports.FirstOrDefaultAsync(r => r.Patient == patient, cancellationToken);
        if (wanted is not null && report?.Generation >= wanted)
        {
            // Another recompute covered it while this one waited for the lease.
            NetCdsTelemetry.RecomputeCoalesced();
            return;
        }

        // The generation is read before the resources (the one taken up above, else now): the report may see more
        // than it claims, never less.
        var generation = wanted ?? await PatientGenerations.CurrentAsync(store, patient, cancellationToken);
        var now = clock.GetUtcNow();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var facts = await record.FactsAsync(patient, now, cancellationToken);
        var result = evaluation.Evaluate(facts, now);
        NetCdsTelemetry.Evaluated("recompute", System.Diagnostics.Stopwatch.GetElapsedTime(started));
        if (result is null)
        {
            return;
        }

        var statuses = string.Join(',', result.Report.Assessments.Select(a => $"{a.Therapy.Code()}={a.Status.Code()}"));
        var reportJson = result.Document.ToJson();
        var previous = report?.Statuses;
        if (report is null)
        {
            store.Reports.Add(new PatientReport
            {
                Patient = patient,
                ReportJson = reportJson,
                Statuses = statuses,
                EvaluatedAt = now,
                RulesVersion = result.Report.RulesVersion,
                Revision = 1,
                Generation = generation,
            });
        }
        else
        {
            report.ReportJson = reportJson;
            report.Statuses = statuses;
            report.EvaluatedAt = now;
            report.RulesVersion = result.Report.RulesVersion;
            report.Generation = generation;
            report.Revision++;
        }

        var changes = Changes(previous, result);
        if (changes.Count > 0)
        {
            // No request here, so no base URL for the MDT view link: subscribers know where the service lives.
            var patientCards = cards.PatientView(result, new CardLinks("urn:netcds:cds-services", ServiceBase: null));
            Outbox.Add(store, new EligibilityChanged(patient, now, result.Report.RulesVersion, changes,
                JsonSerializer.SerializeToElement(new CdsResponse(patientCards).Cards, CdsJson.Options),
                JsonDocument.Parse(reportJson).RootElement.Clone()), now);
        }

        await store.SaveChangesAsync(cancellationToken);
        await lease.CommitAsync(cancellationToken);
        signal.Notify();
        NetCdsTelemetry.RecomputeLagged(clock.GetUtcNow() - context.Message.RequestedAt);
        foreach (var change in changes)
        {
            NetCdsTelemetry.StatusChanged(change.Therapy, change.Current);
        }
    }

    private static List<StatusChange> Changes(string? previous, Evaluation result)
    {
        var before = (previous ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        return [.. result.Report.Assessments
            .Where(a => before.GetValueOrDefault(a.Therapy.Code()) != a.Status.Code())
            .Select(a => new StatusChange(a.Therapy.Code(), before.GetValueOrDefault(a.Therapy.Code()), a.Status.Code()))];
    }
}

/// <summary>Retry and endpoint settings beside the consumer: transient faults back off and retry on fresh data.</summary>
public sealed class RecomputeEligibilityConsumerDefinition : ConsumerDefinition<RecomputeEligibilityConsumer>
{
    public RecomputeEligibilityConsumerDefinition() => EndpointName = "netcds-recompute-eligibility";

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<RecomputeEligibilityConsumer> consumerConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Exponential(8, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100));
            r.Ignore<InvalidMessageException>();
        });
        MessagingExtensions.UseQuorumQueue(endpointConfigurator);
    }
}

using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using NetCds.Domain.Engine;
using NetCds.Fhir;
using NetCds.Fhir.Input;
using NetCds.Fhir.Mapping;
using NetCds.Service.Cards;
using NetCds.Service.Messaging.Contracts.V1;
using NetCds.Service.Ops;
using NetCds.Service.Storage;

namespace NetCds.Service.Messaging;

/// <summary>
/// Recomputes one patient from the stored resources. The report is always refreshed; an EligibilityChanged is
/// written to the outbox, in the same transaction, only when a status changed. A redelivered message finds the
/// statuses unchanged and publishes nothing, so a change is announced once. Two instances racing on one patient
/// collide on the report's revision; the loser retries on fresh data.
/// </summary>
public sealed class RecomputeEligibilityConsumer(StoreContext store, FhirEvaluation evaluation, CardBuilder cards, OutboxSignal signal, TimeProvider clock)
    : IConsumer<RecomputeEligibility>
{
    public async Task Consume(ConsumeContext<RecomputeEligibility> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var patient = context.Message.Patient;
        var cancellationToken = context.CancellationToken;
        // The report (and its revision) is read before the resources: a recompute that commits after this read makes
        // our save conflict and retry on fresh data, so a slower recompute of older data never overwrites a newer report.
        var report = await store.Reports.FirstOrDefaultAsync(r => r.Patient == patient, cancellationToken);
        var resources = await LoadAsync(patient, cancellationToken);
        var now = clock.GetUtcNow();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = evaluation.Evaluate(resources, now, patient);
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
            store.Reports.Add(report = new PatientReport { Patient = patient, ReportJson = reportJson, Statuses = statuses, EvaluatedAt = now, Revision = 1 });
        }
        else
        {
            report.ReportJson = reportJson;
            report.Statuses = statuses;
            report.EvaluatedAt = now;
            report.Revision++;
        }

        if (previous != statuses)
        {
            var before = (previous ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
            var changes = result.Report.Assessments
                .Where(a => before.GetValueOrDefault(a.Therapy.Code()) != a.Status.Code())
                .Select(a => new StatusChange(a.Therapy.Code(), before.GetValueOrDefault(a.Therapy.Code()), a.Status.Code()))
                .ToList();
            // No request here, so no base URL for the MDT view link: subscribers know where the service lives.
            var patientCards = cards.PatientView(result, new CardLinks("urn:netcds:cds-services", ServiceBase: null));
            Outbox.Add(store, new EligibilityChanged(patient, now, result.Report.RulesVersion, changes,
                JsonSerializer.SerializeToElement(new CdsResponse(patientCards).Cards, CdsJson.Options),
                JsonDocument.Parse(reportJson).RootElement.Clone()), now);
        }

        await store.SaveChangesAsync(cancellationToken);
        signal.Notify();
        NetCdsTelemetry.RecomputeLagged(clock.GetUtcNow() - context.Message.RequestedAt);
        if (previous != statuses)
        {
            foreach (var assessment in result.Report.Assessments)
            {
                if (!(previous ?? "").Split(',').Contains($"{assessment.Therapy.Code()}={assessment.Status.Code()}"))
                {
                    NetCdsTelemetry.StatusChanged(assessment.Therapy.Code(), assessment.Status.Code());
                }
            }
        }
    }

    /// <summary>The patient's stored resources, and the Medications they reference.</summary>
    private async Task<List<SourcedResource>> LoadAsync(string patient, CancellationToken cancellationToken)
    {
        var rows = await store.Resources.AsNoTracking().Where(r => r.Patient == patient && !r.Deleted && r.Json != null).ToListAsync(cancellationToken);
        var resources = rows.Select(r => FhirInput.Parse(r.Json!).Resource).OfType<Hl7.Fhir.Model.Resource>().ToList();
        var medicationIds = resources.Select(r => r switch
        {
            Hl7.Fhir.Model.MedicationStatement m => (m.Medication as Hl7.Fhir.Model.ResourceReference)?.Reference,
            Hl7.Fhir.Model.MedicationRequest m => (m.Medication as Hl7.Fhir.Model.ResourceReference)?.Reference,
            _ => null,
        }).OfType<string>().Where(r => r.StartsWith("Medication/", StringComparison.Ordinal)).Select(r => r["Medication/".Length..]).Distinct().ToList();
        if (medicationIds.Count > 0)
        {
            var medications = await store.Resources.AsNoTracking().Where(r => r.ResourceType == "Medication" && medicationIds.Contains(r.ResourceId) && !r.Deleted).ToListAsync(cancellationToken);
            resources.AddRange(medications.Select(m => FhirInput.Parse(m.Json!).Resource).OfType<Hl7.Fhir.Model.Resource>());
        }

        return [.. resources.Select(r => new SourcedResource(r, $"{r.TypeName}/{r.Id}"))];
    }
}

/// <summary>Retry and endpoint settings beside the consumer: transient faults back off; a conflict retries on fresh data.</summary>
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

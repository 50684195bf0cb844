using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NetCds.Domain.Engine;
using NetCds.Fhir;
using NetCds.Fhir.Input;
using NetCds.Fhir.Mapping;
using NetCds.Service.Messaging;
using NetCds.Service.Storage;
using NetCds.Service.Tests.Broker.Support;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests.Broker;

/// <summary>Two service instances on one PostgreSQL database and one RabbitMQ, competing on the recompute queue.</summary>
[Collection("RabbitMq")]
public sealed class CompetingInstancesTests
{
    private const int Patients = 10;
    private const int Events = 1000;

    private static string RecomputeQueue => ((IConsumerDefinition)new RecomputeEligibilityConsumerDefinition()).GetEndpointName(DefaultEndpointNameFormatter.Instance);

    /// <summary>A bilirubin result; the values cross the embolization limits (2 and 3 mg/dL) so statuses change now and then.</summary>
    private static string Bilirubin(string patient, int index, DateTimeOffset effective)
    {
        decimal[] micromolar = [20, 25, 45, 30, 60, 22, 80, 18, 40, 70, 24];
        return new JsonObject
        {
            ["resourceType"] = "Observation",
            ["id"] = $"{patient}-bili-{index % 5}",
            ["meta"] = new JsonObject { ["versionId"] = $"{(index / 5) + 1}" },
            ["status"] = "final",
            ["category"] = new JsonArray(new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/observation-category", ["code"] = "laboratory" }) }),
            ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = "14631-6" }) },
            ["subject"] = new JsonObject { ["reference"] = $"Patient/{patient}" },
            ["effectiveDateTime"] = effective.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["valueQuantity"] = new JsonObject { ["value"] = micromolar[(index * 7 / 3) % micromolar.Length], ["unit"] = "µmol/L", ["system"] = "http://unitsofmeasure.org", ["code"] = "umol/L" },
        }.ToJsonString();
    }

    /// <summary>What one process computes from the patient's final stored resources (and the Medications they reference).</summary>
    private static async Task<string> RecomputeInProcessAsync(StoreContext store, FhirEvaluation evaluation, string patient)
    {
        var rows = await store.Resources.AsNoTracking().Where(r => r.Patient == patient && !r.Deleted && r.Json != null).ToListAsync(TestContext.Current.CancellationToken);
        var resources = rows.Select(r => FhirInput.Parse(r.Json!).Resource!).ToList();
        var medications = resources.Select(r => r switch
        {
            Hl7.Fhir.Model.MedicationStatement m => (m.Medication as Hl7.Fhir.Model.ResourceReference)?.Reference,
            Hl7.Fhir.Model.MedicationRequest m => (m.Medication as Hl7.Fhir.Model.ResourceReference)?.Reference,
            _ => null,
        }).OfType<string>().Where(r => r.StartsWith("Medication/", StringComparison.Ordinal)).Select(r => r["Medication/".Length..]).ToList();
        var referenced = await store.Resources.AsNoTracking().Where(r => r.ResourceType == "Medication" && medications.Contains(r.ResourceId) && !r.Deleted).ToListAsync(TestContext.Current.CancellationToken);
        resources.AddRange(referenced.Select(r => FhirInput.Parse(r.Json!).Resource!));
        var result = evaluation.Evaluate([.. resources.Select(r => new SourcedResource(r, $"{r.TypeName}/{r.Id}"))], TestClock.Now, patient)!;
        return string.Join(',', result.Report.Assessments.Select(a => $"{a.Therapy.Code()}={a.Status.Code()}"));
    }

    [Fact]
    public async Task Two_instances_given_1000_events_for_10_patients_end_with_the_reports_one_process_computes()
    {
        BrokerEnvironment.SkipUnlessAvailable();
        var ct = TestContext.Current.CancellationToken;
        await using var database = await PostgresDatabase.CreateAsync();
        await using var probe = await RabbitProbe.ConnectAsync();
        var announcements = await probe.BindTemporaryQueueAsync(RabbitProbe.EligibilityChangedExchange);
        await using var first = new BrokerServiceFactory(database.ConnectionString);
        using var clientA = first.CreateApiClient();
        await using var second = new BrokerServiceFactory(database.ConnectionString);
        using var clientB = second.CreateApiClient();
        HttpClient[] clients = [clientA, clientB];
        var patients = Enumerable.Range(0, Patients).Select(_ => BrokerEnvironment.NewPatientId()).ToList();
        var clock = Stopwatch.StartNew();

        // Each patient first gets the seed's Patient, Conditions and other data (on alternating instances).
        for (var p = 0; p < Patients; p++)
        {
            using var seeded = await BrokerPipelineTests.PostFhirAsync(clients[p % 2], BrokerEnvironment.Seed("10-ileal-net-g2-bilirubin-3-5", "seed-10", patients[p]));
            seeded.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        // 1,000 bilirubin results: each patient's feed in order (versions 1, 2, ... of five Observations), the ten feeds
        // at once, every event to the other instance than the one before.
        var start = TestClock.Now.AddDays(-2);
        var statuses = (await Task.WhenAll(patients.Select(async (patient, p) =>
        {
            var codes = new List<HttpStatusCode>();
            for (var index = 0; index < Events / Patients; index++)
            {
                using var response = await BrokerPipelineTests.PostFhirAsync(clients[(p + index) % 2], Bilirubin(patient, index, start.AddMinutes(index)));
                codes.Add(response.StatusCode);
            }

            return codes;
        }))).SelectMany(c => c).ToList();
        statuses.Should().HaveCount(Events);
        statuses.Should().OnlyContain(s => s == HttpStatusCode.Created || s == HttpStatusCode.OK);
        var ingested = clock.Elapsed;

        // Drained: every outbox row dispatched, nothing ready or unacknowledged on the recompute queue, reports at rest.
        var vhost = Uri.UnescapeDataString(new Uri(BrokerEnvironment.Rabbit).AbsolutePath.Trim('/'));
        // At rest means the same snapshot for a while: 0.5 s, or 3 s when rabbitmqctl cannot see unacknowledged messages.
        var previous = "";
        var unchanged = System.Diagnostics.Stopwatch.StartNew();
        var mine = patients.Select(p => $"Patient/{p}").ToList();
        await BrokerEnvironment.EventuallyAsync(
            async () =>
            {
                await using var scope = first.Services.CreateAsyncScope();
                var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
                var pending = await store.Outbox.CountAsync(m => m.DispatchedAt == null, ct);
                var revisions = await store.Reports.Where(r => mine.Contains(r.Patient)).SumAsync(r => r.Revision, ct);
                var reports = await store.Reports.CountAsync(r => mine.Contains(r.Patient), ct);
                var ready = (await probe.InspectAsync(RecomputeQueue))?.Messages;
                var listing = await BrokerEnvironment.RabbitMqCtlAsync("list_queues", "-p", string.IsNullOrEmpty(vhost) ? "/" : vhost, "name", "messages");
                var inFlight = listing?.Split('\n').Select(l => l.Split('\t')).FirstOrDefault(l => l[0] == RecomputeQueue)?[1].Trim();
                var snapshot = $"{pending}/{ready}/{inFlight}/{reports}/{revisions}";
                if (snapshot != previous)
                {
                    unchanged.Restart();
                }

                previous = snapshot;
                var quiet = pending == 0 && ready == 0 && (inFlight is null or "0") && reports == Patients
                    && unchanged.Elapsed >= TimeSpan.FromMilliseconds(listing is null ? 3000 : 500);
                return quiet ? snapshot : null;
            },
            TimeSpan.FromSeconds(50),
            "the outbox and the recompute queue to drain",
            () => $"Last seen (undispatched/ready/messages/reports/revisions): {previous}");
        var drained = clock.Elapsed;

        await using (var scope = first.Services.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
            var evaluation = scope.ServiceProvider.GetRequiredService<FhirEvaluation>();
            foreach (var patient in patients.Select(p => $"Patient/{p}"))
            {
                (await store.Resources.CountAsync(r => r.Patient == patient && r.ResourceType == "Observation", ct)).Should().Be(16 + 5);
                var report = await store.Reports.AsNoTracking().SingleAsync(r => r.Patient == patient, ct);
                var expected = await RecomputeInProcessAsync(store, evaluation, patient);
                report.Statuses.Should().Be(expected, $"the final report of {patient} must be what a single process computes from its final resources");
                var document = JsonDocument.Parse(report.ReportJson).RootElement;
                string.Join(',', document.GetProperty("assessments").EnumerateArray().Select(a => $"{a.GetProperty("therapy").GetString()}={a.GetProperty("status").GetString()}"))
                    .Should().Be(expected);
            }
        }

        // Statuses changed after the first reports. Known gap: both instances' outbox dispatchers may publish the same
        // row, so one change can arrive twice with the same MessageId; consumers must deduplicate on it.
        var announced = (await probe.DrainAsync(announcements)).Where(m => patients.Contains(m.Message.GetProperty("patient").GetString()!["Patient/".Length..])).ToList();
        var distinct = announced.Select(m => m.Envelope.GetProperty("messageId").GetString()).Distinct().Count();
        distinct.Should().BeGreaterThan(Patients, "the bilirubin values cross the limits, so statuses change after the first report");
        TestContext.Current.SendDiagnosticMessage($"1,000 events: ingested in {ingested.TotalSeconds:0.0} s, drained after {drained.TotalSeconds:0.0} s; {distinct} EligibilityChanged ({announced.Count - distinct} duplicate deliveries)");
    }
}

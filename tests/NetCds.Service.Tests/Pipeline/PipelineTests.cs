using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NetCds.Service.Messaging;
using NetCds.Service.Messaging.Contracts.V1;
using NetCds.Service.Messaging.Contracts.V2;
using NetCds.Service.Tests.Support;
using static NetCds.Service.Tests.Pipeline.PipelineSupport;

namespace NetCds.Service.Tests.Pipeline;

/// <summary>
/// Received → stored → recomputed → EligibilityChanged, on the embedded configuration (in-memory bus, SQLite):
/// the latest report, one outbox event per change and none without one, every outbox row dispatched, raw FHIR on the bus.
/// </summary>
public sealed class PipelineTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private const string Seed = "02-pancreatic-net-g2-progressive";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private IBus Bus => factory.Services.GetRequiredService<IBus>();

    private Task<List<EligibilityChanged>> ChangesInOutboxAsync(string patientId) =>
        QueryAsync(factory.Services, async s => (await s.Outbox.AsNoTracking().Where(m => m.MessageType == nameof(EligibilityChanged)).OrderBy(m => m.CreatedAt).ToListAsync(Token))
            .Select(m => JsonSerializer.Deserialize<EligibilityChanged>(m.Payload, JsonSerializerOptions.Web)!)
            .Where(m => m.Patient == $"Patient/{patientId}")
            .ToList());

    private Task<int> RevisionAsync(string patientId) =>
        QueryAsync(factory.Services, async s => (await s.Reports.AsNoTracking().SingleOrDefaultAsync(r => r.Patient == $"Patient/{patientId}", Token))?.Revision ?? 0);

    /// <summary>A temporary endpoint on the app's own bus, subscribed to <typeparamref name="T"/>: what any other consumer would see.</summary>
    private async Task<(HostReceiveEndpointHandle Handle, ConcurrentQueue<T> Seen)> ListenAsync<T>()
        where T : class
    {
        var seen = new ConcurrentQueue<T>();
        var handle = Bus.ConnectReceiveEndpoint($"test-{typeof(T).Name}-{Guid.NewGuid():N}", e => e.Handler<T>(context =>
        {
            seen.Enqueue(context.Message);
            return Task.CompletedTask;
        }));
        await handle.Ready;
        return (handle, seen);
    }

    private static JsonObject CompletePortalVeinThrombosis(string patientId) => new()
    {
        ["resourceType"] = "Observation",
        ["id"] = $"{patientId}-pvt",
        ["status"] = "final",
        ["category"] = new JsonArray(new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/observation-category", ["code"] = "imaging" }) }),
        ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://netcds.org/fhir/CodeSystem/net-findings", ["code"] = "portal-vein-status" }) },
        ["subject"] = new JsonObject { ["reference"] = $"Patient/{patientId}" },
        ["effectiveDateTime"] = TestClock.DaysAgo(30),
        ["valueCodeableConcept"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://netcds.org/fhir/CodeSystem/net-findings", ["code"] = "complete-thrombosis" }) },
    };

    [Fact]
    public async Task Before_anything_is_received_the_report_is_404_with_an_operation_outcome()
    {
        using var client = factory.CreateApiClient();

        var (status, body) = await SendAsync(client, HttpMethod.Get, $"/eligibility/never-{Guid.NewGuid():N}");

        status.Should().Be(HttpStatusCode.NotFound);
        body.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
    }

    [Fact]
    public async Task A_posted_seed_eventually_has_a_report_with_the_in_process_statuses()
    {
        using var client = factory.CreateApiClient();
        var (json, patientId) = UniqueSeed(Seed);

        (await PostAsync(client, "/fhir", json)).Status.Should().Be(HttpStatusCode.OK);

        var report = await ReportAsync(client, patientId);
        report.GetProperty("patient").GetString().Should().Be($"Patient/{patientId}");
        Statuses(report).Should().HaveCount(12).And.Equal(InProcess(factory.Services, json, report));
    }

    [Fact]
    public async Task EligibilityChanged_is_written_once_per_change_dispatched_and_seen_on_the_bus()
    {
        using var client = factory.CreateApiClient();
        var (json, patientId) = UniqueSeed(Seed);
        var (handle, seen) = await ListenAsync<EligibilityChanged>();
        try
        {
            // First POST: the first report is a change from nothing.
            await PostAsync(client, "/fhir", json);
            var first = await EventuallyAsync(() => ChangesInOutboxAsync(patientId), c => c.Count >= 1);
            first.Should().ContainSingle();
            var report = await ReportAsync(client, patientId);
            first[0].Changes.Should().HaveCount(12).And.OnlyContain(c => c.Previous == null);
            first[0].Changes.ToDictionary(c => c.Therapy, c => c.Current).Should().Equal(Statuses(report));

            // The same bundle again: nothing changed, so no recompute is needed and none is announced.
            var again = await PostAsync(client, "/fhir", json);
            Responses(again.Body).Should().AllBe("200 OK");

            // A redelivered (or extra) recompute refreshes the report without announcing anything.
            await Bus.Publish(new RecomputeEligibility($"Patient/{patientId}", TestClock.Now), Token);
            (await EventuallyAsync(() => RevisionAsync(patientId), r => r >= 2)).Should().Be(2);
            (await ChangesInOutboxAsync(patientId)).Should().ContainSingle();

            // A complete portal vein thrombosis, dated after the imaging panel, makes embolisation contraindicated.
            var pvt = CompletePortalVeinThrombosis(patientId);
            var withPvt = JsonNode.Parse(json)!;
            withPvt["entry"]!.AsArray().Add(new JsonObject { ["resource"] = pvt.DeepClone() });
            var emb = Statuses(report)["EMB"];
            emb.Should().NotBe("contraindicated", "the seed alone does not contraindicate EMB");
            (await PostAsync(client, "/fhir/Observation", pvt.ToJsonString())).Status.Should().Be(HttpStatusCode.Created);

            var changes = await EventuallyAsync(() => ChangesInOutboxAsync(patientId), c => c.Count >= 2);
            changes.Should().HaveCount(2);
            var after = await ReportAsync(client, patientId, r => Statuses(r)["EMB"] == "contraindicated");
            changes[1].Changes.Should().ContainEquivalentOf(new StatusChange("EMB", emb, "contraindicated"));
            var expected = InProcess(factory.Services, withPvt.ToJsonString(), after);
            Statuses(after).Should().Equal(expected);
            changes[1].Changes.Should().OnlyContain(c => c.Previous != c.Current && expected[c.Therapy] == c.Current);
            changes.Select(c => c.Revision).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
            changes[1].Revision.Should().Be(await RevisionAsync(patientId), "the event names the revision of the report it announces");

            // Every outbox row is dispatched, and a consumer on the bus saw both events, once each.
            var pending = await EventuallyAsync(() => QueryAsync(factory.Services, s => s.Outbox.CountAsync(m => m.DispatchedAt == null, Token)), n => n == 0);
            pending.Should().Be(0);
            var delivered = await EventuallyAsync(() => Task.FromResult(seen.Where(m => m.Patient == $"Patient/{patientId}").ToList()), m => m.Count >= 2);
            delivered.Select(m => m.Changes.Count).Should().Equal(changes.Select(c => c.Changes.Count));
            delivered[1].Changes.Should().ContainEquivalentOf(new StatusChange("EMB", emb, "contraindicated"));
        }
        finally
        {
            await handle.StopAsync(Token);
        }
    }

    [Fact]
    public async Task Raw_fhir_published_on_the_bus_is_stored_and_computed()
    {
        using var client = factory.CreateApiClient();
        var (json, patientId) = UniqueSeed(Seed);

        await Bus.Publish(new FhirResourceSubmitted(json, "integration-engine"), Token);

        var report = await ReportAsync(client, patientId);
        Statuses(report).Should().Equal(InProcess(factory.Services, json, report));
        (await RowAsync(factory.Services, "Patient", patientId)).Should().NotBeNull();
    }

    [Theory]
    [InlineData("malformed")]
    [InlineData("invalid")]
    public async Task Invalid_fhir_on_the_bus_stores_nothing_and_the_consumer_faults_with_the_reason(string kind)
    {
        using var client = factory.CreateApiClient();
        var id = $"bad{Guid.NewGuid():N}"[..20];
        var json = kind == "malformed"
            ? $"{{\"resourceType\":\"Observation\",\"id\":\"{id}\",\"status\":"
            : $"{{\"resourceType\":\"Observation\",\"id\":\"{id}\",\"status\":\"bogus\",\"code\":{{\"text\":\"x\"}},\"subject\":{{\"reference\":\"Patient/{id}\"}}}}";
        var observer = new FaultObserver();
        using var connected = Bus.ConnectConsumeObserver(observer);

        await Bus.Publish(new FhirResourceSubmitted(json), Token);

        var faults = await EventuallyAsync(() => Task.FromResult(observer.Faults.Where(f => f.Json == json).ToList()), f => f.Count > 0);
        var fault = faults.Should().ContainSingle().Subject;
        fault.Exception.Should().BeOfType<InvalidMessageException>().Which.Message.Should().StartWith("Invalid FHIR");
        if (kind == "invalid")
        {
            fault.Exception.Message.Should().Contain("Observation.status");
        }

        (await RowAsync(factory.Services, "Observation", id)).Should().BeNull();
        (await SendAsync(client, HttpMethod.Get, $"/eligibility/{id}")).Status.Should().Be(HttpStatusCode.NotFound);
    }

    /// <summary>Sees every consumer fault on the app's bus (the in-memory transport then moves the message to its _error queue).</summary>
    private sealed class FaultObserver : IConsumeObserver
    {
        public ConcurrentQueue<(string Json, Exception Exception)> Faults { get; } = new();

        public Task PreConsume<T>(ConsumeContext<T> context)
            where T : class => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context)
            where T : class => Task.CompletedTask;

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
            where T : class
        {
            if (context.Message is FhirResourceSubmitted submitted)
            {
                Faults.Enqueue((submitted.Json, exception));
            }

            return Task.CompletedTask;
        }
    }

    private static List<string> Responses(JsonElement bundle) =>
        [.. bundle.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("response").GetProperty("status").GetString()!)];
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NetCds.Service.Ingestion;
using NetCds.Service.Messaging;
using NetCds.Service.Messaging.Contracts.V1;
using NetCds.Service.Storage;
using NetCds.Service.Tests.Broker.Support;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests.Broker;

/// <summary>The event pipeline end to end on a real RabbitMQ and a real PostgreSQL (a fresh database per test).</summary>
[Collection("RabbitMq")]
public sealed class BrokerPipelineTests
{
    private const string Seed = "10-ileal-net-g2-bilirubin-3-5";
    private const string SeedPatient = "seed-10";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static string RecomputeQueue => ((IConsumerDefinition)new RecomputeEligibilityConsumerDefinition()).GetEndpointName(DefaultEndpointNameFormatter.Instance);

    private static string InboundQueue => ((IConsumerDefinition)new FhirResourceSubmittedConsumerDefinition()).GetEndpointName(DefaultEndpointNameFormatter.Instance);

    internal static async Task<HttpResponseMessage> PostFhirAsync(HttpClient client, string json, string path = "/fhir")
    {
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/fhir+json");
        return await client.PostAsync(new Uri(path, UriKind.Relative), content, TestContext.Current.CancellationToken);
    }

    internal static async Task<JsonElement?> ReportAsync(HttpClient client, string patient)
    {
        using var response = await client.GetAsync(new Uri($"/eligibility/{patient}", UriKind.Relative), TestContext.Current.CancellationToken);
        return response.StatusCode == HttpStatusCode.OK
            ? JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone()
            : null;
    }

    private static Task<JsonElement> AwaitReportAsync(HttpClient client, string patient) =>
        BrokerEnvironment.EventuallyAsync(async () => await ReportAsync(client, patient) is { } report ? (object)report : null, Timeout, $"the report of {patient}")
            .ContinueWith(t => (JsonElement)t.Result, TaskScheduler.Default);

    /// <summary>Collects EligibilityChanged messages for one patient from the bound queue until there is one.</summary>
    private static async Task<BrokerMessage> AwaitChangeAsync(RabbitProbe probe, string queue, string patient, List<BrokerMessage> seen) =>
        await BrokerEnvironment.EventuallyAsync(
            async () =>
            {
                seen.AddRange(await probe.DrainAsync(queue));
                return seen.FirstOrDefault(m => m.Message.GetProperty("patient").GetString() == $"Patient/{patient}");
            },
            Timeout,
            $"an EligibilityChanged for {patient}");

    [Fact]
    public async Task A_bundle_posted_over_HTTP_is_queued_stored_and_announced_as_EligibilityChanged()
    {
        BrokerEnvironment.SkipUnlessAvailable();
        await using var database = await PostgresDatabase.CreateAsync();
        await using var probe = await RabbitProbe.ConnectAsync();
        var changes = await probe.BindTemporaryQueueAsync(RabbitProbe.EligibilityChangedExchange);
        await using var service = new BrokerServiceFactory(database.ConnectionString);
        using var client = service.CreateApiClient();
        var patient = BrokerEnvironment.NewPatientId();

        using var posted = await PostFhirAsync(client, BrokerEnvironment.Seed(Seed, SeedPatient, patient));

        posted.StatusCode.Should().Be(HttpStatusCode.OK);
        var report = await AwaitReportAsync(client, patient);
        report.GetProperty("patient").GetString().Should().Be($"Patient/{patient}");
        var statuses = report.GetProperty("assessments").EnumerateArray().ToDictionary(a => a.GetProperty("therapy").GetString()!, a => a.GetProperty("status").GetString()!);
        statuses.Should().NotBeEmpty();

        var changed = (await AwaitChangeAsync(probe, changes, patient, [])).Message;
        var announced = changed.GetProperty("changes").EnumerateArray().ToList();
        announced.Should().HaveCount(statuses.Count, "a first report changes every therapy from nothing");
        announced.Should().OnlyContain(c => c.GetProperty("previous").ValueKind == JsonValueKind.Null);
        announced.ToDictionary(c => c.GetProperty("therapy").GetString()!, c => c.GetProperty("current").GetString()!).Should().BeEquivalentTo(statuses);
        changed.TryGetProperty("report", out _).Should().BeFalse("the event is thin: the report is read from the API");
        changed.TryGetProperty("cards", out _).Should().BeFalse();
        changed.GetProperty("rulesVersion").GetString().Should().Be(report.GetProperty("rulesVersion").GetString());
        using (var current = await client.GetAsync(new Uri($"/eligibility/{patient}", UriKind.Relative), TestContext.Current.CancellationToken))
        {
            current.Headers.ETag!.ToString().Should().Be($"W/\"{changed.GetProperty("revision").GetInt32()}\"", "the event names the revision the API serves");
        }

        await using var scope = service.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
        store.Should().BeOfType<PostgreSqlStoreContext>();
        (await store.Resources.CountAsync(r => r.Patient == $"Patient/{patient}", TestContext.Current.CancellationToken)).Should().BeGreaterThan(10);
    }

    [Fact]
    public async Task The_same_bundle_twice_announces_one_change_only()
    {
        BrokerEnvironment.SkipUnlessAvailable();
        await using var database = await PostgresDatabase.CreateAsync();
        await using var probe = await RabbitProbe.ConnectAsync();
        var changes = await probe.BindTemporaryQueueAsync(RabbitProbe.EligibilityChangedExchange);
        await using var service = new BrokerServiceFactory(database.ConnectionString);
        using var client = service.CreateApiClient();
        var patient = BrokerEnvironment.NewPatientId();
        var bundle = BrokerEnvironment.Seed(Seed, SeedPatient, patient);
        using var first = await PostFhirAsync(client, bundle);
        var seen = new List<BrokerMessage>();
        await AwaitChangeAsync(probe, changes, patient, seen);
        using var second = await PostFhirAsync(client, bundle);
        second.StatusCode.Should().Be(HttpStatusCode.OK);

        // Whatever the second bundle caused is done once the record's last generation has its report, no recompute is
        // queued and the outbox has sent everything (a change event is written with the report): then drain once more.
        await Eventually.UntilAsync(() => SettledAsync(service.Services, $"Patient/{patient}"), "the second bundle's work to settle and the outbox to drain");
        seen.AddRange(await probe.DrainAsync(changes));

        seen.Where(m => m.Message.GetProperty("patient").GetString() == $"Patient/{patient}").Should().ContainSingle();
    }

    private static async Task<bool> SettledAsync(IServiceProvider services, string patient)
    {
        await using var scope = services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
        var ct = TestContext.Current.CancellationToken;
        var record = await store.PatientRecords.AsNoTracking().SingleAsync(r => r.Patient == patient, ct);
        var report = await store.Reports.AsNoTracking().SingleAsync(r => r.Patient == patient, ct);
        return record.PendingSince == 0 && report.Generation == record.Generation && !await store.Outbox.AnyAsync(m => m.DispatchedAt == null, ct);
    }

    [Fact]
    public async Task The_consumer_queues_are_quorum_queues()
    {
        BrokerEnvironment.SkipUnlessAvailable();
        await using var database = await PostgresDatabase.CreateAsync();
        await using var probe = await RabbitProbe.ConnectAsync();
        await using var service = new BrokerServiceFactory(database.ConnectionString);
        using var client = service.CreateApiClient();

        foreach (var queue in new[] { RecomputeQueue, InboundQueue })
        {
            await BrokerEnvironment.EventuallyAsync(async () => await probe.InspectAsync(queue) is { Consumers: > 0 } ? queue : null, Timeout, $"a consumer on {queue}");
        }

        var vhost = new Uri(BrokerEnvironment.Rabbit).AbsolutePath.Trim('/');
        var listing = await BrokerEnvironment.RabbitMqCtlAsync("list_queues", "-p", string.IsNullOrEmpty(vhost) ? "/" : Uri.UnescapeDataString(vhost), "name", "type");
        Assert.SkipWhen(listing is null, "The queues exist and are consumed, but rabbitmqctl is not available to this user, so their type (quorum) could not be read.");
        var types = listing!.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('\t', StringSplitOptions.TrimEntries))
            .Where(l => l.Length == 2)
            .ToDictionary(l => l[0], l => l[1]);
        types.Should().Contain(RecomputeQueue, "quorum");
        types.Should().Contain(InboundQueue, "quorum");
    }

    [Fact]
    public async Task An_invalid_FHIR_message_goes_straight_to_the_error_queue_with_its_reason()
    {
        BrokerEnvironment.SkipUnlessAvailable();
        await using var database = await PostgresDatabase.CreateAsync();
        await using var probe = await RabbitProbe.ConnectAsync();
        await using var service = new BrokerServiceFactory(database.ConnectionString);
        using var client = service.CreateApiClient();
        var patient = BrokerEnvironment.NewPatientId();
        var json = $$"""{"resourceType":"Patient","id":"{{patient}}","birthDate":"1956-08-08" """;

        await service.Services.GetRequiredService<IBus>().Publish(new FhirResourceSubmitted(json, "broker-test"), TestContext.Current.CancellationToken);

        var dead = await BrokerEnvironment.EventuallyAsync(
            () => probe.TakeAsync($"{InboundQueue}_error", m => m.Message.GetProperty("json").GetString() == json),
            Timeout,
            $"the message in {InboundQueue}_error");
        dead.Headers.Should().ContainKey("MT-Fault-ExceptionType").WhoseValue.Should().Be(typeof(InvalidMessageException).FullName);
        dead.Headers.Should().ContainKey("MT-Fault-Message").WhoseValue.Should().StartWith("Invalid FHIR");
        if (dead.Headers.TryGetValue("MT-Fault-RetryCount", out var retries))
        {
            retries.Should().Be("0", "an invalid message is never retried");
        }

        await using var scope = service.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
        (await store.Resources.AnyAsync(TestContext.Current.CancellationToken)).Should().BeFalse();
        (await store.Outbox.AnyAsync(TestContext.Current.CancellationToken)).Should().BeFalse();
        (await ReportAsync(client, patient)).Should().BeNull();
    }
}

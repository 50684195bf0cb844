using System.Net;
using System.Text;
using NetCds.Service.Tests.Broker.Support;
using NetCds.Service.Tests.Support;
using RabbitMQ.Client;

namespace NetCds.Service.Tests.Broker;

/// <summary>An integration engine publishes plain FHIR JSON (no MassTransit envelope) to the documented exchange.</summary>
[Collection("RabbitMq")]
public sealed class RawExchangeTests
{
    private const string Exchange = "netcds-fhir-raw";

    /// <summary>
    /// Publishes once the service's endpoint consumes from its queue, with publisher confirms and <c>mandatory</c>,
    /// so the test never depends on how quickly MassTransit declares its topology on a fresh broker: a message the
    /// broker could not route (exchange or binding not there yet) comes back as an error instead of vanishing.
    /// </summary>
    private static async Task PublishRawAsync(RabbitProbe probe, string body)
    {
        var ct = TestContext.Current.CancellationToken;
        await BrokerEnvironment.EventuallyAsync(
            async () => await probe.InspectAsync(Exchange) is { Consumers: > 0 } ? "consuming" : null,
            TimeSpan.FromSeconds(60),
            $"a consumer on the {Exchange} queue");

        await using var connection = await new ConnectionFactory { Uri = new Uri(BrokerEnvironment.Rabbit) }.CreateConnectionAsync(ct);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent };
        await channel.BasicPublishAsync(Exchange, "", mandatory: true, properties, Encoding.UTF8.GetBytes(body), ct);
    }

    [Fact]
    public async Task A_raw_FHIR_bundle_on_the_exchange_is_stored_and_evaluated()
    {
        BrokerEnvironment.SkipUnlessAvailable();
        await using var database = await PostgresDatabase.CreateAsync();
        await using var service = new BrokerServiceFactory(database.ConnectionString);
        using var client = service.CreateApiClient();
        await using var probe = await RabbitProbe.ConnectAsync();
        var patient = BrokerEnvironment.NewPatientId();

        await PublishRawAsync(probe, BrokerEnvironment.Seed("02-pancreatic-net-g2-progressive", "seed-02", patient));

        var report = await BrokerEnvironment.EventuallyAsync(
            async () => await BrokerPipelineTests.ReportAsync(client, patient) is { } found ? (object)found : null,
            TimeSpan.FromSeconds(90),
            $"the report of {patient}");
        ((System.Text.Json.JsonElement)report).GetProperty("patient").GetString().Should().Be($"Patient/{patient}");
    }

    [Fact]
    public async Task Raw_JSON_that_is_not_FHIR_lands_in_the_raw_error_queue_with_its_reason()
    {
        BrokerEnvironment.SkipUnlessAvailable();
        await using var database = await PostgresDatabase.CreateAsync();
        await using var service = new BrokerServiceFactory(database.ConnectionString);
        using var client = service.CreateApiClient();
        await using var probe = await RabbitProbe.ConnectAsync();
        var marker = Guid.NewGuid().ToString("N");

        await PublishRawAsync(probe, $$"""{"resourceType":"Observation","status":"bogus-{{marker}}"}""");

        var dead = await BrokerEnvironment.EventuallyAsync(
            () => probe.TakeAsync(Exchange + "_error", m => m.Envelope.GetRawText().Contains(marker, StringComparison.Ordinal)),
            TimeSpan.FromSeconds(90),
            "the invalid message in the error queue");
        dead.Headers.Should().ContainKey("MT-Fault-Message").WhoseValue.Should().Contain("Invalid FHIR");
        using var response = await client.GetAsync(new Uri("/eligibility/none", UriKind.Relative), TestContext.Current.CancellationToken);
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}

using System.Diagnostics;
using System.Net;
using System.Text.Json;
using NetCds.Service.Tests.Broker;
using NetCds.Service.Tests.Broker.Support;

namespace NetCds.Service.Tests.Ops;

/// <summary>Readiness follows the broker: RabbitMQ stopped turns /health/ready to 503 naming it, and back to 200 once it returns.</summary>
[Collection("RabbitMq")]
public sealed class BrokerHealthTests
{
    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone());
    }

    [Fact]
    public async Task Stopping_RabbitMQ_turns_ready_to_503_naming_the_broker_within_5_s_and_back_to_200_after()
    {
        BrokerEnvironment.SkipUnlessAvailable();
        await using var database = await PostgresDatabase.CreateAsync();
        await using var service = new BrokerServiceFactory(database.ConnectionString);
        using var client = service.CreateClient();
        await BrokerEnvironment.EventuallyAsync(async () => (await ReadyAsync(client)) is { Status: HttpStatusCode.OK } r ? (object)r.Body : null, TimeSpan.FromSeconds(60), "ready with the broker up");
        var (_, up) = await ReadyAsync(client);
        up.GetProperty("checks").EnumerateObject().Select(c => c.Name).Should().Contain(["store", "broker", "outbox"]);

        var downFor = TimeSpan.Zero;
        try
        {
            await BrokerRestartTests.RabbitAsync("down");
            var stopped = Stopwatch.StartNew();

            // The bound: within 5 s of the broker stopping.
            var down = await BrokerEnvironment.EventuallyAsync(
                async () => (await ReadyAsync(client)) is { Status: HttpStatusCode.ServiceUnavailable } r ? (object)r.Body : null,
                TimeSpan.FromSeconds(5),
                "ready to turn 503 after RabbitMQ stopped");
            downFor = stopped.Elapsed;
            ((JsonElement)down).GetProperty("failing").EnumerateArray().Select(e => e.GetString()).Should().Contain("broker");
        }
        finally
        {
            await BrokerRestartTests.RabbitAsync("up");
        }

        await BrokerEnvironment.EventuallyAsync(
            async () => (await ReadyAsync(client)) is { Status: HttpStatusCode.OK } r ? (object)r.Body : null,
            TimeSpan.FromSeconds(120),
            "ready to be 200 again once RabbitMQ is back");
        TestContext.Current.TestOutputHelper?.WriteLine($"503 seen {downFor.TotalSeconds:0.0} s after rabbitmq.sh down returned");
    }
}

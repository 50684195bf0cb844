using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetCds.Service.Tests.Broker.Support;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests.Broker;

/// <summary>RabbitMQ stopped and started again under a running service: what was accepted meanwhile still gets computed.</summary>
[Collection("RabbitMq")]
public sealed class BrokerRestartTests
{
    internal static async Task RabbitAsync(string command)
    {
        var root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "deploy", "local", "rabbitmq.sh")))
        {
            root = Path.GetDirectoryName(root);
        }

        Assert.SkipWhen(root is null, "deploy/local/rabbitmq.sh not found above the test output");
        using var script = Process.Start(new ProcessStartInfo("bash", [Path.Combine(root!, "deploy", "local", "rabbitmq.sh"), command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = script.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = script.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await script.WaitForExitAsync(TestContext.Current.CancellationToken);
        script.ExitCode.Should().Be(0, $"rabbitmq.sh {command}: {await output}{await errors}");
    }

    [Fact]
    public async Task An_event_accepted_while_the_broker_is_down_is_computed_once_it_is_back()
    {
        BrokerEnvironment.SkipUnlessAvailable();
        await using var database = await PostgresDatabase.CreateAsync();
        await using var service = new BrokerServiceFactory(database.ConnectionString);
        using var client = service.CreateApiClient();
        var patient = BrokerEnvironment.NewPatientId();
        using (var seeded = await BrokerPipelineTests.PostFhirAsync(client, BrokerEnvironment.Seed("02-pancreatic-net-g2-progressive", "seed-02", patient)))
        {
            seeded.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await BrokerEnvironment.EventuallyAsync(async () => await BrokerPipelineTests.ReportAsync(client, patient) is { } r ? (object)r : null, TimeSpan.FromSeconds(30), "the first report");

        try
        {
            await RabbitAsync("down");
            var bilirubin = new JsonObject
            {
                ["resourceType"] = "Observation",
                ["id"] = $"bili-{patient}",
                ["status"] = "final",
                ["subject"] = new JsonObject { ["reference"] = $"Patient/{patient}" },
                ["effectiveDateTime"] = TestClock.Now.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = "1975-2" }) },
                ["valueQuantity"] = new JsonObject { ["value"] = 3.6m, ["unit"] = "mg/dL", ["system"] = "http://unitsofmeasure.org", ["code"] = "mg/dL" },
            };

            // Accepted: the resource and its recompute are in the store's outbox, whatever the broker is doing.
            using var accepted = await BrokerPipelineTests.PostFhirAsync(client, bilirubin.ToJsonString());
            accepted.StatusCode.Should().Be(HttpStatusCode.Created);
        }
        finally
        {
            await RabbitAsync("up");
        }

        var report = await BrokerEnvironment.EventuallyAsync(
            async () => await BrokerPipelineTests.ReportAsync(client, patient) is { } r && r.GetProperty("facts").GetProperty("bilirubin").GetProperty("value").GetDecimal() == 3.6m ? (object)r : null,
            TimeSpan.FromSeconds(90),
            "the report computed with the bilirubin sent while the broker was down");
        ((JsonElement)report).GetProperty("assessments").EnumerateArray().Single(a => a.GetProperty("therapy").GetString() == "EMB")
            .GetProperty("status").GetString().Should().Be("contraindicated", "bilirubin 3.6 mg/dL is severe hepatic dysfunction (EMB-LIVER)");
    }
}

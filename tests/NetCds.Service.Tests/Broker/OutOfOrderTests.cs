using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NetCds.Service.Storage;
using NetCds.Service.Tests.Broker.Support;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests.Broker;

/// <summary>Versions arriving out of order, and duplicates, on the scale-out store (PostgreSQL) and bus (RabbitMQ).</summary>
[Collection("RabbitMq")]
public sealed class OutOfOrderTests
{
    private static string Bilirubin(string patient, decimal value, DateTimeOffset lastUpdated) => new JsonObject
    {
        ["resourceType"] = "Observation",
        ["id"] = $"bili-{patient}",
        ["meta"] = new JsonObject { ["lastUpdated"] = lastUpdated.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) },
        ["status"] = "final",
        ["subject"] = new JsonObject { ["reference"] = $"Patient/{patient}" },
        ["effectiveDateTime"] = TestClock.DaysAgo(40),
        ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = "1975-2" }) },
        ["valueQuantity"] = new JsonObject { ["value"] = value, ["unit"] = "mg/dL", ["system"] = "http://unitsofmeasure.org", ["code"] = "mg/dL" },
    }.ToJsonString();

    [Fact]
    public async Task An_older_version_arriving_after_a_newer_one_changes_nothing_and_a_duplicate_is_a_no_op()
    {
        BrokerEnvironment.SkipUnlessAvailable();
        await using var database = await PostgresDatabase.CreateAsync();
        await using var service = new BrokerServiceFactory(database.ConnectionString);
        using var client = service.CreateApiClient();
        var patient = BrokerEnvironment.NewPatientId();
        // Whole seconds: meta.lastUpdated is written to the second.
        var now = TestClock.Now;
        var newer = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero).AddDays(-30);

        using var first = await BrokerPipelineTests.PostFhirAsync(client, Bilirubin(patient, 3.6m, newer));
        using var late = await BrokerPipelineTests.PostFhirAsync(client, Bilirubin(patient, 0.7m, newer.AddHours(-2)));
        using var again = await BrokerPipelineTests.PostFhirAsync(client, Bilirubin(patient, 3.6m, newer));

        first.StatusCode.Should().Be(HttpStatusCode.Created);
        late.StatusCode.Should().Be(HttpStatusCode.OK);
        again.StatusCode.Should().Be(HttpStatusCode.OK);
        await using var scope = service.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
        var row = await store.Resources.AsNoTracking().SingleAsync(r => r.ResourceType == "Observation" && r.ResourceId == $"bili-{patient}", TestContext.Current.CancellationToken);
        row.Json.Should().Contain("3.6", "the newer version stays");
        row.Version.Should().Be(newer.UtcTicks);
        var recomputes = await store.Outbox.AsNoTracking().Where(m => m.MessageType == "RecomputeEligibility").ToListAsync(TestContext.Current.CancellationToken);
        recomputes.Count(m => m.Payload.Contains(patient, StringComparison.Ordinal)).Should().Be(1, "neither the late older copy nor the duplicate changed anything to recompute");
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using NetCds.Cli;
using NetCds.Service.Tests.Broker;
using NetCds.Service.Tests.Broker.Support;
using NetCds.Service.Tests.Support;
using RabbitMQ.Client;

namespace NetCds.Service.Tests.Ops;

/// <summary>
/// A message dead-lettered because its Observation's code is not in the terminology map is seen from the CLI and the
/// admin API, then replayed from the CLI once the site has added the code, and processed.
/// </summary>
[Collection("RabbitMq")]
public sealed class DeadLetterReplayTests
{
    private const string LocalSystem = "http://lab.site.example/codes";
    private const string LocalCode = "BILI-T";

    private static WebApplicationFactoryBase Service(string store, string? siteMap) => new(store, siteMap);

    private sealed class WebApplicationFactoryBase(string store, string? siteMap) : Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            ArgumentNullException.ThrowIfNull(builder);
            builder.UseSetting("Messaging:Transport", "RabbitMq");
            builder.UseSetting("ConnectionStrings:RabbitMq", BrokerEnvironment.Rabbit);
            builder.UseSetting("Storage:Provider", "PostgreSql");
            builder.UseSetting("ConnectionStrings:Store", store);
            builder.UseSetting("CdsHooks:RequireJwt", "false");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Ingestion:UnknownObservationCodes", "DeadLetter");
            if (siteMap is not null)
            {
                builder.UseSetting("Fhir:TerminologyMapPath", siteMap);
            }

            builder.TrustAuthorizationServer();
            builder.UseTestClock();
        }
    }

    private static (int Code, string Output) Cli(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CommandLine.Run(["dead-letters", .. args, "--broker", BrokerEnvironment.Rabbit], output, error, TestClock.Shared);
        return (code, output + error.ToString());
    }

    [Fact]
    public async Task A_message_dead_lettered_for_an_unknown_code_is_replayed_from_the_CLI_after_the_code_is_added_and_processed()
    {
        BrokerEnvironment.SkipUnlessAvailable();
        var ct = TestContext.Current.CancellationToken;
        await using var database = await PostgresDatabase.CreateAsync();
        var patient = BrokerEnvironment.NewPatientId();
        var messageId = Guid.NewGuid().ToString();
        var siteMap = Path.Combine(Path.GetTempPath(), $"netcds-site-map-{Guid.NewGuid():N}.json");
        try
        {
            await using (var service = Service(database.ConnectionString, siteMap: null))
            {
                using var client = service.CreateApiClient();
                using (var seeded = await BrokerPipelineTests.PostFhirAsync(client, BrokerEnvironment.Seed("02-pancreatic-net-g2-progressive", "seed-02", patient)))
                {
                    seeded.StatusCode.Should().Be(HttpStatusCode.OK);
                }

                await BrokerEnvironment.EventuallyAsync(async () => await BrokerPipelineTests.ReportAsync(client, patient) is { } r ? (object)r : null, TimeSpan.FromSeconds(60), "the first report");

                // A bilirubin result under the lab's local code, which the built-in map does not know.
                await using var probe = await RabbitProbe.ConnectAsync();
                await BrokerEnvironment.EventuallyAsync(async () => await probe.InspectAsync("netcds-fhir-raw") is { Consumers: > 0 } ? "consuming" : null, TimeSpan.FromSeconds(60), "a consumer on netcds-fhir-raw");
                await using (var connection = await new ConnectionFactory { Uri = new Uri(BrokerEnvironment.Rabbit) }.CreateConnectionAsync(ct))
                await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct))
                {
                    var observation = new JsonObject
                    {
                        ["resourceType"] = "Observation",
                        ["id"] = $"bili-{Guid.NewGuid():N}",
                        ["status"] = "final",
                        ["subject"] = new JsonObject { ["reference"] = $"Patient/{patient}" },
                        ["effectiveDateTime"] = TestClock.Now.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                        ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = LocalSystem, ["code"] = LocalCode }) },
                        ["valueQuantity"] = new JsonObject { ["value"] = 3.6m, ["unit"] = "mg/dL", ["system"] = "http://unitsofmeasure.org", ["code"] = "mg/dL" },
                    };
                    var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent, MessageId = messageId };
                    await channel.BasicPublishAsync("netcds-fhir-raw", "", mandatory: true, properties, Encoding.UTF8.GetBytes(observation.ToJsonString()), ct);
                }

                // Dead-lettered, and visible from the CLI with its reason and a hash of the patient (not the id).
                var listed = await BrokerEnvironment.EventuallyAsync(
                    () => Task.FromResult(Cli("list", "--limit", "100000") is { Code: 0 } r && r.Output.Contains(messageId, StringComparison.Ordinal) ? r.Output : null),
                    TimeSpan.FromSeconds(60),
                    "the message in netcds-fhir-raw_error");
                var line = listed.Split('\n').Single(l => l.Contains(messageId, StringComparison.Ordinal));
                var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"Patient/{patient}")))[..16];
                line.Should().Contain("netcds-fhir-raw_error").And.Contain(hash).And.Contain($"{LocalSystem}|{LocalCode}").And.NotContain(patient);
                var (shown, details) = Cli("show", messageId);
                shown.Should().Be(0);
                details.Should().Contain("InvalidMessageException").And.Contain("first failure:  20").And.NotContain(patient);

                // The admin API shows the same, to a caller with the admin scope only.
                using var anonymousClient = service.CreateClient();
                using var anonymous = await anonymousClient.GetAsync(new Uri($"/admin/dead-letters/{messageId}", UriKind.Relative), ct);
                anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
                using var notAdmin = new HttpRequestMessage(HttpMethod.Get, new Uri($"/admin/dead-letters/{messageId}", UriKind.Relative));
                notAdmin.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AuthorizationServer.Token("system/*.read system/*.write"));
                using (var forbidden = await client.SendAsync(notAdmin, ct))
                {
                    forbidden.StatusCode.Should().Be(HttpStatusCode.Forbidden);
                }

                using var admin = new HttpRequestMessage(HttpMethod.Get, new Uri($"/admin/dead-letters/{messageId}", UriKind.Relative));
                admin.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AuthorizationServer.Token("system/*.read netcds.admin"));
                using var shownByApi = await client.SendAsync(admin, ct);
                shownByApi.StatusCode.Should().Be(HttpStatusCode.OK);
                var letter = JsonDocument.Parse(await shownByApi.Content.ReadAsStringAsync(ct)).RootElement;
                letter.GetProperty("patientHash").GetString().Should().Be(hash);
                letter.GetProperty("exceptionType").GetString().Should().Contain("InvalidMessageException");
            }

            // The site adds its code to its terminology map and restarts the service; then the operator replays.
            await File.WriteAllTextAsync(siteMap, $$$"""{"observations":{"Bilirubin":["{{{LocalSystem}}}|{{{LocalCode}}}"]}}""", ct);
            await using var fixedService = Service(database.ConnectionString, siteMap);
            using var fixedClient = fixedService.CreateApiClient();
            await using (var probe = await RabbitProbe.ConnectAsync())
            {
                await BrokerEnvironment.EventuallyAsync(async () => await probe.InspectAsync("netcds-fhir-raw") is { Consumers: > 0 } ? "consuming" : null, TimeSpan.FromSeconds(60), "a consumer on netcds-fhir-raw");
            }

            var (replayed, replayOutput) = Cli("replay", messageId);
            replayed.Should().Be(0, replayOutput);
            replayOutput.Should().Contain("1 dead letter(s) replayed");

            var report = await BrokerEnvironment.EventuallyAsync(
                async () => await BrokerPipelineTests.ReportAsync(fixedClient, patient) is { } r && r.GetProperty("facts").TryGetProperty("bilirubin", out var b) && b.GetProperty("value").GetDecimal() == 3.6m ? (object)r : null,
                TimeSpan.FromSeconds(60),
                "the report computed with the replayed bilirubin");
            ((JsonElement)report).GetProperty("assessments").EnumerateArray().Single(a => a.GetProperty("therapy").GetString() == "EMB")
                .GetProperty("status").GetString().Should().Be("contraindicated");
            Cli("show", messageId).Code.Should().Be(1, "a replayed message has left the error queue");
        }
        finally
        {
            File.Delete(siteMap);
        }
    }
}

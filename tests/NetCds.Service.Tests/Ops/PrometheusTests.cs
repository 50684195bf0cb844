using System.Net;
using System.Text.Json;
using NetCds.Service.Tests.CdsHooks.Support;
using NetCds.Service.Tests.Recovery;

namespace NetCds.Service.Tests.Ops;

/// <summary>
/// A real Prometheus (Debian's package, started by deploy/local/prometheus.sh) scrapes the real service's /metrics,
/// and a PromQL query returns the CDS request counter.
/// </summary>
public sealed class PrometheusTests
{
    private static string Prometheus => Environment.GetEnvironmentVariable("NETCDS_TEST_PROMETHEUS") ?? "";

    private static string Targets => Environment.GetEnvironmentVariable("NETCDS_PROMETHEUS_TARGETS") ?? "";

    [Fact]
    public async Task Prometheus_scrapes_the_service_and_a_query_returns_the_CDS_request_counter()
    {
        Assert.SkipWhen(Prometheus.Length == 0 || Targets.Length == 0, "NETCDS_TEST_PROMETHEUS is not set: run ./test.sh, or eval \"$(deploy/local/prometheus.sh up)\" first");
        var ct = TestContext.Current.CancellationToken;
        var database = Path.Combine(Path.GetTempPath(), $"netcds-prom-{Guid.NewGuid():N}.db");
        var targets = Path.Combine(Targets, $"test-{Guid.NewGuid():N}.json");
        try
        {
            using var service = await ServiceProcess.StartAsync(
                new Dictionary<string, string>
                {
                    ["Storage:Provider"] = "Sqlite",
                    ["ConnectionStrings:Store"] = $"Data Source={database}",
                    ["CdsHooks:RequireJwt"] = "false",
                    ["Demo:Enabled"] = "false",
                    ["Logging:LogLevel:Default"] = "Warning",
                },
                ct);
            using var client = new HttpClient { BaseAddress = service.BaseAddress };
            var seed = HookCalls.Seed("02-pancreatic-net-g2-progressive");
            var (response, _) = await HookCalls.PostAsync(client, "/cds-services/net-liver-mets-eligibility",
                HookCalls.Call("patient-view", HookCalls.PatientIdOf(seed), HookCalls.PrefetchFrom(seed)));
            response.StatusCode.Should().Be(HttpStatusCode.OK);

            // The exporter's own text, as Prometheus will read it.
            var exposition = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct);
            exposition.Should().Contain("netcds_cds_requests_total{").And.Contain("http_server_request_duration_seconds_bucket{");

            var instance = $"{service.BaseAddress.Host}:{service.BaseAddress.Port}";
            await File.WriteAllTextAsync(targets, $$"""[{"targets":["{{instance}}"]}]""", ct);

            using var prometheus = new HttpClient { BaseAddress = new Uri(Prometheus) };
            var query = Uri.EscapeDataString($$"""netcds_cds_requests_total{instance="{{instance}}",service="net-liver-mets-eligibility",hook="patient-view"}""");
            var last = "";
            var value = await Broker.Support.BrokerEnvironment.EventuallyAsync(
                async () =>
                {
                    last = await prometheus.GetStringAsync(new Uri($"/api/v1/query?query={query}", UriKind.Relative), ct);
                    var result = JsonDocument.Parse(last).RootElement.GetProperty("data").GetProperty("result");
                    return result.GetArrayLength() == 1 ? result[0].GetProperty("value")[1].GetString() : null;
                },
                TimeSpan.FromSeconds(90),
                "Prometheus to have scraped the CDS request counter",
                () => $"Last answer: {last}");
            double.Parse(value, System.Globalization.CultureInfo.InvariantCulture).Should().Be(1);
        }
        finally
        {
            File.Delete(targets);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(database);
        }
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests.Ops;

/// <summary>/health/live and /health/ready on the embedded default, and with a store that hangs.</summary>
public sealed class HealthTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task Ready_checks_the_store_and_the_outbox_and_answers_200()
    {
        using var client = factory.CreateClient();

        var (status, body) = await GetAsync(client, "/health/ready");

        status.Should().Be(HttpStatusCode.OK, body.ToString());
        body.GetProperty("status").GetString().Should().Be("Healthy");
        body.GetProperty("checks").EnumerateObject().Select(c => c.Name).Should().BeEquivalentTo(["store", "outbox"], "the in-memory bus is not a dependency to wait for");
        body.GetProperty("failing").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task Live_does_not_look_at_dependencies()
    {
        using var client = factory.CreateClient();

        var (status, body) = await GetAsync(client, "/health/live");

        status.Should().Be(HttpStatusCode.OK);
        body.GetProperty("checks").EnumerateObject().Should().BeEmpty();
    }

    /// <summary>A PostgreSQL address that accepts connections and never answers: the worst kind of outage.</summary>
    private sealed class HungStoreFactory(int port) : WebApplicationFactoryFor
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            ArgumentNullException.ThrowIfNull(builder);
            builder.UseSetting("Storage:Provider", "PostgreSql");
            builder.UseSetting("Storage:MigrateOnStart", "false");
            builder.UseSetting("ConnectionStrings:Store", $"Host=127.0.0.1;Port={port};Username=nobody;Password=none;Database=none;Timeout=3;Command Timeout=3");
            builder.UseSetting("Ops:HealthCheckTimeoutMilliseconds", "500");
            builder.TrustAuthorizationServer();
            builder.UseTestClock();
            builder.UseSetting("Logging:LogLevel:Default", "Critical");
        }
    }

    [Fact]
    public async Task A_store_that_hangs_makes_ready_503_naming_the_store_instead_of_hanging_the_probe()
    {
        using var blackHole = new TcpListener(IPAddress.Loopback, 0);
        blackHole.Start();
        var accepted = new List<Socket>();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                accepted.Add(await blackHole.AcceptSocketAsync());
            }
        }, TestContext.Current.CancellationToken);
        using var service = new HungStoreFactory(((IPEndPoint)blackHole.LocalEndpoint).Port);
        using var client = service.CreateClient();

        // The client would wait 100 s; the check gives up after its 500 ms timeout and readiness says why.
        var (status, body) = await GetAsync(client, "/health/ready");

        status.Should().Be(HttpStatusCode.ServiceUnavailable);
        body.GetProperty("failing").EnumerateArray().Select(e => e.GetString()).Should().Contain("store");
        body.GetProperty("checks").GetProperty("store").GetProperty("description").GetString().Should().Contain("in time");
        accepted.Should().NotBeEmpty("the store check did connect to the hung server");
    }
}

/// <summary>The real service with only the test's settings.</summary>
public class WebApplicationFactoryFor : Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>;

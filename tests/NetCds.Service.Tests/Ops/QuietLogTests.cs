using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetCds.Service.Tests.CdsHooks.Support;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests.Ops;

/// <summary>The service's own logging configuration (appsettings), not the test's: what an operator would see.</summary>
public sealed class QuietLogTests
{
    private sealed class LoggedServiceFactory(LogCapture capture, int pollMilliseconds) : ServiceFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Production");
            builder.UseSetting("Messaging:OutboxPollMilliseconds", pollMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting("Ops:OutboxMonitorSeconds", "1");
            builder.UseSetting("CdsHooks:RequireJwt", "false");
            builder.ConfigureServices(s => s.AddLogging(l => l.AddProvider(capture)));
        }
    }
    [Fact]
    public async Task An_idle_service_polls_its_outbox_without_writing_a_log_line()
    {
        using var capture = new LogCapture();
        using var factory = new LoggedServiceFactory(capture, pollMilliseconds: 20);
        using var client = factory.CreateClient();
        var database = factory.Services.GetRequiredService<IConfiguration>().GetConnectionString("Store")!["Data Source=".Length..];
        using var sql = StoreCommandLog.OnConnection(database);
        var before = capture.Entries.Count;

        // Idle: the dispatcher polls the outbox every 20 ms. Wait until it has demonstrably run SQL many times
        // (what a minute at the default 250 ms poll would do is 240 polls; 100 here is plenty to show a per-poll line).
        await Eventually.UntilAsync(() => sql.Count >= 100, "the outbox to be polled 100 times while idle");
        var idle = capture.Entries.Skip(before).ToList();
        idle.Should().BeEmpty("an idle service writes nothing per poll (EF Core commands log at Warning); got: {0}", string.Join(" / ", idle.Select(e => $"{e.Category}: {e.Text}")));
    }

    [Fact]
    public async Task Each_request_logs_one_line_with_route_status_and_duration_and_no_patient_id()
    {
        using var capture = new LogCapture();
        using var factory = new LoggedServiceFactory(capture, pollMilliseconds: 250);
        using var client = factory.CreateClient();
        const string patient = "pt-9f1e27";

        using var response = await client.GetAsync(new Uri($"/eligibility/{patient}", UriKind.Relative), TestContext.Current.CancellationToken);

        var lines = capture.Entries.Where(e => e.Category == "NetCds.Service.Ops.RequestLogging").ToList();
        lines.Should().ContainSingle();
        lines[0].Level.Should().Be(LogLevel.Information);
        lines[0].Text.Should().Contain("Method=GET").And.Contain("Route=/eligibility/{patientId}").And.Contain($"StatusCode={(int)response.StatusCode}").And.Contain("ElapsedMilliseconds=");
        // ASP.NET Core puts the request path in a logging scope; scopes are not written (Logging:Console:IncludeScopes is off).
        capture.Entries.Where(e => !e.Text.StartsWith("scope:", StringComparison.Ordinal)).Should().NotContain(e => e.Text.Contains(patient, StringComparison.Ordinal));
        factory.Services.GetRequiredService<IConfiguration>().GetValue<bool>("Logging:Console:FormatterOptions:IncludeScopes").Should().BeFalse();
        capture.Entries.Should().NotContain(e => e.Category.StartsWith("Microsoft.EntityFrameworkCore.Database", StringComparison.Ordinal) && e.Level < LogLevel.Warning);
        capture.Entries.Should().NotContain(e => e.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && e.Level < LogLevel.Warning, "the one request line replaces the framework's");
        capture.Entries.Should().NotContain(e => e.Text.Contains("SELECT", StringComparison.Ordinal));
    }
}

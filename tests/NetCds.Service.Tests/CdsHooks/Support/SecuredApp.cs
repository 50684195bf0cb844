using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetCds.Service.CdsHooks.Security;
using NetCds.Service.Storage;

namespace NetCds.Service.Tests.CdsHooks.Support;

/// <summary>
/// The system under test: a small host with <c>AddCdsHooksSecurity</c> and one CDS service behind
/// <c>RequireCdsHooksJwt</c>, on loopback, with a hand-moved clock, every log line captured, and the store (for the
/// jti replay cache): its own SQLite file unless the settings name a store, which several apps may then share.
/// </summary>
internal sealed class SecuredApp : IAsyncDisposable
{
    public const string ServicePath = "/cds-services/net-eligibility";

    /// <summary><c>Service:PublicBaseUrl</c>: where EHRs are told the service is, unlike the loopback address it is called on.</summary>
    public const string PublicBaseUrl = "https://cds.netcds.test";

    private readonly WebApplication app;
    private readonly HttpClient client;

    private readonly string? ownDatabase;

    private SecuredApp(WebApplication app, LogCapture logs, ManualClock clock, string? ownDatabase)
    {
        this.app = app;
        this.ownDatabase = ownDatabase;
        Logs = logs;
        Clock = clock;
        BaseAddress = Loopback.Address(app);
        client = new HttpClient { BaseAddress = new Uri(BaseAddress) };
    }

    public string BaseAddress { get; }

    /// <summary>The service's public URL, hence the <c>aud</c> a CDS Client must put in its token.</summary>
    public string ServiceUrl { get; } = PublicBaseUrl + ServicePath;

    public LogCapture Logs { get; }

    public ManualClock Clock { get; }

    /// <summary>The running host's services (the replay cache, the store).</summary>
    public IServiceProvider Services => app.Services;

    /// <summary>Builds the host; start-up validation throws from here.</summary>
    public static async Task<SecuredApp> StartAsync(IEnumerable<KeyValuePair<string, string?>> settings, ManualClock? clock = null)
    {
        var logs = new LogCapture();
        clock ??= new ManualClock();
        var all = settings.Append(new("Service:PublicBaseUrl", PublicBaseUrl)).ToList();
        string? ownDatabase = null;
        if (!all.Any(s => s.Key == "ConnectionStrings:Store"))
        {
            ownDatabase = Path.Combine(Path.GetTempPath(), $"netcds-jwt-{Guid.NewGuid():N}.db");
            all.Add(new("ConnectionStrings:Store", $"Data Source={ownDatabase}"));
        }

        var builder = Loopback.CreateBuilder(all);
        builder.Logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs).AddProvider(NetCds.Service.Tests.Support.RunLogScan.Logs);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.AddStore();
        builder.AddCdsHooksSecurity();

        var app = builder.Build();
        var services = app.MapGroup("/cds-services").RequireCdsHooksJwt();
        services.MapPost("/net-eligibility", (HttpContext context) => TypedResults.Ok(context.GetCdsHooksCaller()));

        try
        {
            await app.StartAsync(TestContext.Current.CancellationToken);
            await app.MigrateStoreAsync();
        }
        catch
        {
            await app.DisposeAsync();
            DeleteDatabase(ownDatabase);
            throw;
        }

        return new SecuredApp(app, logs, clock, ownDatabase);
    }

    /// <summary>Calls the CDS service as an EHR would, with the token as bearer (none when null).</summary>
    public async Task<HttpResponseMessage> CallAsync(string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ServicePath)
        {
            Content = new StringContent("""{"hook":"patient-view","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea","context":{}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await app.StopAsync(TestContext.Current.CancellationToken);
        await app.DisposeAsync();
        DeleteDatabase(ownDatabase);
    }

    private static void DeleteDatabase(string? database)
    {
        if (database is null)
        {
            return;
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { database, database + "-wal", database + "-shm" })
        {
            File.Delete(file);
        }
    }
}

using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace NetCds.Service.Tests.CdsHooks.Support;

/// <summary>An EHR's JWKS endpoint on loopback: publishes the keys it is given, counts how often it is read.</summary>
internal sealed class JwksServer : IAsyncDisposable
{
    public const string Path = "/.well-known/jwks.json";

    private readonly WebApplication app;
    private string document = """{"keys":[]}""";
    private int hits;

    private JwksServer(WebApplication app) => this.app = app;

    /// <summary>The JWKS URL, as configured for the issuer.</summary>
    public string Url { get; private set; } = "";

    public int Hits => Volatile.Read(ref hits);

    public static async Task<JwksServer> StartAsync(params EhrKey[] keys)
    {
        var app = Loopback.CreateBuilder([]).Build();
        var server = new JwksServer(app);
        server.Publish(keys);
        app.MapGet(Path, () =>
        {
            Interlocked.Increment(ref server.hits);
            return Results.Text(Volatile.Read(ref server.document), "application/json");
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        server.Url = Loopback.Address(app) + Path;
        return server;
    }

    /// <summary>Replaces the published keys (key rotation).</summary>
    public void Publish(params EhrKey[] keys) =>
        Volatile.Write(ref document, JsonSerializer.Serialize(new { keys = keys.Select(k => k.PublicJwk()) }));

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(TestContext.Current.CancellationToken);
        await app.DisposeAsync();
    }
}

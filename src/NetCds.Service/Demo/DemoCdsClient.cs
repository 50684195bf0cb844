using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NetCds.Service.Security;

namespace NetCds.Service.Demo;

/// <summary>
/// The landing page's stand-in for an EHR: a CDS client whose ES384 key is made in memory at start (never written,
/// never configured, gone at restart), trusted by the CDS Hooks JWT check only while <c>Demo:Enabled</c>. Its tokens
/// are handed out by <c>POST /demo/cds-client/token</c> only to a browser on this machine (a loopback connection with no
/// forwarding header), last a minute, and are for the patient-view service alone: the page then calls patient-view the
/// way an EHR does. A committed demo key, by contrast, would let anyone mint tokens for every demo deployment.
/// </summary>
public sealed class DemoCdsClient(IOptions<DemoOptions> demo, IOptions<ServiceOptions> service, TimeProvider clock) : ILocalTokenIssuers
{
    /// <summary>The one CDS service the demo token may call (the patient-view service, whose id the cards carry as topic).</summary>
    public const string ServiceId = Cards.CardBuilder.PatientViewServiceId;

    public const string TokenPath = "/demo/cds-client/token";

    internal static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    private readonly ECDsaSecurityKey _key = new(ECDsa.Create(ECCurve.NamedCurves.nistP384)) { KeyId = Guid.NewGuid().ToString("N") };

    /// <summary>The demo client's <c>iss</c>: under this service's public URL, so it can never equal a real EHR's.</summary>
    public string Issuer => service.Value.UrlOf("/demo/cds-client");

    /// <summary>
    /// The demo client, when <paramref name="issuer"/> is it and the demo is on (registered as an
    /// <see cref="ILocalTokenIssuers"/> by the Demo feature, so the CDS Hooks check has no demo branch); its key when
    /// <paramref name="kid"/> names it.
    /// </summary>
    public LocalIssuer? Find(string issuer, string kid) =>
        demo.Value.Enabled && string.Equals(issuer, Issuer, StringComparison.Ordinal)
            ? new LocalIssuer(Issuer, string.Equals(kid, _key.KeyId, StringComparison.Ordinal) ? [_key] : [])
            : null;

    internal string Mint()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = service.Value.UrlOf($"/cds-services/{ServiceId}"),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            Claims = new Dictionary<string, object> { ["jti"] = Guid.NewGuid().ToString("N"), ["sub"] = "netcds-landing-page" },
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.EcdsaSha384),
        });
    }
}

/// <summary><c>POST /demo/cds-client/token</c> (mapped only while <c>Demo:Enabled</c>).</summary>
public static class DemoCdsClientEndpoints
{
    public static IEndpointRouteBuilder MapDemoCdsClient(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost(DemoCdsClient.TokenPath, (HttpContext http, DemoCdsClient client) =>
        {
            if (!FromThisMachine(http))
            {
                return Results.Text("Demo CDS tokens are given to a browser on the service's own machine only.", statusCode: StatusCodes.Status403Forbidden);
            }

            http.Response.Headers.CacheControl = "no-store";
            return Results.Json(new { access_token = client.Mint(), service = $"/cds-services/{DemoCdsClient.ServiceId}", expires_in = (int)DemoCdsClient.Lifetime.TotalSeconds });
        }).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// A loopback connection with no forwarding header: behind a reverse proxy on the same machine every connection is
    /// loopback, so a request that went through one (it adds these headers) is not taken as local.
    /// </summary>
    private static bool FromThisMachine(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip)
        && !http.Request.Headers.ContainsKey("X-Forwarded-For") && !http.Request.Headers.ContainsKey("Forwarded") && !http.Request.Headers.ContainsKey("X-Real-IP");
}

/// <summary>Says at start that the demo client is trusted, so a production deployment with the demo left on is noticed.</summary>
internal sealed partial class DemoStartupReport(IOptions<DemoOptions> demo, ILogger<DemoStartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (demo.Value.Enabled)
        {
            LogDemo(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo:Enabled is true: synthetic patients are served, and the patient-view service trusts the demo CDS client (a key made at start; tokens only to browsers on this machine). Turn the demo off in production.")]
    private static partial void LogDemo(ILogger logger);
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using NetCds.Service.Tests.CdsHooks.Support;

namespace NetCds.Service.Tests.Support;

/// <summary>
/// An EHR for the SMART App Launch tests, over real HTTP on loopback: its FHIR base publishes
/// <c>.well-known/smart-configuration</c>; <c>/authorize</c> approves at once (a clinician who already chose the app)
/// and sends the browser back with a code; <c>/token</c> checks the PKCE verifier, the redirect URI and the client, then
/// answers an access token (the one the test chooses) with the launched patient.
/// </summary>
internal sealed class FakeEhr : IAsyncDisposable
{
    public const string ClientId = "netcds-mdt";

    private static readonly string[] ChallengeMethods = ["S256"];
    private static readonly string[] Capabilities = ["launch-ehr", "client-public", "context-ehr-patient"];

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Grant> _grants = new();
    private int _discoveries;
    private int _exchanges;

    private FakeEhr(WebApplication app) => _app = app;

    private sealed record Grant(string Challenge, string RedirectUri, string Patient);

    public string FhirBase { get; private set; } = "";

    /// <summary>The parameters of the last authorize request, as the browser sent them.</summary>
    public IReadOnlyDictionary<string, string> LastAuthorize { get; private set; } = new Dictionary<string, string>();

    public int Discoveries => Volatile.Read(ref _discoveries);

    /// <summary>Token requests whose code, verifier, client and redirect URI all matched.</summary>
    public int Exchanges => Volatile.Read(ref _exchanges);

    /// <param name="patient">The patient the clinician launched from.</param>
    /// <param name="issueToken">The access token for a patient (by default one the service trusts, with patient read scope).</param>
    public static async Task<FakeEhr> StartAsync(string patient, Func<string, string>? issueToken = null)
    {
        issueToken ??= p => TrustedToken(p, "launch openid fhirUser patient/*.read");
        var app = Loopback.CreateBuilder([]).Build();
        var ehr = new FakeEhr(app);
        app.MapGet("/fhir/.well-known/smart-configuration", (HttpRequest request) =>
        {
            Interlocked.Increment(ref ehr._discoveries);
            var origin = $"{request.Scheme}://{request.Host}";
            return Results.Json(new Dictionary<string, object>
            {
                ["authorization_endpoint"] = $"{origin}/authorize",
                ["token_endpoint"] = $"{origin}/token",
                ["code_challenge_methods_supported"] = ChallengeMethods,
                ["capabilities"] = Capabilities,
            });
        });
        app.MapGet("/authorize", (HttpRequest request) =>
        {
            var query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
            ehr.LastAuthorize = query;
            if (query.GetValueOrDefault("response_type") != "code" || query.GetValueOrDefault("client_id") != ClientId
                || query.GetValueOrDefault("code_challenge_method") != "S256" || !query.TryGetValue("state", out var state) || !query.ContainsKey("launch")
                || !query.TryGetValue("code_challenge", out var challenge) || !query.TryGetValue("redirect_uri", out var redirect))
            {
                return Results.BadRequest();
            }

            var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            ehr._grants[code] = new Grant(challenge, redirect, patient);
            return Results.Redirect($"{redirect}?code={code}&state={Uri.EscapeDataString(state)}");
        });
        app.MapPost("/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            if (form["grant_type"] != "authorization_code" || form["client_id"] != ClientId
                || !ehr._grants.TryRemove(form["code"].ToString(), out var grant) || grant.RedirectUri != form["redirect_uri"]
                || Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString()))) != grant.Challenge)
            {
                return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
            }

            Interlocked.Increment(ref ehr._exchanges);
            return Results.Json(new Dictionary<string, object>
            {
                ["access_token"] = issueToken(grant.Patient),
                ["token_type"] = "Bearer",
                ["expires_in"] = 300,
                ["scope"] = "launch openid fhirUser patient/*.read",
                ["patient"] = grant.Patient,
            });
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        ehr.FhirBase = Loopback.Address(app) + "/fhir";
        return ehr;
    }

    /// <summary>An RFC 9068 access token from the authorization server the test service trusts, for the service's audience.</summary>
    public static string TrustedToken(string patient, string scope) => AuthorizationServer.Sign(new TokenSpec
    {
        Issuer = AuthorizationServer.Issuer,
        Audience = AuthorizationServer.Audience,
        IssuedAt = TestClock.Now.AddSeconds(-5),
        Expires = TestClock.Now.AddMinutes(5),
        Typ = "at+jwt",
        Scope = scope,
        Subject = "Practitioner/dr-who",
        Claims = new Dictionary<string, object?> { ["patient"] = patient },
    });

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TestContext.Current.CancellationToken);
        await _app.DisposeAsync();
    }
}

using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using NetCds.Service.Tests.CdsHooks.Support;

namespace NetCds.Service.Tests.Support;

/// <summary>
/// The OAuth 2.0 authorization server the API tests trust: its JWKS served over real HTTP on loopback (the same
/// <see cref="JwksServer"/> the CDS Hooks tests use), its RFC 9068 access tokens signed with a key made at test time.
/// </summary>
internal static class AuthorizationServer
{
    public const string Issuer = "https://auth.netcds.test";

    /// <summary>The audience tokens are minted for: the test services' <c>Service:PublicBaseUrl</c>.</summary>
    public const string Audience = "http://localhost";

    /// <summary>Everything the service may do: read and write every type.</summary>
    public const string AllScopes = "system/*.read system/*.write";

    private static readonly EhrKey Key = EhrKey.Rs384("as-1");
    private static readonly Lazy<JwksServer> Jwks = new(() => JwksServer.StartAsync(Key).GetAwaiter().GetResult());

    public static string JwksUrl => Jwks.Value.Url;

    /// <summary>Trusts this server and sets the public URL the tokens are for.</summary>
    public static IWebHostBuilder TrustAuthorizationServer(this IWebHostBuilder builder) => builder
        .UseSetting("Service:PublicBaseUrl", Audience)
        .UseSetting("Api:Issuers:0:Issuer", Issuer)
        .UseSetting("Api:Issuers:0:JwksUrl", JwksUrl);

    /// <summary>
    /// A valid access token, five minutes long from <paramref name="now"/> (<see cref="TestClock.Now"/> unless given),
    /// unless <paramref name="change"/> says otherwise.
    /// </summary>
    public static string Token(string? scope = AllScopes, Func<TokenSpec, TokenSpec>? change = null, DateTimeOffset? now = null)
    {
        var issued = now ?? TestClock.Now;
        var spec = new TokenSpec
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = issued.AddSeconds(-5),
            Expires = issued.AddMinutes(5),
            Typ = "at+jwt",
            Scope = scope,
            Subject = "integration-engine",
        };
        return Jws.Sign(change is null ? spec : change(spec), Key);
    }

    /// <summary>A token from <paramref name="spec"/>, signed with this server's key (for a fake EHR that issues the service's tokens).</summary>
    public static string Sign(TokenSpec spec) => Jws.Sign(spec, Key);

    /// <summary>A client of the test service that sends a valid access token with <paramref name="scope"/>, dated by the service's clock.</summary>
    public static HttpClient CreateApiClient(this WebApplicationFactory<Program> factory, string scope = AllScopes)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var client = factory.CreateClient();
        var now = factory.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(scope, now: now));
        return client;
    }
}

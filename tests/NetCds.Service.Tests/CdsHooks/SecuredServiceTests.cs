using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using NetCds.Service.Tests.CdsHooks.Support;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests.CdsHooks;

/// <summary>The real service with its default, JWT required, trusting an EHR whose JWKS is served on loopback.</summary>
public sealed class SecuredServiceTests
{
    private const string Issuer = "https://ehr.example.org";

    /// <summary>A token as an EHR mints it: issued a moment ago, living the 5 minutes the CDS Hooks guidance allows.</summary>
    private static string Token(EhrKey key, string audience)
    {
        var issuedAt = TestClock.Now.AddSeconds(-5);
        return Jws.Sign(new TokenSpec { Issuer = Issuer, Audience = audience, IssuedAt = issuedAt, Expires = issuedAt.AddMinutes(5), Kid = key.Kid }, key);
    }

    [Fact]
    public async Task Discovery_needs_a_valid_token_by_default()
    {
        using var key = EhrKey.Rs384("k1");
        await using var jwks = await JwksServer.StartAsync(key);
        using var factory = new ServiceFactory();
        using var service = factory.WithWebHostBuilder(b => b
            .UseSetting("CdsHooks:Issuers:0:Issuer", Issuer)
            .UseSetting("CdsHooks:Issuers:0:JwksUrl", jwks.Url));
        using var client = service.CreateClient();

        using var anonymous = await client.GetAsync(new Uri("/cds-services", UriKind.Relative), TestContext.Current.CancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/cds-services", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token(key, "http://localhost/cds-services"));
        using var authenticated = await client.SendAsync(request, TestContext.Current.CancellationToken);

        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await anonymous.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Should().BeEmpty("a bare 401");
        authenticated.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_hook_call_is_answered_with_a_token_for_that_service_url_only()
    {
        using var key = EhrKey.Es384("k2");
        await using var jwks = await JwksServer.StartAsync(key);
        using var factory = new ServiceFactory();
        using var service = factory.WithWebHostBuilder(b => b
            .UseSetting("CdsHooks:Issuers:0:Issuer", Issuer)
            .UseSetting("CdsHooks:Issuers:0:JwksUrl", jwks.Url));
        using var client = service.CreateClient();
        var seed = HookCalls.Seed("02-pancreatic-net-g2-progressive");
        var call = HookCalls.Call("patient-view", HookCalls.PatientIdOf(seed), HookCalls.PrefetchFrom(seed));

        var (forService, _) = await HookCalls.PostAsync(client, "/cds-services/net-liver-mets-eligibility", call, Token(key, "http://localhost/cds-services/net-liver-mets-eligibility"));
        var (forDiscovery, _) = await HookCalls.PostAsync(client, "/cds-services/net-liver-mets-eligibility", call, Token(key, "http://localhost/cds-services"));

        forService.StatusCode.Should().Be(HttpStatusCode.OK);
        forDiscovery.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "aud must be the URL called");
    }

    [Fact]
    public async Task Each_route_group_runs_its_own_scheme_only()
    {
        // Issue 20, one authentication stack: the API's schemes never run on /cds-services (so a CDS call is not also
        // refused and logged as an API call from an unknown issuer), and the CDS Hooks scheme never runs on the API.
        using var key = EhrKey.Rs384("k3");
        await using var jwks = await JwksServer.StartAsync(key);
        var logs = new LogCapture();
        using var factory = new ServiceFactory();
        using var service = factory.WithWebHostBuilder(b => b
            .UseSetting("CdsHooks:Issuers:0:Issuer", Issuer)
            .UseSetting("CdsHooks:Issuers:0:JwksUrl", jwks.Url)
            .ConfigureLogging(logging => logging.AddProvider(logs).AddFilter<LogCapture>(null, LogLevel.Trace)));
        using var client = service.CreateClient();
        var ct = TestContext.Current.CancellationToken;

        using var cds = new HttpRequestMessage(HttpMethod.Get, new Uri("/cds-services", UriKind.Relative));
        cds.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token(key, "http://localhost/cds-services"));
        using var cdsAnswer = await client.SendAsync(cds, ct);
        cdsAnswer.StatusCode.Should().Be(HttpStatusCode.OK);
        logs.Entries.Should().NotContain(e => e.Category.Contains("JwtBearer", StringComparison.Ordinal) || e.Text.Contains("API call refused", StringComparison.Ordinal));

        using var api = new HttpRequestMessage(HttpMethod.Get, new Uri("/eligibility/scheme-1", UriKind.Relative));
        api.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token(key, "http://localhost/cds-services"));
        using var apiAnswer = await client.SendAsync(api, ct);
        apiAnswer.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "a CDS Hooks JWT is no API access token");
        logs.Entries.Should().Contain(e => e.Text.Contains("API call refused", StringComparison.Ordinal));
        logs.Refusals.Should().BeEmpty("the CDS Hooks scheme did not look at the API call");
        jwks.Hits.Should().Be(1, "only the CDS Hooks call needed the EHR's keys");

        using var version = new HttpRequestMessage(HttpMethod.Get, new Uri("/version", UriKind.Relative));
        version.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token(key, "http://localhost/cds-services"));
        using var open = await client.SendAsync(version, ct);
        open.StatusCode.Should().Be(HttpStatusCode.OK);
        logs.Entries.Count(e => e.Text.Contains("API call refused", StringComparison.Ordinal)).Should().Be(1, "an open route runs no scheme");
    }

    [Fact]
    public async Task Cors_allows_only_the_configured_origins()
    {
        using var factory = new ServiceFactory();
        using var service = factory.WithWebHostBuilder(b => b
            .UseSetting("CdsHooks:RequireJwt", "false")
            .UseSetting("CdsHooks:Cors:AllowedOrigins:0", "https://ehr.example.org"));
        using var client = service.CreateClient();

        async Task<string?> AllowedOrigin(string origin)
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, new Uri("/cds-services", UriKind.Relative));
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            using var response = await client.SendAsync(preflight, TestContext.Current.CancellationToken);
            return response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
        }

        (await AllowedOrigin("https://ehr.example.org")).Should().Be("https://ehr.example.org");
        (await AllowedOrigin("https://evil.example.com")).Should().BeNull();
    }
}

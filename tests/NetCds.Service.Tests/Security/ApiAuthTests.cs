using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetCds.Service.Tests.CdsHooks.Support;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests.Security;

/// <summary>The API (<c>/fhir</c>, <c>/eligibility</c>) takes RFC 9068 access tokens with SMART system scopes, from the test authorization server on loopback.</summary>
public sealed class ApiAuthTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private static readonly string Observation = $$$"""
        {"resourceType":"Observation","id":"auth-obs-1","status":"final","subject":{"reference":"Patient/auth-1"},"effectiveDateTime":"{{{TestClock.DaysAgo(90)}}}",
         "code":{"coding":[{"system":"http://loinc.org","code":"29593-1"}]},"valueQuantity":{"value":2,"unit":"%","system":"http://unitsofmeasure.org","code":"%"}}
        """;

    private const string Patient = """{"resourceType":"Patient","id":"auth-1","birthDate":"1960-01-01"}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StringContent Fhir(string json) => new(json, Encoding.UTF8, "application/fhir+json");

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, string? body = null)
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = body is null ? null : Fhir(body) };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await client.SendAsync(request, Ct);
    }

    public static TheoryData<string, string, string?> PatientDataRoutes => new()
    {
        { "POST", "/fhir", Observation },
        { "POST", "/fhir/Observation", Observation },
        { "PUT", "/fhir/Observation/auth-obs-1", Observation },
        { "DELETE", "/fhir/Observation/auth-obs-1", null },
        { "GET", "/eligibility/auth-1", null },
        { "POST", "/eligibility/$evaluate", Observation },
    };

    [Theory]
    [MemberData(nameof(PatientDataRoutes))]
    public async Task Without_a_token_every_write_and_every_read_of_patient_data_is_401_with_a_bearer_challenge(string method, string path, string? body)
    {
        using var response = await SendAsync(new HttpMethod(method), path, null, body);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.Select(h => h.Scheme).Should().Contain("Bearer");
    }

    [Fact]
    public async Task A_valid_token_with_write_scope_stores_and_one_with_read_scope_reads()
    {
        using var stored = await SendAsync(HttpMethod.Post, "/fhir", AuthorizationServer.Token("system/*.write"), Observation);
        using var evaluated = await SendAsync(HttpMethod.Post, "/eligibility/$evaluate?patient=auth-1", AuthorizationServer.Token("system/*.read"), Observation);

        stored.StatusCode.Should().BeOneOf(HttpStatusCode.Created, HttpStatusCode.OK);
        evaluated.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("system/*.read", "POST", "/fhir")]
    [InlineData("system/Patient.write", "POST", "/fhir")]
    [InlineData("system/Observation.cu", "DELETE", "/fhir/Observation/auth-obs-1")]
    [InlineData("system/*.write", "GET", "/eligibility/auth-1")]
    [InlineData("system/Observation.read", "POST", "/eligibility/$evaluate")]
    [InlineData("patient/*.read system/Observation.rs?category=laboratory", "POST", "/eligibility/$evaluate")]
    public async Task A_valid_token_whose_scope_falls_short_is_403(string scope, string method, string path)
    {
        using var response = await SendAsync(new HttpMethod(method), path, AuthorizationServer.Token(scope), method is "GET" or "DELETE" ? null : Observation);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("system/Observation.write")]
    [InlineData("system/Observation.cu")]
    [InlineData("system/*.cud")]
    [InlineData("system/*.cruds")]
    [InlineData("system/Observation.*")]
    public async Task Writes_take_v1_and_v2_scopes_for_the_type_written(string scope)
    {
        using var response = await SendAsync(HttpMethod.Put, "/fhir/Observation/auth-obs-1", AuthorizationServer.Token(scope), Observation);

        response.StatusCode.Should().BeOneOf(HttpStatusCode.Created, HttpStatusCode.OK);
    }

    /// <summary>An Observation of its own id (so no other test has stored it), with the value given.</summary>
    private static string ObservationWithId(string id, int value) => Observation.Replace("auth-obs-1", id, StringComparison.Ordinal).Replace("\"value\":2", $"\"value\":{value}", StringComparison.Ordinal);

    [Fact]
    public async Task SMART_v2_creating_what_is_not_stored_needs_c_and_updating_what_is_needs_u()
    {
        var stored = $"auth-cu-{Guid.NewGuid():N}"[..30];
        var fresh = $"auth-cu-{Guid.NewGuid():N}"[..30];
        var createOnly = AuthorizationServer.Token("system/Observation.c");
        var updateOnly = AuthorizationServer.Token("system/Observation.u");

        using var created = await SendAsync(HttpMethod.Post, "/fhir", createOnly, ObservationWithId(stored, 2));
        using var updateWithC = await SendAsync(HttpMethod.Put, $"/fhir/Observation/{stored}", createOnly, ObservationWithId(stored, 3));
        using var createWithU = await SendAsync(HttpMethod.Put, $"/fhir/Observation/{fresh}", updateOnly, ObservationWithId(fresh, 2));
        using var updated = await SendAsync(HttpMethod.Put, $"/fhir/Observation/{stored}", updateOnly, ObservationWithId(stored, 4));
        var mixed = $$"""{"resourceType":"Bundle","type":"batch","entry":[{"resource":{{ObservationWithId(fresh, 5)}}},{"resource":{{ObservationWithId(stored, 6)}}}]}""";
        using var mixedWithC = await SendAsync(HttpMethod.Post, "/fhir", createOnly, mixed);

        created.StatusCode.Should().Be(HttpStatusCode.Created, "creating what is not stored needs c only");
        updateWithC.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await updateWithC.Content.ReadAsStringAsync(Ct)).Should().Contain("update of Observation").And.Contain("system/Observation.u");
        createWithU.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await createWithU.Content.ReadAsStringAsync(Ct)).Should().Contain("create of Observation").And.Contain("system/Observation.c");
        updated.StatusCode.Should().Be(HttpStatusCode.OK, "updating what is stored needs u only");
        mixedWithC.StatusCode.Should().Be(HttpStatusCode.Forbidden, "one entry of the Bundle updates a stored resource");
    }

    [Fact]
    public async Task A_bundle_needs_write_scope_for_every_type_it_holds()
    {
        var bundle = $$"""{"resourceType":"Bundle","type":"batch","entry":[{"resource":{{Patient}}},{"resource":{{Observation}}}]}""";

        using var observationsOnly = await SendAsync(HttpMethod.Post, "/fhir", AuthorizationServer.Token("system/Observation.write"), bundle);
        using var both = await SendAsync(HttpMethod.Post, "/fhir", AuthorizationServer.Token("system/Observation.write system/Patient.cu"), bundle);

        observationsOnly.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await observationsOnly.Content.ReadAsStringAsync(Ct)).Should().Contain("Patient");
        both.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("another audience")]
    [InlineData("not an access token (typ JWT)")]
    [InlineData("an issuer nobody configured")]
    [InlineData("expired")]
    [InlineData("no expiry")]
    public async Task A_token_that_is_not_a_valid_access_token_for_this_service_is_401(string why)
    {
        Func<TokenSpec, TokenSpec> change = why switch
        {
            "another audience" => s => s with { Audience = "https://other-service.example.org" },
            "not an access token (typ JWT)" => s => s with { Typ = "JWT" },
            "an issuer nobody configured" => s => s with { Issuer = "https://evil.example.org" },
            "expired" => s => s with { IssuedAt = TestClock.Now.AddHours(-2), Expires = TestClock.Now.AddHours(-1) },
            _ => s => s with { Expires = null },
        };

        using var response = await SendAsync(HttpMethod.Post, "/fhir", AuthorizationServer.Token(AuthorizationServer.AllScopes, change), Observation);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, why);
        response.Headers.WwwAuthenticate.Select(h => h.Scheme).Should().Contain("Bearer");
    }

    [Fact]
    public async Task A_token_signed_by_a_key_the_authorization_server_does_not_publish_is_401()
    {
        using var stranger = EhrKey.Rs384("as-1");
        var now = TestClock.Now;
        var token = Jws.Sign(new TokenSpec { Issuer = AuthorizationServer.Issuer, Audience = AuthorizationServer.Audience, IssuedAt = now, Expires = now.AddMinutes(5), Typ = "at+jwt", Scope = AuthorizationServer.AllScopes }, stranger);

        using var response = await SendAsync(HttpMethod.Post, "/fhir", token, Observation);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_demo_routes_stay_open_while_the_demo_is_enabled()
    {
        using var response = await SendAsync(HttpMethod.Get, "/demo/seeds/02-pancreatic-net-g2-progressive/eligibility", null);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task RequireAuth_false_opens_the_API_and_says_so_loudly_at_start()
    {
        var logs = new LogCapture();
        using var open = factory.WithWebHostBuilder(b => b
            .UseSetting("Api:RequireAuth", "false")
            .ConfigureServices(s => s.AddLogging(l => l.AddProvider(logs))));

        using var client = open.CreateClient();
        using var response = await client.PostAsync(new Uri("/fhir", UriKind.Relative), Fhir(Observation), Ct);

        response.StatusCode.Should().BeOneOf(HttpStatusCode.Created, HttpStatusCode.OK);
        logs.Entries.Should().Contain(e => e.Level == LogLevel.Warning && e.Text.Contains("Api:RequireAuth is false", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a url")]
    [InlineData("ftp://cds.example.org")]
    [InlineData("https://user:pw@cds.example.org")]
    [InlineData("https://cds.example.org/?x=1")]
    public void The_service_does_not_start_without_a_valid_public_base_url(string url)
    {
        using var configured = factory.WithWebHostBuilder(b => b.UseSetting("Service:PublicBaseUrl", url));

        var start = () => configured.CreateClient();

        start.Should().Throw<Exception>().Which.ToString().Should().Contain("Service:PublicBaseUrl");
    }

    [Fact]
    public async Task Only_the_public_host_is_served()
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/demo/seeds", UriKind.Relative));
        request.Headers.Host = "attacker.example.org";

        using var response = await client.SendAsync(request, Ct);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }
}

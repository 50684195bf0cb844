using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using NetCds.Service.Tests.CdsHooks.Support;
using NetCds.Service.Tests.Support;
using static NetCds.Service.Tests.Pipeline.PipelineSupport;

namespace NetCds.Service.Tests.Mdt;

/// <summary>
/// The MDT view as a SMART on FHIR app (EHR launch), against a fake EHR on loopback: discovery, authorize with state and
/// PKCE S256, the code exchanged for a token the service trusts (<c>Api:Issuers</c>), the launched patient's view.
/// </summary>
public sealed class SmartLaunchTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private WebApplicationFactory<Program> Launchable(FakeEhr ehr) => factory.WithWebHostBuilder(b => b
        .UseSetting("Mdt:SmartLaunch:ClientId", FakeEhr.ClientId)
        .UseSetting("Mdt:SmartLaunch:AllowedIss:0", ehr.FhirBase));

    /// <summary>A browser: keeps cookies, does not follow redirects (the test follows them, across hosts).</summary>
    private static HttpClient Browser(WebApplicationFactory<Program> service) =>
        service.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private async Task<string> StoredPatientAsync()
    {
        using var api = factory.CreateApiClient();
        var (json, patientId) = UniqueSeed("02-pancreatic-net-g2-progressive");
        (await PostAsync(api, "/fhir", json)).Status.Should().Be(HttpStatusCode.OK);
        await ReportAsync(api, patientId);
        return patientId;
    }

    /// <summary>Launch, authorize at the EHR (real HTTP), and bring the code back to the service: the callback's answer.</summary>
    private static async Task<HttpResponseMessage> LaunchAsync(HttpClient browser, FakeEhr ehr, string iss)
    {
        using var launch = await browser.GetAsync(new Uri($"/mdt/launch?launch=xyz123&iss={Uri.EscapeDataString(iss)}", UriKind.Relative), Ct);
        launch.StatusCode.Should().Be(HttpStatusCode.Redirect, await launch.Content.ReadAsStringAsync(Ct));
        using var toEhr = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        using var authorized = await toEhr.GetAsync(launch.Headers.Location!, Ct);
        authorized.StatusCode.Should().Be(HttpStatusCode.Redirect, "the fake EHR approves a well-formed request");
        var callback = authorized.Headers.Location!;
        callback.GetLeftPart(UriPartial.Path).Should().Be("http://localhost/mdt/launch/callback", "the redirect URI comes from Service:PublicBaseUrl");
        return await browser.GetAsync(new Uri(callback.PathAndQuery, UriKind.Relative), Ct);
    }

    [Fact]
    public async Task An_EHR_launch_opens_the_MDT_view_of_the_launched_patient_and_of_no_other()
    {
        var patientId = await StoredPatientAsync();
        await using var ehr = await FakeEhr.StartAsync(patientId);
        using var service = Launchable(ehr);
        using var browser = Browser(service);

        using var callback = await LaunchAsync(browser, ehr, ehr.FhirBase);

        var authorize = ehr.LastAuthorize;
        authorize["launch"].Should().Be("xyz123");
        authorize["aud"].Should().Be(ehr.FhirBase);
        authorize["scope"].Split(' ').Should().Contain(["launch", "patient/*.read"]);
        authorize["code_challenge"].Should().NotBeNullOrEmpty().And.NotBe(authorize["state"]);
        ehr.Exchanges.Should().Be(1, "the code was exchanged with the PKCE verifier");
        callback.StatusCode.Should().Be(HttpStatusCode.Redirect, await callback.Content.ReadAsStringAsync(Ct));
        callback.Headers.Location!.OriginalString.Should().Be($"/mdt/{patientId}");

        using var view = await browser.GetAsync(callback.Headers.Location, Ct);
        view.StatusCode.Should().Be(HttpStatusCode.OK);
        var html = await view.Content.ReadAsStringAsync(Ct);
        html.Should().Contain($"Patient/{patientId}").And.Contain("id=\"matrix\"").And.Contain("<svg");

        using var other = await browser.GetAsync(new Uri($"/mdt/other-{Guid.NewGuid():N}"[..30], UriKind.Relative), Ct);
        other.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the launch opens its own patient only");
        using var anonymous = factory.CreateClient();
        (await anonymous.GetAsync(new Uri($"/mdt/{patientId}", UriKind.Relative), Ct)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "another browser has no session");
    }

    [Fact]
    public async Task An_iss_not_on_the_allow_list_is_refused_before_anything_is_fetched_from_it()
    {
        await using var allowed = await FakeEhr.StartAsync("p1");
        await using var stranger = await FakeEhr.StartAsync("p1");
        using var service = Launchable(allowed);
        using var browser = Browser(service);

        using var response = await browser.GetAsync(new Uri($"/mdt/launch?launch=x&iss={Uri.EscapeDataString(stranger.FhirBase)}", UriKind.Relative), Ct);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        stranger.Discoveries.Should().Be(0);
    }

    [Fact]
    public async Task A_callback_without_this_browsers_launch_cookie_is_refused_and_no_code_is_exchanged()
    {
        var patientId = await StoredPatientAsync();
        await using var ehr = await FakeEhr.StartAsync(patientId);
        using var service = Launchable(ehr);
        using var launcher = Browser(service);
        using var launch = await launcher.GetAsync(new Uri($"/mdt/launch?launch=x&iss={Uri.EscapeDataString(ehr.FhirBase)}", UriKind.Relative), Ct);
        using var toEhr = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        using var authorized = await toEhr.GetAsync(launch.Headers.Location!, Ct);

        // The link with a valid code and state, opened in another browser (login CSRF).
        using var victim = Browser(service);
        using var response = await victim.GetAsync(new Uri(authorized.Headers.Location!.PathAndQuery, UriKind.Relative), Ct);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        ehr.Exchanges.Should().Be(0);
        (await victim.GetAsync(new Uri($"/mdt/{patientId}", UriKind.Relative), Ct)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("untrusted-key")]
    [InlineData("no-patient-scope")]
    [InlineData("another-patient")]
    public async Task A_token_the_API_would_not_accept_opens_nothing(string flaw)
    {
        var patientId = await StoredPatientAsync();
        var rogue = EhrKey.Rs384("as-1");
        await using var ehr = await FakeEhr.StartAsync(patientId, p => flaw switch
        {
            "untrusted-key" => Jws.Sign(new TokenSpec
            {
                Issuer = AuthorizationServer.Issuer,
                Audience = AuthorizationServer.Audience,
                IssuedAt = TestClock.Now,
                Expires = TestClock.Now.AddMinutes(5),
                Typ = "at+jwt",
                Scope = "patient/*.read",
                Claims = new Dictionary<string, object?> { ["patient"] = p },
            }, rogue),
            "no-patient-scope" => FakeEhr.TrustedToken(p, "launch openid fhirUser"),
            _ => FakeEhr.TrustedToken("someone-else", "launch patient/*.read"),
        });
        using var service = Launchable(ehr);
        using var browser = Browser(service);

        using var callback = await LaunchAsync(browser, ehr, ehr.FhirBase);

        callback.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await browser.GetAsync(new Uri($"/mdt/{patientId}", UriKind.Relative), Ct)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Without_a_client_id_the_launch_route_says_it_is_not_set_up()
    {
        using var browser = Browser(factory);

        using var response = await browser.GetAsync(new Uri("/mdt/launch?launch=x&iss=https%3A%2F%2Fehr.example%2Ffhir", UriKind.Relative), Ct);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}

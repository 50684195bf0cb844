using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using NetCds.Service.Tests.CdsHooks.Support;

namespace NetCds.Service.Tests.Demo;

/// <summary>
/// The landing page's cards come from a real patient-view call with the demo CDS client's token: handed out only to a
/// loopback caller with no forwarding header, accepted only by the patient-view service and only while the demo is on.
/// </summary>
public sealed class DemoCdsClientTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private const string TokenPath = "/demo/cds-client/token";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The service on a real loopback port of the system's choosing, called as <c>http://localhost:port</c> (its public host).</summary>
    private WebApplicationFactory<Program> Served(string demoEnabled = "true") => factory.WithWebHostBuilder(b => b
        .UseSetting("urls", "http://127.0.0.1:0")
        .UseSetting("Demo:Enabled", demoEnabled));

    private static HttpClient OverLoopback(WebApplicationFactory<Program> service)
    {
        service.UseKestrel();
        service.StartServer();
        using var probe = service.CreateClient();
        return new HttpClient { BaseAddress = new Uri($"http://localhost:{probe.BaseAddress!.Port}") };
    }

    private static async Task<(string Token, string Service)> TokenAsync(HttpClient client)
    {
        using var response = await client.PostAsync(new Uri(TokenPath, UriKind.Relative), null, Ct);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return (body.RootElement.GetProperty("access_token").GetString()!, body.RootElement.GetProperty("service").GetString()!);
    }

    private static Task<HttpResponseMessage> PatientViewAsync(HttpClient client, string path, string token)
    {
        var seed = HookCalls.Seed("09-pancreatic-net-complete-portal-vein-thrombosis");
        var call = HookCalls.Call("patient-view", HookCalls.PatientIdOf(seed), HookCalls.PrefetchFrom(seed));
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(call.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task A_browser_on_this_machine_gets_a_token_that_calls_patient_view_once_and_nothing_else()
    {
        using var service = Served();
        using var client = OverLoopback(service);

        var (token, path) = await TokenAsync(client);
        using var answer = await PatientViewAsync(client, path, token);
        using var replay = await PatientViewAsync(client, path, token);
        using var orderSelect = await PatientViewAsync(client, "/cds-services/net-order-select", (await TokenAsync(client)).Token);

        path.Should().Be("/cds-services/net-liver-mets-eligibility");
        answer.StatusCode.Should().Be(HttpStatusCode.OK);
        using var cards = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(Ct));
        cards.RootElement.GetProperty("cards")[0].GetProperty("indicator").GetString().Should().Be("warning");
        replay.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "a demo token is a CDS Hooks JWT like any other: one use");
        orderSelect.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the token is for the patient-view service only");
    }

    [Fact]
    public async Task A_request_through_a_proxy_or_from_another_host_gets_no_token()
    {
        using var service = Served();
        using var client = OverLoopback(service);
        using var forwarded = new HttpRequestMessage(HttpMethod.Post, new Uri(TokenPath, UriKind.Relative));
        forwarded.Headers.Add("X-Forwarded-For", "203.0.113.7");

        using var viaProxy = await client.SendAsync(forwarded, Ct);
        using var inMemory = await factory.CreateClient().PostAsync(new Uri(TokenPath, UriKind.Relative), null, Ct);

        viaProxy.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        inMemory.StatusCode.Should().Be(HttpStatusCode.Forbidden, "a connection with no loopback address is not this machine");
    }

    [Fact]
    public async Task With_the_demo_off_there_is_no_token_route_and_the_demo_key_is_not_trusted()
    {
        using var on = Served();
        using var onClient = OverLoopback(on);
        var (token, path) = await TokenAsync(onClient);
        using var off = Served("false");
        using var offClient = OverLoopback(off);

        using var route = await offClient.PostAsync(new Uri(TokenPath, UriKind.Relative), null, Ct);
        using var call = await PatientViewAsync(offClient, path, token);

        route.StatusCode.Should().Be(HttpStatusCode.NotFound);
        call.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_cards_page_runs_only_the_services_own_script_under_a_content_security_policy()
    {
        using var client = factory.CreateClient();

        using var page = await client.GetAsync(new Uri("/demo/seeds/09-pancreatic-net-complete-portal-vein-thrombosis/cards", UriKind.Relative), Ct);
        using var script = await client.GetAsync(new Uri("/assets/cards.js", UriKind.Relative), Ct);

        page.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("script-src 'self';");
        var html = await page.Content.ReadAsStringAsync(Ct);
        html.Should().Contain("<script src=\"/assets/cards.js\" defer></script>");
        System.Text.RegularExpressions.Regex.Count(html, "<script").Should().Be(1, "no inline script");
        script.Content.Headers.ContentType!.MediaType.Should().Be("text/javascript");
        (await script.Content.ReadAsStringAsync(Ct)).Should().Contain(TokenPath);
    }
}

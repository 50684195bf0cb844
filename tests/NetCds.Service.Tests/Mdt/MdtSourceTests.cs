using System.Net;
using System.Net.Http.Headers;
using NetCds.Service.Tests.Support;
using static NetCds.Service.Tests.Pipeline.PipelineSupport;

namespace NetCds.Service.Tests.Mdt;

/// <summary>
/// Each plotted value on the MDT view links to its source resource, and the link resolves: the seed's own resource,
/// or the stored one, behind the view's own access check; another patient's resource is not found through it.
/// </summary>
public sealed class MdtSourceTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string path, string? token = null)
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await client.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Every_chart_point_of_a_seed_links_to_a_source_that_resolves_to_that_resource()
    {
        var (status, view) = await GetAsync("/mdt/seed-02");

        status.Should().Be(HttpStatusCode.OK);
        // The link sits on the value as written; the reference is the link's target, never its text.
        var links = System.Text.RegularExpressions.Regex.Matches(view, "<a class=\"source\" href=\"/mdt/seed-02/source/(\\w+)/([^\"]+)\">([^<]+)</a>")
            .Select(m => (Type: m.Groups[1].Value, Id: m.Groups[2].Value, Text: m.Groups[3].Value)).ToList();
        links.Should().NotBeEmpty();
        view.Split("<table class=\"points\"").Skip(1).Sum(t => t[..t.IndexOf("</table>", StringComparison.Ordinal)].Split("<tr><td>").Length - 1)
            .Should().Be(links.Count, "every plotted value has its source linked");
        links.Should().OnlyContain(l => !l.Text.Contains($"{l.Type}/", StringComparison.Ordinal));
        foreach (var (type, id, _) in links.Distinct())
        {
            var (resourceStatus, resource) = await GetAsync($"/mdt/seed-02/source/{type}/{id}");
            resourceStatus.Should().Be(HttpStatusCode.OK);
            resource.Should().Contain($"&quot;id&quot;: &quot;{id}&quot;");
        }
    }

    [Fact]
    public async Task Another_seeds_resource_is_not_found_through_this_seeds_view()
    {
        (await GetAsync("/mdt/seed-02/source/Observation/seed-09-liver-imaging")).Status.Should().Be(HttpStatusCode.NotFound);
        (await GetAsync("/mdt/seed-02/source/NotAType/x")).Status.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_stored_patients_source_needs_the_views_credential_and_stays_within_the_patient()
    {
        using var api = factory.CreateApiClient();
        var (json, patientId) = UniqueSeed("02-pancreatic-net-g2-progressive");
        var (otherJson, otherId) = UniqueSeed("09-pancreatic-net-complete-portal-vein-thrombosis");
        (await PostAsync(api, "/fhir", json)).Status.Should().Be(HttpStatusCode.OK);
        (await PostAsync(api, "/fhir", otherJson)).Status.Should().Be(HttpStatusCode.OK);
        var reader = AuthorizationServer.Token("system/Patient.read");

        var anonymous = await GetAsync($"/mdt/{patientId}/source/Observation/{patientId}-ki67");
        var shown = await GetAsync($"/mdt/{patientId}/source/Observation/{patientId}-ki67", reader);
        var crossed = await GetAsync($"/mdt/{patientId}/source/Observation/{otherId}-liver-imaging", reader);

        anonymous.Status.Should().Be(HttpStatusCode.Unauthorized);
        anonymous.Body.Should().NotContain(patientId);
        shown.Status.Should().Be(HttpStatusCode.OK);
        shown.Body.Should().Contain($"{patientId}-ki67");
        crossed.Status.Should().Be(HttpStatusCode.NotFound, "a resource of another patient is not shown through this patient's view");
    }
}

using System.Net;
using System.Net.Http.Headers;
using NetCds.Service.Tests.Support;
using static NetCds.Service.Tests.Pipeline.PipelineSupport;

namespace NetCds.Service.Tests.Security;

/// <summary>
/// The MDT view shows patient data: the synthetic demo seeds are open while the demo is on, any other patient needs
/// an access token with Patient read scope, like <c>GET /eligibility/{patientId}</c>.
/// </summary>
public sealed class MdtViewAuthTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<HttpResponseMessage> GetAsync(string path, string? token)
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task A_demo_seed_is_shown_without_a_credential()
    {
        using var response = await GetAsync("/mdt/seed-09", token: null);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(Ct)).Should().Contain("contraindicated");
    }

    [Fact]
    public async Task A_stored_patient_needs_a_token_with_Patient_read_and_is_shown_with_one()
    {
        using var api = factory.CreateApiClient();
        var (json, patientId) = UniqueSeed("02-pancreatic-net-g2-progressive");
        (await PostAsync(api, "/fhir", json)).Status.Should().Be(HttpStatusCode.OK);
        await ReportAsync(api, patientId);

        using (var anonymous = await GetAsync($"/mdt/{patientId}", token: null))
        {
            anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            (await anonymous.Content.ReadAsStringAsync(Ct)).Should().NotContain(patientId);
        }

        using (var writeOnly = await GetAsync($"/mdt/{patientId}", AuthorizationServer.Token("system/*.write")))
        {
            writeOnly.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        using var reader = await GetAsync($"/mdt/{patientId}", AuthorizationServer.Token("system/Patient.read"));
        reader.StatusCode.Should().Be(HttpStatusCode.OK);
        (await reader.Content.ReadAsStringAsync(Ct)).Should().Contain("EVE");
    }

    [Fact]
    public async Task An_unknown_patient_is_401_without_a_credential_so_the_page_does_not_tell_who_is_stored()
    {
        using var response = await GetAsync($"/mdt/nobody-{Guid.NewGuid():N}"[..30], token: null);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }
}

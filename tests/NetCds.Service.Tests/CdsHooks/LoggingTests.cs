using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetCds.Service.Tests.CdsHooks.Support;

namespace NetCds.Service.Tests.CdsHooks;

/// <summary>Access tokens and patient identifiers never reach the logs, at any level, on a whole hook call that fetches from the EHR.</summary>
public sealed class LoggingTests
{
    [Fact]
    public async Task A_hook_call_that_fetches_from_the_EHR_logs_neither_token_nor_patient_id()
    {
        const string token = "s3cr3t-access-token-5f2e";
        const string patientId = "pt-7c41d9";
        using var capture = new LogCapture();
        await using var ehr = await FakeFhirServer.StartAsync();
        var seed = HookCalls.Seed("02-pancreatic-net-g2-progressive").Replace("seed-02", patientId, StringComparison.Ordinal);
        var prefetch = HookCalls.PrefetchFrom(seed);
        ehr.On($"Patient/{patientId}", FakeReply.Ok(prefetch["patient"]!.ToJsonString()));
        prefetch.Remove("patient");
        prefetch.Remove("conditions");
        using var factory = new OpenCdsFactory();
        using var service = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddLogging(l => l.AddProvider(capture).SetMinimumLevel(LogLevel.Trace))));
        using var client = service.CreateClient();

        var (response, _) = await HookCalls.PostAsync(client, "/cds-services/net-liver-mets-eligibility",
            HookCalls.Call("patient-view", patientId, prefetch, fhirServer: ehr.BaseUri.ToString(), accessToken: token));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        ehr.RequestsTo($"Patient/{patientId}").Should().ContainSingle("the patient was fetched, so the fetch path was logged if anything was");
        capture.Entries.Should().NotBeEmpty();
        capture.AllText.Should().NotContain(token).And.NotContain(patientId);
    }

    [Fact]
    public async Task A_fhirServer_URL_with_user_info_loses_it_before_any_log_line()
    {
        const string user = "ehr-user-91b";
        const string password = "pw-7f3a9c-secret";
        using var capture = new LogCapture();
        await using var ehr = await FakeFhirServer.StartAsync();
        var seed = HookCalls.Seed("02-pancreatic-net-g2-progressive");
        var prefetch = HookCalls.PrefetchFrom(seed);
        prefetch.Remove("observations");
        using var factory = new OpenCdsFactory();
        using var service = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddLogging(l => l.AddProvider(capture).SetMinimumLevel(LogLevel.Trace))));
        using var client = service.CreateClient();
        var withUserInfo = new UriBuilder(ehr.BaseUri) { UserName = user, Password = password }.Uri.ToString();

        var (response, _) = await HookCalls.PostAsync(client, "/cds-services/net-liver-mets-eligibility",
            HookCalls.Call("patient-view", HookCalls.PatientIdOf(seed), prefetch, fhirServer: withUserInfo, accessToken: "t"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        capture.Entries.Should().Contain(e => e.Level == LogLevel.Warning && e.Text.Contains("Prefetch key observations unavailable from 127.0.0.1", StringComparison.Ordinal),
            "the EHR has no route for the observations: the failure is logged, naming the host");
        capture.AllText.Should().NotContain(password).And.NotContain(user);
    }
}

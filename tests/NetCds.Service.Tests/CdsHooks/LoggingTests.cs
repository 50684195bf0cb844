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
}

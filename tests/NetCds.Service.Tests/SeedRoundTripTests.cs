using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using NetCds.Domain.Engine;
using NetCds.Domain.Policy;
using NetCds.Fhir;
using NetCds.Fhir.Input;
using NetCds.Fhir.Terminology;
using NetCds.Service.Demo;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests;

/// <summary>Every demo patient through HTTP gives the statuses the engine gives in process, and the demo serves them all.</summary>
public sealed class SeedRoundTripTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private static readonly DateTimeOffset SeedInstant = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static List<string> SeedNames() =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "seeds"), "*.json").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal)];

    public static TheoryData<string> Seeds() => [.. SeedNames()];

    private static string SeedJson(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "seeds", name + ".json"));

    private static Dictionary<string, string> InProcess(string json)
    {
        var evaluation = new FhirEvaluation(TerminologyMap.Default, EligibilityPolicy.Default).Evaluate(FhirInput.Parse(json).Resource!, SeedInstant)!;
        return evaluation.Report.Assessments.ToDictionary(a => a.Therapy.Code(), a => a.Status.Code());
    }

    private static async Task<Dictionary<string, string>> StatusesOf(HttpResponseMessage response)
    {
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        return report.GetProperty("assessments").EnumerateArray().ToDictionary(a => a.GetProperty("therapy").GetString()!, a => a.GetProperty("status").GetString()!);
    }

    [Fact]
    public void There_are_at_least_15_seeds()
    {
        SeedNames().Should().HaveCountGreaterThanOrEqualTo(15);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Seed_posted_to_evaluate_gives_the_in_process_statuses(string seed)
    {
        using var client = factory.CreateApiClient();
        using var content = new StringContent(SeedJson(seed), Encoding.UTF8, "application/fhir+json");

        using var response = await client.PostAsync(new Uri("/eligibility/$evaluate?asOf=2026-11-01T00:00:00Z", UriKind.Relative), content, TestContext.Current.CancellationToken);

        (await StatusesOf(response)).Should().Equal(InProcess(SeedJson(seed)));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Seed_is_served_and_evaluated_by_the_demo(string seed)
    {
        using var client = factory.CreateApiClient();

        using var bundle = await client.GetAsync(new Uri($"/demo/seeds/{seed}", UriKind.Relative), TestContext.Current.CancellationToken);
        using var eligibility = await client.GetAsync(new Uri($"/demo/seeds/{seed}/eligibility", UriKind.Relative), TestContext.Current.CancellationToken);

        bundle.StatusCode.Should().Be(HttpStatusCode.OK);
        (await bundle.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Should().Be(SeedJson(seed));
        (await StatusesOf(eligibility)).Should().Equal(InProcess(SeedJson(seed)));
    }

    [Fact]
    public async Task The_demo_lists_every_seed_and_evaluates_them_as_of_the_instant_they_were_written_for()
    {
        using var client = factory.CreateApiClient();

        var listed = await client.GetFromJsonAsync<List<SeedSummary>>(new Uri("/demo/seeds", UriKind.Relative), TestContext.Current.CancellationToken);

        listed!.Select(s => s.Name).Should().Equal(SeedNames());
        DemoSeeds.SeedInstant.Should().Be(SeedInstant);
    }

    [Fact]
    public async Task The_demo_can_be_turned_off()
    {
        using var off = factory.WithWebHostBuilder(b => b.UseSetting("Demo:Enabled", "false"));
        using var client = off.CreateApiClient();

        using var response = await client.GetAsync(new Uri("/demo/seeds", UriKind.Relative), TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}

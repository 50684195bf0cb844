using System.Net;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NetCds.Domain.Facts;
using NetCds.Fhir.Mapping;
using NetCds.Service.Messaging.Contracts.V1;
using NetCds.Service.Records;
using NetCds.Service.Tests.Support;
using static NetCds.Service.Tests.Pipeline.PipelineSupport;

namespace NetCds.Service.Tests.Pipeline;

/// <summary>
/// Issue 10, "map once": an accepted resource's facts are kept beside it under the mapping version; a recompute reads
/// those kept facts (not the resource); facts kept under another mapping version are mapped from the resource until
/// the background re-derivation derives them again and queues the patient's recompute.
/// </summary>
public sealed class FactStateTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static bool BilirubinIs(JsonElement report, decimal value) =>
        report.GetProperty("facts").TryGetProperty("bilirubin", out var bilirubin) && bilirubin.GetProperty("value").GetDecimal() == value;

    private string CurrentVersion => factory.Services.GetRequiredService<FactState>().Version;

    private static async Task<string> PatientWithBilirubinAsync(HttpClient client, string id, decimal value)
    {
        var (seed, patientId) = UniqueSeed("02-pancreatic-net-g2-progressive");
        (await PostAsync(client, "/fhir", seed)).Status.Should().Be(HttpStatusCode.OK);
        (await PostAsync(client, "/fhir/Observation", Bilirubin($"{patientId}-{id}", patientId, value, TestClock.Now.AddHours(-1)).ToJsonString())).Status.Should().Be(HttpStatusCode.Created);
        await ReportAsync(client, patientId, r => BilirubinIs(r, value));
        return patientId;
    }

    /// <summary>Rewrites a stored row's kept facts as a newer version of the row (so nothing held in memory answers for it).</summary>
    private Task<int> SetKeptAsync(string id, string? facts, string? version) =>
        QueryAsync(factory.Services, s => s.Resources.Where(r => r.ResourceType == "Observation" && r.ResourceId == id)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.Facts, facts).SetProperty(r => r.FactsVersion, version).SetProperty(r => r.Version, r => r.Version + 1), Token));

    private static string WithBilirubin(string kept, decimal value)
    {
        var facts = FactStateJson.Deserialize(kept);
        var fact = facts.Intervals![FactKind.Bilirubin].Single();
        return FactStateJson.Serialize(facts with { Intervals = new() { [FactKind.Bilirubin] = [fact with { Value = Interval.Exactly(value) }] } });
    }

    private Task RecomputeAsync(string patientId) =>
        factory.Services.GetRequiredService<IBus>().Publish(new RecomputeEligibility($"Patient/{patientId}", TestClock.Now, Generation: null), Token);

    private Task<long> GenerationAsync(string patientId) =>
        QueryAsync(factory.Services, s => s.PatientRecords.AsNoTracking().Where(r => r.Patient == $"Patient/{patientId}").Select(r => r.Generation).SingleAsync(Token));

    [Fact]
    public async Task An_accepted_resource_keeps_its_facts_under_the_current_mapping_version()
    {
        using var client = factory.CreateApiClient();
        var patientId = await PatientWithBilirubinAsync(client, "b", 1.4m);

        var row = await RowAsync(factory.Services, "Observation", $"{patientId}-b");

        row!.FactsVersion.Should().Be(CurrentVersion);
        var fact = FactStateJson.Deserialize(row.Facts!).Intervals![FactKind.Bilirubin].Single();
        fact.Value.Exact.Should().Be(1.4m);
        fact.Source.Should().Be($"Observation/{patientId}-b");
    }

    [Fact]
    public async Task A_recompute_reads_kept_facts_and_facts_of_another_version_are_read_from_the_resource_until_derived_again()
    {
        using var client = factory.CreateApiClient();
        var patientId = await PatientWithBilirubinAsync(client, "b", 1.2m);
        var id = $"{patientId}-b";
        var kept = (await RowAsync(factory.Services, "Observation", id))!.Facts!;

        // Kept facts that disagree with the resource: the recompute reports them, so it read the kept facts.
        await SetKeptAsync(id, WithBilirubin(kept, 7.7m), CurrentVersion);
        await RecomputeAsync(patientId);
        await ReportAsync(client, patientId, r => BilirubinIs(r, 7.7m));

        // The same facts under another mapping version are not trusted: the resource is mapped again.
        await SetKeptAsync(id, WithBilirubin(kept, 7.7m), "an-older-mapping");
        await RecomputeAsync(patientId);
        await ReportAsync(client, patientId, r => BilirubinIs(r, 1.2m));

        var generation = await GenerationAsync(patientId);
        var rederivation = factory.Services.GetServices<IHostedService>().OfType<FactStateRederivation>().Single();
        (await rederivation.RederiveAsync(Token)).Should().BeGreaterThanOrEqualTo(1);

        var row = await RowAsync(factory.Services, "Observation", id);
        row!.FactsVersion.Should().Be(CurrentVersion);
        FactStateJson.Deserialize(row.Facts!).Intervals![FactKind.Bilirubin].Single().Value.Exact.Should().Be(1.2m, "derived again from the resource");
        (await GenerationAsync(patientId)).Should().BeGreaterThan(generation, "its facts changed, so the patient's recompute was queued");
        (await rederivation.RederiveAsync(Token)).Should().Be(0, "nothing is left under another version");
    }

    [Fact]
    public async Task Facts_that_depend_on_the_evaluation_time_are_not_kept_but_mapped_at_each_evaluation()
    {
        using var client = factory.CreateApiClient();
        var patientId = await PatientWithBilirubinAsync(client, "b", 1.3m);
        var id = $"{patientId}-future";

        (await PostAsync(client, "/fhir/Observation", Bilirubin(id, patientId, 9.9m, TestClock.Now.AddDays(2)).ToJsonString())).Status.Should().Be(HttpStatusCode.Created);

        var row = await RowAsync(factory.Services, "Observation", id);
        row!.FactsVersion.Should().Be(CurrentVersion);
        row.Facts.Should().BeNull("a value dated after now becomes usable with time: it is mapped at each evaluation");
        var report = await ReportAsync(client, patientId, r => r.GetProperty("dataProblems").EnumerateArray().Any(p => p.GetProperty("resource").GetString() == $"Observation/{id}"));
        BilirubinIs(report, 1.3m).Should().BeTrue("the future value is not used yet");
    }
}

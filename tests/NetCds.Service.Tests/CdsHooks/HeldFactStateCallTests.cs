using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NetCds.Fhir;
using NetCds.Fhir.Mapping;
using NetCds.Service.Records;
using NetCds.Service.Tests.CdsHooks.Support;
using NetCds.Service.Tests.Support;
using static NetCds.Service.Tests.Pipeline.PipelineSupport;

namespace NetCds.Service.Tests.CdsHooks;

/// <summary>
/// Issue 20: a hook call takes the stored record's facts from the patient's held fact state and maps only the call's
/// resources. The report must be the one the former path gave (the stored record loaded, parsed, merged with the call's
/// resources and all mapped again), with the record in the order every report of the patient uses (ordinal by
/// type/id, <see cref="FactLedger"/>); and the held state must be left as it was.
/// </summary>
public sealed class HeldFactStateCallTests(OpenCdsFactory factory) : IClassFixture<OpenCdsFactory>
{
    /// <summary>One evaluation instant per test: the report states it.</summary>
    private readonly DateTimeOffset _asOf = factory.Clock.GetUtcNow();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly string[] Seeds = [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "seeds"), "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!];

    public static TheoryData<string> AllSeeds() => [.. Seeds];

    [Theory]
    [MemberData(nameof(AllSeeds))]
    public async Task A_call_bringing_the_stored_record_again_gives_the_former_report(string seed)
    {
        var (json, patientId) = UniqueSeed(seed);
        await StoreAsync(json);

        await AssertAsFormerAsync(patientId, HookCalls.PrefetchResources(HookCalls.PrefetchFrom(json)));
    }

    [Theory]
    [MemberData(nameof(AllSeeds))]
    public async Task A_call_for_a_patient_with_no_stored_record_gives_the_former_report(string seed)
    {
        var (json, patientId) = UniqueSeed(seed);

        await AssertAsFormerAsync(patientId, HookCalls.PrefetchResources(HookCalls.PrefetchFrom(json)));
    }

    [Theory]
    [InlineData("02-pancreatic-net-g2-progressive")]
    [InlineData("09-pancreatic-net-complete-portal-vein-thrombosis")]
    [InlineData("20-data-problems")]
    [InlineData("21-pancreatic-net-g2-progressing-on-everolimus")]
    public async Task A_call_bringing_only_the_patient_takes_the_rest_from_the_store(string seed)
    {
        var (json, patientId) = UniqueSeed(seed);
        await StoreAsync(json);
        var onlyPatient = new JsonObject { ["patient"] = HookCalls.PrefetchFrom(json)["patient"]!.DeepClone() };

        var held = await AssertAsFormerAsync(patientId, HookCalls.PrefetchResources(onlyPatient));

        held.Should().Be(await StoredOnlyAsync(patientId), "the call brings nothing the store lacks");
    }

    /// <summary>
    /// The stored record and the call disagree: the newer copy by meta.lastUpdated stands (the call's on a tie or
    /// without one), a stored resource since deleted counts only as the call brings it, the call's new resources are
    /// added, and one of them conflicts with a stored one at the same instant.
    /// </summary>
    [Theory]
    [InlineData("02-pancreatic-net-g2-progressive")]
    [InlineData("10-ileal-net-g2-bilirubin-3-5")]
    [InlineData("20-data-problems")]
    public async Task Where_the_call_and_the_store_disagree_the_report_is_the_former_one(string seed)
    {
        var (json, patientId) = UniqueSeed(seed);
        await StoreAsync(json);
        var asOf = _asOf;
        var storedNewer = Dated(Bilirubin($"{patientId}-newer", patientId, 1.1m, asOf.AddDays(-5)), asOf.AddDays(-1));
        var storedOlder = Dated(Bilirubin($"{patientId}-older", patientId, 1.2m, asOf.AddDays(-6)), asOf.AddDays(-2));
        var deleted = Bilirubin($"{patientId}-deleted", patientId, 1.3m, asOf.AddDays(-7));
        var deletedForGood = Bilirubin($"{patientId}-gone", patientId, 1.4m, asOf.AddDays(-8));
        foreach (var resource in new[] { storedNewer, storedOlder, deleted, deletedForGood })
        {
            (await PostAsync(Client, "/fhir/Observation", resource.ToJsonString())).Status.Should().Be(HttpStatusCode.Created);
        }

        (await SendAsync(Client, HttpMethod.Delete, $"/fhir/Observation/{patientId}-deleted")).Status.Should().Be(HttpStatusCode.NoContent);
        (await SendAsync(Client, HttpMethod.Delete, $"/fhir/Observation/{patientId}-gone")).Status.Should().Be(HttpStatusCode.NoContent);
        var beforeCall = await StoredOnlyAsync(patientId);

        var prefetch = HookCalls.PrefetchFrom(json);
        var observations = prefetch["observations"]!.AsObject();
        var entries = observations["entry"] as JsonArray ?? [];
        observations["entry"] = entries;
        foreach (var resource in new[]
        {
            // Older than the stored copy: the stored one stands.
            Dated(Bilirubin($"{patientId}-newer", patientId, 7.1m, asOf.AddDays(-5)), asOf.AddDays(-3)),

            // Newer than the stored copy: the call's stands.
            Dated(Bilirubin($"{patientId}-older", patientId, 7.2m, asOf.AddDays(-6)), asOf.AddDays(-1)),

            // Deleted in the store: the call's copy counts.
            Bilirubin($"{patientId}-deleted", patientId, 7.3m, asOf.AddDays(-7)),

            // New, at the instant of a stored one with another value: a conflict.
            Bilirubin($"{patientId}-new", patientId, 7.4m, asOf.AddDays(-5)),
        })
        {
            entries.Add(new JsonObject { ["resource"] = resource });
        }

        // The conflict's report names the values in record order: ordinal by type/id now, the call's first before.
        var held = await AssertAsFormerAsync(patientId, HookCalls.PrefetchResources(prefetch), recordOrderShows: true);

        held.Should().NotBe(beforeCall, "the call's resources change the report");
        await using var scope = factory.Services.CreateAsyncScope();
        var mapping = await scope.ServiceProvider.GetRequiredService<PatientRecord>().FactsWithAsync($"Patient/{patientId}", HookCalls.PrefetchResources(prefetch), asOf, Token);
        var bilirubin = mapping.Facts.Bilirubin.ToDictionary(f => f.Source, f => f.Value.Written);
        bilirubin[$"Observation/{patientId}-older"].Should().Contain("7.2", "the call's copy is newer");
        bilirubin[$"Observation/{patientId}-deleted"].Should().Contain("7.3", "the store deleted its copy; the call's counts");
        bilirubin.Should().NotContainKey($"Observation/{patientId}-gone");
        var conflict = mapping.Problems.Where(p => p.Kind == DataProblemKind.Conflict && p.Message.Contains("7.4", StringComparison.Ordinal)).ToList();
        conflict.Select(p => p.Resource).Should().BeEquivalentTo($"Observation/{patientId}-newer", $"Observation/{patientId}-new");
        conflict.Should().AllSatisfy(p => p.Message.Should().Contain("1.1", "the stored copy is newer than the call's").And.NotContain("7.1"));
        (await StoredOnlyAsync(patientId)).Should().Be(beforeCall, "the held state is put back after the call");
    }

    [Fact]
    public async Task Calls_for_one_patient_at_once_each_see_their_own_resources_and_leave_the_held_state_as_it_was()
    {
        var (json, patientId) = UniqueSeed("10-ileal-net-g2-bilirubin-3-5");
        await StoreAsync(json);
        var before = await StoredOnlyAsync(patientId);
        var asOf = _asOf;

        var calls = Enumerable.Range(0, 8).Select(async i =>
        {
            var prefetch = new JsonObject
            {
                ["patient"] = HookCalls.PrefetchFrom(json)["patient"]!.DeepClone(),
                ["observations"] = JsonNode.Parse(FhirJson.Searchset(Bilirubin($"{patientId}-call", patientId, 20m + i, asOf.AddHours(-1)).ToJsonString())),
            };
            await using var scope = factory.Services.CreateAsyncScope();
            var mapping = await scope.ServiceProvider.GetRequiredService<PatientRecord>().FactsWithAsync($"Patient/{patientId}", HookCalls.PrefetchResources(prefetch), asOf, Token);
            return (Value: 20m + i, Report: Document(mapping, asOf));
        });

        foreach (var (value, report) in await Task.WhenAll(calls))
        {
            JsonDocument.Parse(report).RootElement.GetProperty("facts").GetProperty("bilirubin").GetProperty("value").GetDecimal().Should().Be(value);
        }

        (await StoredOnlyAsync(patientId)).Should().Be(before);
    }

    private HttpClient Client => _client ??= factory.CreateApiClient();

    private HttpClient? _client;

    private async Task StoreAsync(string seedJson) => (await PostAsync(Client, "/fhir", seedJson)).Status.Should().Be(HttpStatusCode.OK);

    /// <summary>
    /// Evaluates the call both ways and asserts the same report (the former way with its record in ordinal order of
    /// type/id); unless <paramref name="recordOrderShows"/>, also the same as the former way in the old merge's order
    /// (the call's resources first) but for the order of the data problems. Returns the new way's report.
    /// </summary>
    private async Task<string> AssertAsFormerAsync(string patientId, List<SourcedResource> fromCall, bool recordOrderShows = false)
    {
        var patient = $"Patient/{patientId}";
        var asOf = _asOf;
        var evaluation = factory.Services.GetRequiredService<FhirEvaluation>();
        await using var scope = factory.Services.CreateAsyncScope();
        var record = scope.ServiceProvider.GetRequiredService<PatientRecord>();
        var stateBefore = await StoredOnlyAsync(patientId);

        var held = Document(await record.FactsWithAsync(patient, fromCall, asOf, Token), asOf);
        var merged = await FormerMergeAsync(record, patient, fromCall);
        var former = evaluation.Evaluate([.. merged.OrderBy(r => Key(r.Resource), StringComparer.Ordinal)], asOf, patient)!.Document.ToJson();
        var formerAsMerged = evaluation.Evaluate(merged, asOf, patient)!.Document.ToJson();

        held.Should().Be(former);
        if (!recordOrderShows)
        {
            WithProblemsSorted(held).Should().Be(WithProblemsSorted(formerAsMerged), "only the order of the record may differ from the former path");
        }

        (await StoredOnlyAsync(patientId)).Should().Be(stateBefore, "the held state is put back after the call");
        return held;
    }

    /// <summary>The report of the stored record alone, from the held state, and checked against a full read.</summary>
    private async Task<string> StoredOnlyAsync(string patientId)
    {
        var asOf = _asOf;
        await using var scope = factory.Services.CreateAsyncScope();
        var held = await scope.ServiceProvider.GetRequiredService<PatientRecord>().FactsAsync($"Patient/{patientId}", asOf, Token);
        using var empty = new PatientFactStates(factory.Services.GetRequiredService<IOptions<IngestionOptions>>());
        var full = await ActivatorUtilities.CreateInstance<PatientRecord>(scope.ServiceProvider, empty).FactsAsync($"Patient/{patientId}", asOf, Token);
        (held is null).Should().Be(full is null, "the held state and a full read agree on whether anything is stored");
        var nothing = FactMapper.Merge([], $"Patient/{patientId}");
        var report = Document(held ?? nothing, asOf);
        report.Should().Be(Document(full ?? nothing, asOf), "the held state equals a full read of the record");
        return report;
    }

    private string Document(FactMapping mapping, DateTimeOffset asOf) =>
        factory.Services.GetRequiredService<FhirEvaluation>().Evaluate(mapping, asOf)!.Document.ToJson();

    /// <summary>
    /// The path hook calls took before issue 20 (PatientRecord.MergeAsync): the stored record loaded and parsed, merged
    /// with the call's resources per type/id (the newer by meta.lastUpdated, the call's on a tie), call first.
    /// </summary>
    private static async Task<IReadOnlyList<SourcedResource>> FormerMergeAsync(PatientRecord record, string patient, IReadOnlyList<SourcedResource> fromCall)
    {
        var stored = await record.LoadAsync(patient, Token);
        if (stored.Count == 0)
        {
            return fromCall;
        }

        var merged = new Dictionary<string, SourcedResource>(StringComparer.Ordinal);
        foreach (var resource in fromCall)
        {
            var key = Key(resource.Resource);
            if (!merged.TryGetValue(key, out var current) || !(current.Resource.Meta?.LastUpdated > resource.Resource.Meta?.LastUpdated))
            {
                merged[key] = resource;
            }
        }

        foreach (var resource in stored)
        {
            var key = Key(resource.Resource);
            if (!merged.TryGetValue(key, out var current) || resource.Resource.Meta?.LastUpdated > current.Resource.Meta?.LastUpdated)
            {
                merged[key] = resource;
            }
        }

        return [.. merged.Values];
    }

    private static string Key(Hl7.Fhir.Model.Resource resource) => $"{resource.TypeName}/{resource.Id}";

    private static JsonObject Dated(JsonObject resource, DateTimeOffset lastUpdated)
    {
        resource["meta"] = new JsonObject { ["lastUpdated"] = lastUpdated.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) };
        return resource;
    }

    private static string WithProblemsSorted(string report)
    {
        var node = JsonNode.Parse(report)!.AsObject();
        if (node["dataProblems"] is JsonArray problems)
        {
            node["dataProblems"] = new JsonArray([.. problems.Select(p => p!.ToJsonString()).Order(StringComparer.Ordinal).Select(p => JsonNode.Parse(p))]);
        }

        return node.ToJsonString();
    }
}

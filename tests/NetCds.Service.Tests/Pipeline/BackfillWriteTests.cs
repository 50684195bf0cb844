using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NetCds.Cli;
using NetCds.Service.Tests.Support;
using static NetCds.Service.Tests.Pipeline.PipelineSupport;

namespace NetCds.Service.Tests.Pipeline;

/// <summary>
/// Issue 19, deliverable 8, on PostgreSQL: a backfill part of thousands of resources is written as arrays in one
/// statement per kind of write (new rows, changed rows). What must survive that: every resource lands once with its
/// version and its patient's generation, the same part again changes nothing (an import resumed after a part whose
/// answer was lost), a later part's newer versions replace the stored ones and older ones stay out, and a bad line is
/// answered for itself while the rest of its part is stored.
/// </summary>
public sealed class BackfillWriteTests(PostgreSqlServiceFactory factory) : IClassFixture<PostgreSqlServiceFactory>
{
    private const int Patients = 4;

    private const int PerPatient = 245; // 982 lines: a part as large as the service takes by default (Ingestion:MaxEntries, 1,000)

    private readonly ServiceFactory _factory = PostgreSqlServiceFactory.SkipUnlessAvailable(factory);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string Patient(string run, int p) => $"{run}-p{p}";

    private static string Observation(string id, string patient, decimal value, string? lastUpdated = null, string? versionId = null)
    {
        var observation = new JsonObject
        {
            ["resourceType"] = "Observation",
            ["id"] = id,
            ["status"] = "final",
            ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = "1975-2" }) },
            ["subject"] = new JsonObject { ["reference"] = $"Patient/{patient}" },
            ["effectiveDateTime"] = TestClock.DaysAgo(30),
            ["valueQuantity"] = new JsonObject { ["value"] = value, ["unit"] = "umol/L", ["system"] = "http://unitsofmeasure.org", ["code"] = "umol/L" },
        };
        if (lastUpdated is not null || versionId is not null)
        {
            var meta = new JsonObject();
            if (lastUpdated is not null)
            {
                meta["lastUpdated"] = lastUpdated;
            }

            if (versionId is not null)
            {
                meta["versionId"] = versionId;
            }

            observation["meta"] = meta;
        }

        return observation.ToJsonString();
    }

    private static string At(DateTimeOffset time) => time.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static async Task<List<JsonElement>> PostPartAsync(HttpClient client, IEnumerable<string> lines)
    {
        using var content = new StringContent(string.Join('\n', lines) + "\n", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/fhir+ndjson");
        content.Headers.Add(ImportCommand.RecomputeHeader, "deferred");
        using var response = await client.PostAsync(new Uri("/fhir", UriKind.Relative), content, Token);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var bundle = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));
        return [.. bundle.RootElement.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("response").Clone())];
    }

    private static string Status(JsonElement response) => response.GetProperty("status").GetString()!;

    private static string? Diagnostics(JsonElement response) =>
        response.TryGetProperty("outcome", out var outcome) ? outcome.GetProperty("issue")[0].GetProperty("diagnostics").GetString() : null;

    /// <summary>Every stored row of the run's patients (type/id → version, generation, facts kept), and each patient's generation.</summary>
    private async Task<(Dictionary<string, (long Version, long Generation, bool Facts, DateTimeOffset ReceivedAt, DateTimeOffset? LastUpdated)> Rows, Dictionary<string, long> Generations, int Outbox)> StoredAsync(string run) =>
        await QueryAsync(_factory.Services, async s =>
        {
            var prefix = $"Patient/{run}-";
            var rows = await s.Resources.AsNoTracking().Where(r => r.Patient!.StartsWith(prefix))
                .Select(r => new { r.ResourceType, r.ResourceId, r.Version, r.Generation, Facts = r.Facts != null && r.FactsVersion != null, r.ReceivedAt, r.LastUpdated })
                .ToListAsync(Token);
            var generations = await s.PatientRecords.AsNoTracking().Where(r => r.Patient.StartsWith(prefix)).ToDictionaryAsync(r => r.Patient, r => r.Generation, Token);
            var outbox = await s.Outbox.CountAsync(m => m.Payload.Contains(prefix), Token);
            return (rows.ToDictionary(r => $"{r.ResourceType}/{r.ResourceId}", r => (r.Version, r.Generation, r.Facts, r.ReceivedAt, r.LastUpdated)), generations, outbox);
        });

    [Fact]
    public async Task A_large_deferred_part_lands_every_resource_once_with_its_version_and_generation_and_sent_again_changes_nothing()
    {
        using var client = _factory.CreateApiClient();
        var run = $"bw{Guid.NewGuid():N}"[..14];
        var now = TestClock.Now.AddDays(-2);
        var updated = now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerSecond)); // whole seconds, as meta.lastUpdated is written here
        var lines = new List<string>();
        var expected = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var p = 0; p < Patients; p++)
        {
            var patient = Patient(run, p);
            lines.Add($$"""{"resourceType":"Patient","id":"{{patient}}","gender":"female","birthDate":"1960-01-01"}""");
            expected[$"Patient/{patient}"] = 1;
            for (var i = 0; i < PerPatient; i++)
            {
                var id = $"{patient}-o{i}";
                // The three ways a version is given: meta.lastUpdated (here with an offset), a numeric meta.versionId, none.
                var (lastUpdated, versionId, version) = (i % 3) switch
                {
                    0 => (At(updated.AddMinutes(i).ToOffset(TimeSpan.FromHours(2))), (string?)null, updated.AddMinutes(i).UtcTicks),
                    1 => ((string?)null, "7", 7L),
                    _ => ((string?)null, (string?)null, 1L),
                };
                lines.Add(Observation(id, patient, i % 30 + 1, lastUpdated, versionId));
                expected[$"Observation/{id}"] = version;
            }
        }

        // One resource twice in the part, newer then older: the newer is stored, the older answered as ignored.
        var twice = $"{Patient(run, 0)}-o0";
        var newer = updated.AddDays(1);
        lines.Add(Observation(twice, Patient(run, 0), 99, At(newer)));
        lines.Add(Observation(twice, Patient(run, 0), 98, At(newer.AddHours(-1))));
        expected[$"Observation/{twice}"] = newer.UtcTicks;

        var first = await PostPartAsync(client, lines);

        first.Should().HaveCount(lines.Count);
        first.Take(lines.Count - 2).Select(Status).Should().AllBe("201 Created");
        Status(first[^2]).Should().Be("200 OK", "a newer version of a resource stored earlier in the same part replaces it");
        Diagnostics(first[^2]).Should().BeNull();
        Diagnostics(first[^1]).Should().Be("older than the stored version: ignored");
        var (rows, generations, outbox) = await StoredAsync(run);
        rows.Should().HaveCount(expected.Count, "every resource lands once");
        rows.ToDictionary(r => r.Key, r => r.Value.Version).Should().BeEquivalentTo(expected, "each row has the version its meta (or the receipt order) gives");
        generations.Should().HaveCount(Patients).And.OnlyContain(g => g.Value == 1, "one part is one commit: each patient's generation moves on once");
        rows.Values.Should().OnlyContain(r => r.Generation == 1, "every row is stamped with its patient's generation of the commit that wrote it");
        rows.Where(r => r.Key.StartsWith("Observation/", StringComparison.Ordinal)).Should().OnlyContain(r => r.Value.Facts, "the facts are kept beside each row");
        rows[$"Observation/{Patient(run, 1)}-o3"].LastUpdated.Should().Be(updated.AddMinutes(3), "meta.lastUpdated is kept as the same instant, whatever its offset");
        outbox.Should().Be(0, "a deferred part queues no recompute");

        // The same part again (an import resumed after a part whose answer was lost): nothing changes.
        var again = await PostPartAsync(client, lines);

        again.Select(Status).Should().AllBe("200 OK");
        var older = new[] { 1, lines.Count - 1 }; // the first and last copies of the resource sent twice: older than what is stored
        again.Where((_, i) => !older.Contains(i)).Select(Diagnostics).Should().AllBe("unchanged");
        older.Select(i => Diagnostics(again[i])).Should().AllBe("older than the stored version: ignored");
        var (rowsAgain, generationsAgain, outboxAgain) = await StoredAsync(run);
        rowsAgain.Should().BeEquivalentTo(rows, "no row is written again: same versions, generations and receipt times");
        generationsAgain.Should().BeEquivalentTo(generations, "a part that changes nothing moves no generation");
        outboxAgain.Should().Be(0);

        // A later part with newer versions of some resources and older copies of others: the newer replace, in one update.
        var later = updated.AddDays(1);
        var next = Enumerable.Range(0, PerPatient / 10).Select(i => Observation($"{Patient(run, 2)}-o{i * 3}", Patient(run, 2), 50, At(later.AddMinutes(i))))
            .Concat(Enumerable.Range(0, 10).Select(i => Observation($"{Patient(run, 3)}-o{(i * 3) + 3}", Patient(run, 3), 51, At(updated.AddDays(-5)))))
            .ToList();

        var third = await PostPartAsync(client, next);

        third.Take(PerPatient / 10).Select(Status).Should().AllBe("200 OK");
        third.Take(PerPatient / 10).Select(Diagnostics).Should().AllBeEquivalentTo((string?)null, "a newer version is stored");
        third.Skip(PerPatient / 10).Select(Diagnostics).Should().AllBe("older than the stored version: ignored");
        var (rowsLater, generationsLater, _) = await StoredAsync(run);
        rowsLater[$"Observation/{Patient(run, 2)}-o6"].Should().Match<(long Version, long Generation, bool Facts, DateTimeOffset ReceivedAt, DateTimeOffset? LastUpdated)>(
            r => r.Version == later.AddMinutes(2).UtcTicks && r.Generation == 2 && r.Facts);
        generationsLater[$"Patient/{Patient(run, 2)}"].Should().Be(2);
        generationsLater[$"Patient/{Patient(run, 3)}"].Should().Be(1, "older copies change nothing");
        rowsLater[$"Observation/{Patient(run, 3)}-o3"].Should().Be(rows[$"Observation/{Patient(run, 3)}-o3"]);

        // Closing the window recomputes each patient from what the parts wrote, at the generation they reached.
        using var recompute = await client.PostAsync(new Uri("/recompute", UriKind.Relative), null, Token);
        recompute.StatusCode.Should().Be(HttpStatusCode.OK);
        var reports = await QueryAsync(_factory.Services, s => s.Reports.AsNoTracking().Where(r => r.Patient.StartsWith($"Patient/{run}-")).ToDictionaryAsync(r => r.Patient, r => r.Generation, Token));
        reports.Should().BeEquivalentTo(generationsLater, "every patient the parts wrote is recomputed at its record's generation");
    }

    [Fact]
    public async Task A_bad_line_in_a_large_part_is_answered_for_itself_and_the_rest_is_stored()
    {
        using var client = _factory.CreateApiClient();
        var run = $"bb{Guid.NewGuid():N}"[..14];
        var patient = Patient(run, 0);
        var lines = new List<string> { $$"""{"resourceType":"Patient","id":"{{patient}}","gender":"male","birthDate":"1955-03-01"}""" };
        lines.AddRange(Enumerable.Range(0, 600).Select(i => Observation($"{patient}-o{i}", patient, 5)));
        lines.Insert(300, """{"resourceType":"Observation","id":"bad-one","status":"no-such-status"}""");

        var answers = await PostPartAsync(client, lines);

        answers.Should().HaveCount(lines.Count);
        Status(answers[300]).Should().Be("400 Bad Request");
        Diagnostics(answers[300]).Should().StartWith("line 301:");
        answers.Where((_, i) => i != 300).Select(Status).Should().AllBe("201 Created");
        var (rows, generations, _) = await StoredAsync(run);
        rows.Should().HaveCount(lines.Count - 1, "every good line is stored");
        generations[$"Patient/{patient}"].Should().Be(1);
        (await RowAsync(_factory.Services, "Observation", "bad-one")).Should().BeNull();
    }
}

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
/// Issue 10, backfill: POST /fhir as NDJSON (batch semantics, per line), and <c>netcds import</c> resuming. Issue 19
/// (deliverable 8): the import defers recomputes to the end of its window, one per patient, and a resumed import
/// recomputes what a stopped one left.
/// </summary>
public sealed class BackfillTests(ServiceFactory factory) : IClassFixture<ServiceFactory>, IDisposable
{
    private const string Seed = "02-pancreatic-net-g2-progressive";

    private readonly string _directory = Directory.CreateTempSubdirectory("netcds-import-").FullName;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A seed as a $export would write it: one file per resource type, one resource per line.</summary>
    private static (Dictionary<string, List<string>> Files, string PatientId) Export()
    {
        var (json, patientId) = UniqueSeed(Seed);
        var files = JsonNode.Parse(json)!["entry"]!.AsArray()
            .Select(e => e!["resource"]!)
            .GroupBy(r => (string)r["resourceType"]!)
            .ToDictionary(g => g.Key, g => g.Select(r => r.ToJsonString()).ToList());
        return (files, patientId);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostNdjsonAsync(HttpClient client, IEnumerable<string> lines)
    {
        using var content = new StringContent(string.Join('\n', lines) + "\n", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/fhir+ndjson");
        using var response = await client.PostAsync(new Uri("/fhir", UriKind.Relative), content, Token);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token)).RootElement.Clone());
    }

    [Fact]
    public async Task An_ndjson_post_answers_every_line_stores_the_good_ones_and_names_the_bad_line()
    {
        using var client = factory.CreateApiClient();
        var (files, patientId) = Export();
        var lines = files["Patient"].Concat(files["Observation"].Take(2)).Append("{\"resourceType\":\"Observation\",\"status\":\"no-such-status\"}").ToList();

        var (status, bundle) = await PostNdjsonAsync(client, lines);

        status.Should().Be(HttpStatusCode.OK);
        bundle.GetProperty("type").GetString().Should().Be("batch-response");
        var answers = bundle.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("response")).ToList();
        answers.Should().HaveCount(4);
        answers.Take(3).Select(a => a.GetProperty("status").GetString()).Should().AllBe("201 Created");
        answers[3].GetProperty("status").GetString().Should().Be("400 Bad Request");
        var issue = answers[3].GetProperty("outcome").GetProperty("issue")[0];
        issue.GetProperty("severity").GetString().Should().Be("error");
        issue.GetProperty("diagnostics").GetString().Should().StartWith("line 4:");
        (await RowAsync(factory.Services, "Patient", patientId)).Should().NotBeNull();
    }

    [Fact]
    public async Task Import_loads_an_export_directory_reports_the_refused_line_and_a_second_run_sends_nothing_again()
    {
        using var client = factory.CreateApiClient();
        var (files, patientId) = Export();
        files["Observation"].Add("this is not json");
        foreach (var (type, lines) in files)
        {
            await File.WriteAllLinesAsync(Path.Combine(_directory, $"{type}.ndjson"), lines, Token);
        }

        var total = files.Values.Sum(l => l.Count);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await ImportCommand.RunAsync(["import", _directory, "--url", "http://localhost", "--batch", "3"], output, error, client, Token);

        exit.Should().Be(1, "one line was refused");
        output.ToString().Should().Contain($"imported {total:N0} resources").And.Contain("1 refused");
        error.ToString().Should().Contain("Observation.ndjson");
        (await RowAsync(factory.Services, "Patient", patientId)).Should().NotBeNull();
        var report = await ReportAsync(client, patientId);
        report.GetProperty("assessments").GetArrayLength().Should().BeGreaterThan(0, "imported resources are recomputed like live events");

        using var again = new StringWriter();
        (await ImportCommand.RunAsync(["import", _directory, "--url", "http://localhost"], again, TextWriter.Null, client, Token)).Should().Be(0);
        again.ToString().Should().Contain("imported 0 resources").And.Contain($"{total:N0} already done before");
    }

    [Fact]
    public async Task An_interrupted_import_resumes_after_the_last_acknowledged_part()
    {
        using var client = factory.CreateApiClient();
        var (files, patientId) = Export();
        var observations = Path.Combine(_directory, "Observation.ndjson");
        await File.WriteAllLinesAsync(observations, files["Observation"], Token);
        // As if a first run had stored two lines and then been stopped.
        await File.WriteAllTextAsync(Path.Combine(_directory, ".netcds-import.json"), JsonSerializer.Serialize(new Dictionary<string, long> { [Path.GetFullPath(observations)] = 2 }), Token);

        using var output = new StringWriter();
        (await ImportCommand.RunAsync(["import", _directory, "--url", "http://localhost"], output, TextWriter.Null, client, Token)).Should().Be(0);

        output.ToString().Should().Contain($"imported {files["Observation"].Count - 2:N0} resources").And.Contain("2 already done before");
        var firstId = (string)JsonNode.Parse(files["Observation"][0])!["id"]!;
        var lastId = (string)JsonNode.Parse(files["Observation"][^1])!["id"]!;
        (await RowAsync(factory.Services, "Observation", firstId)).Should().BeNull("the checkpoint said it was done: it is not sent again");
        (await RowAsync(factory.Services, "Observation", lastId)).Should().NotBeNull();
        patientId.Should().NotBeEmpty();
    }

    /// <summary>
    /// Parts of an import in flight at once (<c>--parallel</c>, issue 19): the first part is answered only after the
    /// second, and the third is refused for good. The checkpoint moves past the first two only, in order, and the
    /// import stops; the next run starts at the refused part and completes.
    /// </summary>
    [Fact]
    public async Task Parts_in_flight_are_checkpointed_in_order_and_a_refused_part_is_sent_again_by_the_next_run()
    {
        var (files, patientId) = Export();
        var observations = Path.Combine(_directory, "Observation.ndjson");
        var lines = files["Observation"].Take(12).ToList();
        lines.Count.Should().Be(12, "the seed has enough Observations for four parts of three");
        await File.WriteAllLinesAsync(observations, lines, Token);
        var parts = new OrderedParts();
        using var failing = factory.CreateDefaultClient(parts);
        failing.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AuthorizationServer.Token(now: factory.Clock.GetUtcNow()));

        using var error = new StringWriter();
        var exit = await ImportCommand.RunAsync(["import", observations, "--url", "http://localhost", "--batch", "3", "--parallel", "2"], TextWriter.Null, error, failing, Token);

        exit.Should().Be(1, "the third part was refused");
        error.ToString().Should().Contain("import stopped").And.Contain("from line 7");
        parts.SecondAnsweredFirst.Should().BeTrue("the first two parts were in flight together");
        var checkpoint = JsonSerializer.Deserialize<Dictionary<string, long>>(await File.ReadAllTextAsync(observations + ".netcds-import.json", Token))!;
        checkpoint[Path.GetFullPath(observations)].Should().Be(6, "the parts before the refused one are acknowledged; nothing after it counts");

        using var client = factory.CreateApiClient();
        using var output = new StringWriter();
        (await ImportCommand.RunAsync(["import", observations, "--url", "http://localhost", "--batch", "3"], output, TextWriter.Null, client, Token)).Should().Be(0);
        output.ToString().Should().Contain("imported 6 resources").And.Contain("6 already done before");
        foreach (var line in lines)
        {
            (await RowAsync(factory.Services, "Observation", (string)JsonNode.Parse(line)!["id"]!)).Should().NotBeNull();
        }

        patientId.Should().NotBeEmpty();
    }

    [Fact]
    public async Task An_ndjson_line_is_stored_as_sent_and_a_line_without_an_id_as_the_resource_given_its_id()
    {
        using var client = factory.CreateApiClient();
        var (files, patientId) = Export();
        // Blanks and an element order of the sender's own: what is stored is the line, not the parser's rendering of it.
        var asSent = $$"""{ "status": "final", "id": "{{patientId}}-as-sent", "resourceType": "Observation", "code": {"coding": [{"system": "http://loinc.org", "code": "1975-2"}]}, "subject": {"reference": "Patient/{{patientId}}"}, "effectiveDateTime": "{{TestClock.DaysAgo(3)}}", "valueQuantity": {"value": 1.50, "unit": "mg/dL", "system": "http://unitsofmeasure.org", "code": "mg/dL"} }""";
        var withoutId = $$"""{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"1975-2"}]},"subject":{"reference":"Patient/{{patientId}}"},"effectiveDateTime":"{{TestClock.DaysAgo(2)}}","valueQuantity":{"value":2,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"} }""";

        var (status, bundle) = await PostNdjsonAsync(client, files["Patient"].Append(asSent + "  ").Append(withoutId));

        status.Should().Be(HttpStatusCode.OK);
        var locations = bundle.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("response").GetProperty("location").GetString()!).ToList();
        (await RowAsync(factory.Services, "Observation", $"{patientId}-as-sent"))!.Json.Should().Be(asSent, "the line is stored as sent, without the blanks around it");
        var given = (await RowAsync(factory.Services, "Observation", locations[^1].Split('/')[1]))!.Json;
        JsonNode.Parse(given!)!["id"]!.GetValue<string>().Should().Be(locations[^1].Split('/')[1], "a resource given an id is stored with it, not as the line without one");

        // The same line again is a duplicate, as a re-sent part of an import is.
        var (_, again) = await PostNdjsonAsync(client, [asSent]);
        again.GetProperty("entry")[0].GetProperty("response").GetProperty("outcome").GetProperty("issue")[0].GetProperty("diagnostics").GetString().Should().Be("unchanged");
    }

    [Fact]
    public async Task Closing_a_window_answers_a_page_when_its_time_runs_out_and_the_cursor_leads_to_the_rest()
    {
        // No time at all: each page takes up one patient, the one under way being finished.
        using var paged = factory.WithWebHostBuilder(b => b.UseSetting("Ingestion:RecomputePageTime", "00:00:00"));
        using var client = paged.CreateApiClient();
        var patients = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (files, patientId) = Export();
            patients.Add(patientId);
            using var content = new StringContent(string.Join('\n', files.Values.SelectMany(l => l)) + "\n", Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/fhir+ndjson");
            content.Headers.Add(ImportCommand.RecomputeHeader, "deferred");
            using var response = await client.PostAsync(new Uri("/fhir", UriKind.Relative), content, Token);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        // From just before the first of them in patient order, so other tests' patients do not count.
        var first = patients.Select(p => $"Patient/{p}").Order(StringComparer.Ordinal).First();
        string? after = first[..^1];
        var pages = new List<(int Recomputed, string? Next)>();
        do
        {
            using var page = await client.PostAsync(new Uri($"/recompute?after={Uri.EscapeDataString(after)}", UriKind.Relative), content: null, Token);
            page.StatusCode.Should().Be(HttpStatusCode.OK);
            using var body = JsonDocument.Parse(await page.Content.ReadAsStringAsync(Token));
            after = body.RootElement.GetProperty("next").GetString();
            pages.Add((body.RootElement.GetProperty("recomputed").GetInt32(), after));
        }
        while (after is not null && pages.Count < 50);

        pages[0].Should().Be((1, first), "the page ran out of time after its first patient and answers it as the cursor");
        pages.Should().OnlyContain(p => p.Recomputed <= 1).And.HaveCountGreaterThanOrEqualTo(3);
        foreach (var patientId in patients)
        {
            var (_, revision, reportGeneration, recordGeneration) = await RecomputesAsync(patientId);
            revision.Should().Be(1, "following the cursor recomputes every stale patient once");
            reportGeneration.Should().Be(recordGeneration);
        }
    }

    /// <summary>Holds the answer to the first part until the second is answered; refuses the third (HTTP 400, for good).</summary>
    private sealed class OrderedParts : DelegatingHandler
    {
        private readonly TaskCompletionSource _second = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _parts;

        public bool SecondAnsweredFirst { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri?.AbsolutePath != "/fhir")
            {
                return await base.SendAsync(request, cancellationToken);
            }

            switch (Interlocked.Increment(ref _parts))
            {
                case 1:
                    var first = await base.SendAsync(request, cancellationToken);
                    await _second.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
                    SecondAnsweredFirst = true;
                    return first;
                case 2:
                    var second = await base.SendAsync(request, cancellationToken);
                    _second.TrySetResult();
                    return second;
                case 3:
                    return new HttpResponseMessage(HttpStatusCode.BadRequest)
                    {
                        Content = new StringContent("""{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","diagnostics":"refused for the test"}]}""", Encoding.UTF8, "application/fhir+json"),
                    };
                default:
                    return await base.SendAsync(request, cancellationToken);
            }
        }
    }

    /// <summary>The recomputes queued through the outbox for a patient, and its report's revision and generation against its record's.</summary>
    private async Task<(int Queued, long? Revision, long? ReportGeneration, long RecordGeneration)> RecomputesAsync(string patientId) =>
        await QueryAsync(factory.Services, async s => (
            await s.Outbox.CountAsync(m => m.MessageType == "RecomputeEligibility" && m.Payload.Contains($"Patient/{patientId}\""), Token),
            await s.Reports.Where(r => r.Patient == $"Patient/{patientId}").Select(r => (long?)r.Revision).SingleOrDefaultAsync(Token),
            await s.Reports.Where(r => r.Patient == $"Patient/{patientId}").Select(r => (long?)r.Generation).SingleOrDefaultAsync(Token),
            await s.PatientRecords.Where(r => r.Patient == $"Patient/{patientId}").Select(r => r.Generation).SingleOrDefaultAsync(Token)));

    [Fact]
    public async Task Import_recomputes_each_patient_once_per_window_not_once_per_part()
    {
        using var client = factory.CreateApiClient();
        var (files, patientId) = Export();
        foreach (var (type, lines) in files)
        {
            await File.WriteAllLinesAsync(Path.Combine(_directory, $"{type}.ndjson"), lines, Token);
        }

        using var output = new StringWriter();
        // Parts of 2 resources: the patient's record is written by many parts, each a transaction bumping its generation.
        (await ImportCommand.RunAsync(["import", _directory, "--url", "http://localhost", "--batch", "2"], output, TextWriter.Null, client, Token)).Should().Be(0);

        var (queued, revision, reportGeneration, recordGeneration) = await RecomputesAsync(patientId);
        recordGeneration.Should().BeGreaterThan(2, "several parts wrote the patient's record");
        queued.Should().Be(0, "no part queued a recompute through the outbox: the import deferred them");
        revision.Should().Be(1, "the patient was recomputed once, when the import window closed");
        reportGeneration.Should().Be(recordGeneration, "that one recompute saw every part");
        output.ToString().Should().MatchRegex(@"; [1-9][0-9,]* patients recomputed");
        (await ReportAsync(client, patientId)).GetProperty("assessments").GetArrayLength().Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task A_resumed_import_recomputes_the_patients_a_stopped_run_left_stale()
    {
        using var client = factory.CreateApiClient();
        var (files, patientId) = Export();
        var patients = Path.Combine(_directory, "Patient.ndjson");
        var observations = Path.Combine(_directory, "Observation.ndjson");
        await File.WriteAllLinesAsync(patients, files["Patient"], Token);
        await File.WriteAllLinesAsync(observations, files["Observation"], Token);
        // A first run stored the Patient and two Observations as deferred parts, then stopped before closing its window.
        using (var content = new StringContent(string.Join('\n', files["Patient"].Concat(files["Observation"].Take(2))) + "\n", Encoding.UTF8))
        {
            content.Headers.ContentType = new MediaTypeHeaderValue("application/fhir+ndjson");
            content.Headers.Add(ImportCommand.RecomputeHeader, "deferred");
            using var response = await client.PostAsync(new Uri("/fhir", UriKind.Relative), content, Token);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await File.WriteAllTextAsync(Path.Combine(_directory, ".netcds-import.json"), JsonSerializer.Serialize(new Dictionary<string, long>
        {
            [Path.GetFullPath(patients)] = files["Patient"].Count,
            [Path.GetFullPath(observations)] = 2,
        }), Token);
        var stopped = await RecomputesAsync(patientId);
        (stopped.Queued, stopped.Revision).Should().Be((0, (long?)null), "the stopped run's parts queued nothing and nothing recomputed the patient");

        using var output = new StringWriter();
        (await ImportCommand.RunAsync(["import", _directory, "--url", "http://localhost", "--batch", "3"], output, TextWriter.Null, client, Token)).Should().Be(0);

        output.ToString().Should().Contain($"imported {files["Observation"].Count - 2:N0} resources");
        var (queued, revision, reportGeneration, recordGeneration) = await RecomputesAsync(patientId);
        queued.Should().Be(0);
        revision.Should().Be(1, "the resumed run's window covered the stopped run's patients, once");
        reportGeneration.Should().Be(recordGeneration, "the report covers both runs' parts");
    }

    [Fact]
    public async Task An_operator_recomputes_one_patient_through_the_admin_API_and_the_backfill_route_needs_write_access()
    {
        using var client = factory.CreateApiClient();
        var (files, patientId) = Export();
        var (status, _) = await PostNdjsonAsync(client, files.Values.SelectMany(l => l));
        status.Should().Be(HttpStatusCode.OK);
        var first = await EventuallyAsync(() => RecomputesAsync(patientId), r => r.Revision is not null && r.ReportGeneration == r.RecordGeneration);

        using var admin = factory.CreateApiClient("system/*.read netcds.admin");
        using (var replay = await admin.PostAsync(new Uri($"/admin/recompute/{patientId}", UriKind.Relative), content: null, Token))
        {
            replay.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await RecomputesAsync(patientId)).Revision.Should().Be(first.Revision + 1, "the operator's request recomputes even a report that is up to date");
        using (var notAdmin = await client.PostAsync(new Uri($"/admin/recompute/{patientId}", UriKind.Relative), content: null, Token))
        {
            notAdmin.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        using var reader = factory.CreateApiClient("system/*.read");
        using var refused = await reader.PostAsync(new Uri("/recompute", UriKind.Relative), content: null, Token);
        refused.StatusCode.Should().Be(HttpStatusCode.Forbidden, "closing an import window is for callers that may write patients");
    }

    [Fact]
    public async Task A_recompute_of_a_patient_nothing_is_stored_for_writes_no_report_and_announces_nothing()
    {
        var patientId = $"none-{Guid.NewGuid():N}"[..24];
        using var admin = factory.CreateApiClient("system/*.read netcds.admin");
        using (var replay = await admin.PostAsync(new Uri($"/admin/recompute/{patientId}", UriKind.Relative), content: null, Token))
        {
            replay.StatusCode.Should().Be(HttpStatusCode.OK);
            (await replay.Content.ReadAsStringAsync(Token)).Should().Be("\"NothingToEvaluate\"");
        }

        (await RecomputesAsync(patientId)).Revision.Should().BeNull("no report is made up for a patient with no record");
        (await QueryAsync(factory.Services, s => s.Outbox.CountAsync(m => m.MessageType == "EligibilityChanged" && m.Payload.Contains($"Patient/{patientId}\""), Token)))
            .Should().Be(0, "nothing changed for a patient with no record");
    }
}

using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using NetCds.Service.Tests.CdsHooks;
using NetCds.Service.Tests.CdsHooks.Support;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests.Security;

/// <summary>Regression tests of issue 9: bad input as an attacker or a careless integration engine sends it answers 4xx with a body, never 500.</summary>
public sealed class BadInputTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StringContent Fhir(string json) => new(json, Encoding.UTF8, "application/fhir+json");

    private static async Task<JsonElement> JsonOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

    [Fact]
    public async Task An_asOf_at_the_end_of_time_is_a_400_on_evaluate_and_on_the_demo()
    {
        using var client = factory.CreateApiClient();
        using var evaluate = await client.PostAsync(new Uri("/eligibility/$evaluate?asOf=9999-12-31T23:59:59Z", UriKind.Relative), Fhir(HookCalls.Seed("02-pancreatic-net-g2-progressive")), Ct);
        using var demo = await client.GetAsync(new Uri("/demo/seeds/02-pancreatic-net-g2-progressive/eligibility?asOf=9999-12-31T23:59:59Z", UriKind.Relative), Ct);

        evaluate.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        demo.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await JsonOf(evaluate)).GetProperty("issue")[0].GetProperty("expression")[0].GetString().Should().Be("asOf");
    }

    [Theory]
    [InlineData("PUT", "/fhir/Patient/a%2Fb")]
    [InlineData("PUT", "/fhir/Patient/a%20b")]
    [InlineData("PUT", "/fhir/Patient/a%E2%80%AEb")]
    [InlineData("DELETE", "/fhir/NotAType/x")]
    [InlineData("DELETE", "/fhir/Patient/a%2Fb")]
    [InlineData("GET", "/eligibility/a%20b")]
    [InlineData("PUT", "/fhir/Patient/")]
    [InlineData("PUT", "/fhir/Patient")]
    [InlineData("DELETE", "/fhir/Patient/")]
    [InlineData("PUT", "/fhir/Patient/a/b")]
    [InlineData("DELETE", "/fhir/Patient/a/b")]
    [InlineData("GET", "/eligibility/")]
    [InlineData("GET", "/eligibility/a/b")]
    public async Task Ids_and_types_in_URLs_are_checked(string method, string path)
    {
        using var client = factory.CreateApiClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative))
        {
            Content = method == "PUT" ? Fhir("""{"resourceType":"Patient","birthDate":"1960-01-01"}""") : null,
        };

        using var response = await client.SendAsync(request, Ct);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await JsonOf(response)).GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    public async Task A_dot_segment_id_in_a_body_is_refused(string id)
    {
        using var client = factory.CreateApiClient();

        using var response = await client.PostAsync(new Uri("/fhir", UriKind.Relative), Fhir($$"""{"resourceType":"Patient","id":"{{id}}","birthDate":"1960-01-01"}"""), Ct);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await JsonOf(response)).GetProperty("issue")[0].GetProperty("diagnostics").GetString().Should().Contain("not '.' or '..'");
    }

    [Fact]
    public async Task A_5000_character_id_in_a_URL_or_a_body_is_refused()
    {
        using var client = factory.CreateApiClient();
        var id = new string('a', 5000);

        using var inUrl = await client.PutAsync(new Uri($"/fhir/Patient/{id}", UriKind.Relative), Fhir("""{"resourceType":"Patient","birthDate":"1960-01-01"}"""), Ct);
        using var inBody = await client.PostAsync(new Uri("/fhir", UriKind.Relative), Fhir($$"""{"resourceType":"Patient","id":"{{id[..65]}}","birthDate":"1960-01-01"}"""), Ct);

        inUrl.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        inBody.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_deleted_resource_can_be_created_again()
    {
        using var client = factory.CreateApiClient();
        const string Path = "/fhir/Patient/recreated-1";

        using var created = await client.PutAsync(new Uri(Path, UriKind.Relative), Fhir("""{"resourceType":"Patient","birthDate":"1960-01-01"}"""), Ct);
        using var deleted = await client.DeleteAsync(new Uri(Path, UriKind.Relative), Ct);
        using var again = await client.PutAsync(new Uri(Path, UriKind.Relative), Fhir("""{"resourceType":"Patient","birthDate":"1961-01-01"}"""), Ct);

        created.StatusCode.Should().Be(HttpStatusCode.Created);
        deleted.StatusCode.Should().Be(HttpStatusCode.NoContent);
        again.StatusCode.Should().Be(HttpStatusCode.Created);
        (await JsonOf(again)).GetProperty("birthDate").GetString().Should().Be("1961-01-01");
    }

    [Fact]
    public async Task A_nested_bundle_is_ingested_with_one_response_entry_per_posted_entry()
    {
        using var client = factory.CreateApiClient();
        var transaction = """
            {"resourceType":"Bundle","type":"transaction","entry":[
              {"resource":{"resourceType":"Bundle","type":"collection","entry":[
                {"resource":{"resourceType":"Observation","id":"nested-obs-1","status":"final","subject":{"reference":"Patient/nested-1"},"code":{"coding":[{"system":"http://loinc.org","code":"29593-1"}]}}}]},
               "request":{"method":"POST","url":"Bundle"}},
              {"resource":{"resourceType":"Patient","id":"nested-1"},"request":{"method":"PUT","url":"Patient/nested-1"}}]}
            """;

        using var response = await client.PostAsync(new Uri("/fhir", UriKind.Relative), Fhir(transaction), Ct);
        var entries = (await JsonOf(response)).GetProperty("entry");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        entries.GetArrayLength().Should().Be(2);
        entries[0].GetProperty("response").GetProperty("outcome").GetProperty("issue")[0].GetProperty("diagnostics").GetString().Should().Contain("Observation/nested-obs-1");
        entries[1].GetProperty("response").GetProperty("location").GetString().Should().Be("Patient/nested-1");
    }

    [Fact]
    public async Task Unknown_routes_and_wrong_methods_answer_with_a_body()
    {
        using var client = factory.CreateApiClient();

        using var unknown = await client.GetAsync(new Uri("/no-such-route", UriKind.Relative), Ct);
        using var method = await client.PatchAsync(new Uri("/demo/seeds", UriKind.Relative), Fhir("{}"), Ct);

        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await JsonOf(unknown)).GetProperty("issue")[0].GetProperty("code").GetString().Should().Be("not-found");
        method.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        (await JsonOf(method)).GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
    }

    /// <summary>Valid entries followed by an element Firely refuses: a 400 would mean the body was parsed before it was counted.</summary>
    private static string BundleOf(int entries, bool nested = false)
    {
        var builder = new StringBuilder(entries * 120);
        builder.Append("""{"resourceType":"Bundle","type":"collection","entry":[""");
        if (nested)
        {
            builder.Append("""{"resource":{"resourceType":"Bundle","type":"collection","entry":[""");
        }

        for (var i = 0; i < entries; i++)
        {
            builder.Append(i == 0 ? "" : ",").Append("{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"o").Append(i).Append("\",\"status\":\"final\",\"code\":{\"text\":\"x\"}}}");
        }

        builder.Append(nested ? "]}}]" : "]");
        return builder.Append(""","notAnElement":true}""").ToString();
    }

    [Theory]
    [InlineData("/fhir", 100_000, false)]
    [InlineData("/fhir", 1001, true)]
    [InlineData("/eligibility/$evaluate", 100_000, false)]
    public async Task Too_many_entries_are_refused_before_the_Bundle_is_parsed(string path, int entries, bool nested)
    {
        using var client = factory.CreateApiClient();
        var body = BundleOf(entries, nested);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), Fhir(body), Ct);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        var issue = (await JsonOf(response)).GetProperty("issue")[0];
        issue.GetProperty("code").GetString().Should().Be("too-long");
        issue.GetProperty("expression")[0].GetString().Should().Be("Bundle.entry");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "a full parse of 100,000 entries took up to 11 s");
    }

    [Fact]
    public async Task A_Bundle_at_the_entry_limit_is_parsed()
    {
        using var client = factory.CreateApiClient();

        using var response = await client.PostAsync(new Uri("/fhir", UriKind.Relative), Fhir(BundleOf(1000)), Ct);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, "within the limit the body is parsed, and Firely refuses notAnElement");
    }

    [Fact]
    public async Task A_request_that_runs_past_the_timeout_gets_a_504_with_an_OperationOutcome()
    {
        using var slow = factory.WithWebHostBuilder(b => b
            .UseSetting("Service:RequestTimeoutSeconds", "1")
            .ConfigureTestServices(services => FaultyStore.Replace(services, "/eligibility/slow-1", http =>
            {
                http.RequestAborted.WaitHandle.WaitOne(TimeSpan.FromSeconds(10));
                http.RequestAborted.ThrowIfCancellationRequested();
            })));
        using var client = slow.CreateApiClient();

        using var response = await client.GetAsync(new Uri("/eligibility/slow-1", UriKind.Relative), Ct);

        response.StatusCode.Should().Be(HttpStatusCode.GatewayTimeout);
        (await JsonOf(response)).GetProperty("issue")[0].GetProperty("diagnostics").GetString().Should().Contain("took too long").And.Contain("Correlation id");
    }

    [Fact]
    public async Task An_unexpected_exception_is_a_500_OperationOutcome_with_a_correlation_id_and_not_its_message()
    {
        const string Secret = "Patient/secret-patient-77 password=hunter2";
        var logs = new LogCapture();
        using var faulty = factory.WithWebHostBuilder(b => b
            .ConfigureLogging(l => l.AddProvider(logs))
            .ConfigureTestServices(services => FaultyStore.Replace(services, "/eligibility/boom-1", _ => throw new InvalidOperationException(Secret))));
        using var client = faulty.CreateApiClient();

        using var response = await client.GetAsync(new Uri("/eligibility/boom-1", UriKind.Relative), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/fhir+json");
        var issue = JsonDocument.Parse(text).RootElement.GetProperty("issue")[0];
        issue.GetProperty("code").GetString().Should().Be("exception");
        var correlation = System.Text.RegularExpressions.Regex.Match(issue.GetProperty("diagnostics").GetString()!, "Correlation id: (.+)\\.$").Groups[1].Value;
        correlation.Should().NotBeEmpty();
        text.Should().NotContain("secret-patient-77").And.NotContain("hunter2");
        logs.Entries.Should().Contain(e => e.Level == LogLevel.Error && e.Text.Contains(correlation, StringComparison.Ordinal) && e.Text.Contains("InvalidOperationException", StringComparison.Ordinal));
        logs.AllText.Should().NotContain("secret-patient-77").And.NotContain("hunter2");
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_the_routes()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative), Ct);
        var paths = (await JsonOf(response)).GetProperty("paths");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        Statuses(paths, "/fhir", "post").Should().Contain(["200", "201", "400", "401", "403", "413", "415", "500", "504"]);
        Statuses(paths, "/fhir/{type}", "post").Should().Contain(["201", "400", "413"]);
        Statuses(paths, "/fhir/{type}/{id}", "put").Should().Contain(["200", "201", "400", "401", "403", "413", "415", "500"]);
        Statuses(paths, "/fhir/{type}/{id}", "delete").Should().Contain(["204", "400", "401", "403", "500"]);
        Statuses(paths, "/eligibility/{patientId}", "get").Should().Contain(["200", "400", "401", "403", "404", "500"]);
        Statuses(paths, "/eligibility/$evaluate", "post").Should().Contain(["200", "400", "401", "403", "413", "415", "422", "500", "504"]);
        Statuses(paths, "/cds-services/{id}", "post").Should().Contain(["200", "400", "404", "412", "413", "415"]);
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_the_NDJSON_body_of_POST_fhir_beside_FHIR_JSON()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative), Ct);
        var body = (await JsonOf(response)).GetProperty("paths").GetProperty("/fhir").GetProperty("post").GetProperty("requestBody");
        var content = body.GetProperty("content");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        content.EnumerateObject().Select(c => c.Name).Should().BeEquivalentTo(["application/fhir+json", "application/fhir+ndjson"]);
        var ndjson = content.GetProperty("application/fhir+ndjson").GetProperty("schema");
        ndjson.GetProperty("type").GetString().Should().Be("string");
        ndjson.GetProperty("description").GetString().Should().Contain("per line").And.Contain("batch-response Bundle");
        content.GetProperty("application/fhir+json").GetProperty("schema").GetProperty("type").GetString().Should().Be("object");
    }

    private static List<string> Statuses(JsonElement paths, string path, string method) =>
        [.. paths.GetProperty(path).GetProperty(method).GetProperty("responses").EnumerateObject().Select(r => r.Name)];
}

/// <summary>Bad CDS Hooks calls, with the JWT check off (they are about the body).</summary>
public sealed class BadHookInputTests(OpenCdsFactory factory) : IClassFixture<OpenCdsFactory>
{
    private const string PatientView = "/cds-services/net-liver-mets-eligibility";

    [Theory]
    [InlineData("a b")]
    [InlineData("../Patient/x")]
    [InlineData("\u202Eevil")]
    public async Task A_patientId_that_is_not_a_FHIR_id_is_a_400(string patientId)
    {
        using var client = factory.CreateClient();
        var seed = HookCalls.Seed("02-pancreatic-net-g2-progressive");

        var (response, body) = await HookCalls.PostAsync(client, PatientView, HookCalls.Call("patient-view", patientId, HookCalls.PrefetchFrom(seed)));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        body.GetProperty("issue")[0].GetProperty("expression")[0].GetString().Should().Be("context.patientId");
    }

    [Fact]
    public async Task A_prefetched_patient_of_another_patient_does_not_satisfy_the_patient_key()
    {
        using var client = factory.CreateClient();
        var seed = HookCalls.Seed("02-pancreatic-net-g2-progressive");

        var (response, _) = await HookCalls.PostAsync(client, PatientView, HookCalls.Call("patient-view", "someone-else", HookCalls.PrefetchFrom(seed)));

        response.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
    }

    [Fact]
    public async Task The_same_resource_twice_in_a_prefetch_is_not_a_500()
    {
        using var client = factory.CreateClient();
        var seed = HookCalls.Seed("02-pancreatic-net-g2-progressive");
        var prefetch = HookCalls.PrefetchFrom(seed);
        var observations = prefetch["observations"]!["entry"]!.AsArray();
        observations.Add(observations[0]!.DeepClone());

        var (response, _) = await HookCalls.PostAsync(client, PatientView, HookCalls.Call("patient-view", HookCalls.PatientIdOf(seed), prefetch));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Ten_thousand_feedback_items_are_refused_before_they_are_read()
    {
        using var client = factory.CreateClient();
        var items = string.Join(',', Enumerable.Repeat("""{"card":"c","outcome":"accepted","outcomeTimestamp":"2026-01-01T00:00:00Z"}""", 10_000));

        using var response = await client.PostAsync(new Uri(PatientView + "/feedback", UriKind.Relative), new StringContent($$"""{"feedback":[{{items}}]}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge, "the validator's own 100-item check answers 400 after deserializing");
    }

    [Fact]
    public async Task A_feedback_body_over_1_MiB_is_refused()
    {
        using var client = factory.CreateClient();
        var comment = new string('x', 1024 * 1024);

        using var response = await client.PostAsync(new Uri(PatientView + "/feedback", UriKind.Relative), new StringContent($$$"""{"feedback":[{"card":"c","outcome":"overridden","outcomeTimestamp":"2026-01-01T00:00:00Z","overrideReason":{"userComment":"{{{comment}}}"}}]}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task A_prefetch_over_the_entry_limit_is_refused_before_it_is_parsed()
    {
        using var client = factory.CreateClient();
        var seed = HookCalls.Seed("02-pancreatic-net-g2-progressive");
        var prefetch = HookCalls.PrefetchFrom(seed);
        var observations = prefetch["observations"]!["entry"]!.AsArray();
        var template = observations[0]!;
        while (observations.Count <= 5000)
        {
            observations.Add(template.DeepClone());
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (response, body) = await HookCalls.PostAsync(client, PatientView, HookCalls.Call("patient-view", HookCalls.PatientIdOf(seed), prefetch));

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge, body.ToString());
        body.GetProperty("issue")[0].GetProperty("expression")[0].GetString().Should().Be("entry");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_hook_call_and_feedback_limits_are_settings()
    {
        // Issue 20: CdsHooks:Limits. Lowered here so a small call crosses them.
        using var limited = factory.WithWebHostBuilder(b => b
            .UseSetting("CdsHooks:Limits:MaxPrefetchEntries", "3")
            .UseSetting("CdsHooks:Limits:MaxFeedbackItems", "2")
            .UseSetting("CdsHooks:Limits:MaxFeedbackBytes", "2048"));
        using var client = limited.CreateClient();
        var seed = HookCalls.Seed("02-pancreatic-net-g2-progressive");
        var item = """{"card":"c","outcome":"accepted","outcomeTimestamp":"2026-01-01T00:00:00Z"}""";

        var (call, body) = await HookCalls.PostAsync(client, PatientView, HookCalls.Call("patient-view", HookCalls.PatientIdOf(seed), HookCalls.PrefetchFrom(seed)));
        using var threeItems = await client.PostAsync(new Uri(PatientView + "/feedback", UriKind.Relative), new StringContent($$"""{"feedback":[{{item}},{{item}},{{item}}]}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        using var bigComment = await client.PostAsync(new Uri(PatientView + "/feedback", UriKind.Relative), new StringContent($$$"""{"feedback":[{"card":"c","outcome":"overridden","outcomeTimestamp":"2026-01-01T00:00:00Z","overrideReason":{"userComment":"{{{new string('x', 4096)}}}"}}]}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        call.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge, body.ToString());
        body.GetProperty("issue")[0].GetProperty("expression")[0].GetString().Should().Be("entry");
        threeItems.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        bigComment.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public void A_limit_out_of_range_stops_the_service_at_start()
    {
        using var misconfigured = factory.WithWebHostBuilder(b => b.UseSetting("CdsHooks:Limits:MaxPrefetchEntries", "0"));

        var start = () => misconfigured.CreateClient();

        start.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().Which.Message.Should().Contain("MaxPrefetchEntries");
    }

    [Fact]
    public async Task An_invalid_UTF8_byte_in_a_prefetch_is_a_400()
    {
        using var client = factory.CreateClient();
        var seed = HookCalls.Seed("02-pancreatic-net-g2-progressive");
        var json = Encoding.UTF8.GetBytes(HookCalls.Call("patient-view", HookCalls.PatientIdOf(seed), HookCalls.PrefetchFrom(seed)).ToJsonString());
        var at = Array.IndexOf(json, (byte)'G');
        json[at] = 0xFF;
        using var content = new ByteArrayContent(json);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await client.PostAsync(new Uri(PatientView, UriKind.Relative), content, TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task One_malformed_resource_in_a_prefetch_searchset_is_set_aside_and_its_neighbours_kept()
    {
        using var client = factory.CreateClient();
        var seed = HookCalls.Seed("02-pancreatic-net-g2-progressive");
        var patientId = HookCalls.PatientIdOf(seed);
        var clean = HookCalls.PrefetchFrom(seed);
        var broken = HookCalls.PrefetchFrom(seed);
        var bad = JsonNode.Parse($$$"""
            {"resource":{"resourceType":"Condition","id":"bad-condition-1","subject":{"reference":"Patient/{{{patientId}}}"},
             "verificationStatus":{"coding":{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"confirmed"} },
             "code":{"text":"anything"} } }
            """)!;
        var conditions = broken["conditions"]!["entry"]!.AsArray();
        conditions.Count.Should().BeGreaterThan(0, "the seed has Conditions to keep");
        conditions.Insert(1, bad);

        var (cleanResponse, cleanBody) = await HookCalls.PostAsync(client, PatientView, HookCalls.Call("patient-view", patientId, clean));
        var (response, body) = await HookCalls.PostAsync(client, PatientView, HookCalls.Call("patient-view", patientId, broken));

        cleanResponse.StatusCode.Should().Be(HttpStatusCode.OK);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var card = body.GetProperty("cards")[0];
        card.GetProperty("summary").GetString().Should().Be(cleanBody.GetProperty("cards")[0].GetProperty("summary").GetString(), "the good Conditions are still used");
        var detail = card.GetProperty("detail").GetString();
        detail.Should().Contain("Condition/bad-condition-1").And.Contain("not valid FHIR R4").And.NotContain("conditions:");
    }

    [Fact]
    public async Task An_unknown_CDS_route_answers_a_JSON_error()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/cds-services/x/y/z", UriKind.Relative), TestContext.Current.CancellationToken);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        ((int)body["status"]!).Should().Be(404);
        ((string?)body["correlationId"]).Should().NotBeNullOrEmpty();
    }
}

using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetCds.Service.Tests.CdsHooks.Support;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests.CdsHooks;

/// <summary>
/// Issue 20, CDS Hooks 2.0 details: no answer of the CDS surface holds a null or empty value, and a card's extension
/// names the report (patient, URL of <c>GET /eligibility/{id}</c>, rules version, the stored revision when the card
/// states it) instead of copying it.
/// </summary>
public sealed class CdsAnswerShapeTests(OpenCdsFactory factory) : IClassFixture<OpenCdsFactory>
{
    private const string Findings = "http://netcds.org/fhir/CodeSystem/net-findings";
    private const string PatientView = "/cds-services/net-liver-mets-eligibility";
    private const string OrderSelect = "/cds-services/net-order-select";
    private const string ReportKey = "org.netcds.eligibility-report";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonObject SeedCall(string seed, string hook = "patient-view", JsonObject? extraContext = null, string? renamed = null)
    {
        var json = renamed is null ? HookCalls.Seed(seed) : Renamed(seed, renamed);
        return HookCalls.Call(hook, HookCalls.PatientIdOf(json), HookCalls.PrefetchFrom(json), extraContext);
    }

    /// <summary>A seed with its patient id replaced, so that what a test stores is its own.</summary>
    private static string Renamed(string seed, string patient)
    {
        var json = HookCalls.Seed(seed);
        return json.Replace(HookCalls.PatientIdOf(json), patient, StringComparison.Ordinal);
    }

    private static string Seed09As(string patient) => Renamed("09-pancreatic-net-complete-portal-vein-thrombosis", patient);

    private static JsonObject Order(string code) => new()
    {
        ["draftOrders"] = HookCalls.DraftOrders("ServiceRequest", Findings, code),
        ["selections"] = new JsonArray("ServiceRequest/draft-1"),
    };

    [Fact]
    public async Task No_answer_of_the_CDS_surface_holds_a_null_or_empty_value()
    {
        using var client = factory.CreateClient();
        var answers = new List<(string What, HttpStatusCode Status, string Body)>();
        async Task Keep(string what, HttpResponseMessage response)
        {
            answers.Add((what, response.StatusCode, await response.Content.ReadAsStringAsync(Ct)));
            response.Dispose();
        }

        async Task<JsonElement> Call(string what, string path, JsonNode body)
        {
            using var request = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
            await Keep(what, await client.PostAsync(new Uri(path, UriKind.Relative), request, Ct));
            return answers[^1].Body.Length == 0 ? default : JsonDocument.Parse(answers[^1].Body).RootElement.Clone();
        }

        await Keep("discovery", await client.GetAsync(new Uri("/cds-services", UriKind.Relative), Ct));
        // Seeds chosen for the most optional members: a work-up card with suggestions, data set aside, contraindications.
        var shown = await Call("patient-view 17", PatientView, SeedCall("17-men1-pancreatic-net-workup-incomplete"));
        await Call("patient-view 20", PatientView, SeedCall("20-data-problems"));
        await Call("patient-view 09", PatientView, SeedCall("09-pancreatic-net-complete-portal-vein-thrombosis"));
        await Call("order-select", OrderSelect, SeedCall("09-pancreatic-net-complete-portal-vein-thrombosis", "order-select", Order("tace")));
        await Call("order-select 01", OrderSelect, SeedCall("01-ileal-carcinoid-syndrome-unresectable", "order-select", Order("sirt")));
        var card = shown.GetProperty("cards")[0].GetProperty("uuid").GetString()!;
        await Call("feedback", PatientView + "/feedback", JsonNode.Parse($$$"""
            {"feedback":[{"card":"{{{card}}}","outcome":"overridden","overrideReason":{"reason":{"code":"discussed-at-mdt","system":"http://netcds.org/fhir/CodeSystem/override-reasons"}},"outcomeTimestamp":"2026-11-20T11:00:00Z"}]}
            """)!);
        await Call("unknown feedback card", PatientView + "/feedback", JsonNode.Parse("""
            {"feedback":[{"card":"no-such-card","outcome":"accepted","acceptedSuggestions":[{"id":"x"}],"outcomeTimestamp":"2026-11-20T11:00:00Z"}]}
            """)!);
        await Call("bad call", PatientView, new JsonObject { ["hook"] = "patient-view" });
        await Call("unknown service", "/cds-services/no-such-service", SeedCall("19-minimal-data-referral"));

        answers.Select(a => (a.What, a.Status)).Should().Equal(
            ("discovery", HttpStatusCode.OK), ("patient-view 17", HttpStatusCode.OK), ("patient-view 20", HttpStatusCode.OK),
            ("patient-view 09", HttpStatusCode.OK), ("order-select", HttpStatusCode.OK), ("order-select 01", HttpStatusCode.OK), ("feedback", HttpStatusCode.OK),
            ("unknown feedback card", HttpStatusCode.BadRequest), ("bad call", HttpStatusCode.BadRequest), ("unknown service", HttpStatusCode.NotFound));
        var cards = answers.Where(a => a.What.StartsWith("patient-view", StringComparison.Ordinal) || a.What.StartsWith("order-select", StringComparison.Ordinal))
            .SelectMany(a => JsonDocument.Parse(a.Body).RootElement.GetProperty("cards").EnumerateArray()).ToList();
        cards.Where(c => c.TryGetProperty("suggestions", out _)).Should().NotBeEmpty("the walk covers suggestions and their draft resources");
        cards.Count(c => c.TryGetProperty("extension", out _)).Should().BeGreaterThanOrEqualTo(4, "the walk covers the report extension");
        foreach (var (what, _, body) in answers)
        {
            // The feedback answer is a 200 with no body at all: nothing there can be null or empty.
            if (body.Length > 0)
            {
                var walk = () => CardConformance.AssertNoNullOrEmpty(JsonDocument.Parse(body).RootElement);
                walk.Should().NotThrow(what);
            }
        }
    }

    [Fact]
    public async Task The_extension_names_the_stored_report_and_its_URL_gives_that_revision_with_a_token()
    {
        const string Patient = "named-09";
        using var api = factory.CreateApiClient();
        var seed = Seed09As(Patient);
        using (var stored = await api.PostAsync(new Uri("/fhir", UriKind.Relative), new StringContent(seed, System.Text.Encoding.UTF8, "application/fhir+json"), Ct))
        {
            stored.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        var revision = await StoredRevisionAsync(api, Patient);
        revision.Should().NotBeNull("the recompute stores a report for the patient");

        var (response, body) = await HookCalls.PostAsync(api, PatientView, SeedCall("09-pancreatic-net-complete-portal-vein-thrombosis", renamed: Patient));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var named = body.GetProperty("cards")[0].GetProperty("extension").GetProperty(ReportKey);
        named.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(["patient", "url", "rulesVersion", "evaluatedAt", "revision"], "a name, not a copy");
        named.GetProperty("patient").GetString().Should().Be($"Patient/{Patient}");
        named.GetProperty("revision").GetInt32().Should().Be(revision!.Value, "the call's data are the stored ones: the card states the stored report");
        var url = new Uri(named.GetProperty("url").GetString()!);
        url.IsAbsoluteUri.Should().BeTrue();
        url.AbsolutePath.Should().Be($"/eligibility/{Patient}");

        using var followed = await api.GetAsync(new Uri(url.PathAndQuery, UriKind.Relative), Ct);
        using var anonymous = await factory.CreateClient().GetAsync(new Uri(url.PathAndQuery, UriKind.Relative), Ct);

        followed.StatusCode.Should().Be(HttpStatusCode.OK);
        followed.Headers.ETag!.ToString().Should().Be($"W/\"{named.GetProperty("revision").GetInt32()}\"");
        var report = JsonDocument.Parse(await followed.Content.ReadAsStringAsync(Ct)).RootElement;
        report.GetProperty("patient").GetString().Should().Be($"Patient/{Patient}");
        report.GetProperty("rulesVersion").GetString().Should().Be(named.GetProperty("rulesVersion").GetString());
        report.GetProperty("assessments").EnumerateArray().Single(a => a.GetProperty("therapy").GetString() == "EMB")
            .GetProperty("status").GetString().Should().Be("contraindicated");
        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the report is patient data: the URL needs a token");
    }

    [Fact]
    public async Task A_card_computed_from_data_the_service_does_not_hold_names_the_report_without_a_revision()
    {
        const string Patient = "partly-09";
        using var api = factory.CreateApiClient();
        var onlyPatient = HookCalls.PrefetchFrom(Seed09As(Patient))["patient"]!.ToJsonString();
        using (var stored = await api.PutAsync(new Uri($"/fhir/Patient/{Patient}", UriKind.Relative), new StringContent(onlyPatient, System.Text.Encoding.UTF8, "application/fhir+json"), Ct))
        {
            stored.IsSuccessStatusCode.Should().BeTrue();
        }

        (await StoredRevisionAsync(api, Patient)).Should().NotBeNull("a report of the patient alone is stored");

        var (response, body) = await HookCalls.PostAsync(api, PatientView, SeedCall("09-pancreatic-net-complete-portal-vein-thrombosis", renamed: Patient));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var named = body.GetProperty("cards")[0].GetProperty("extension").GetProperty(ReportKey);
        named.GetProperty("patient").GetString().Should().Be($"Patient/{Patient}");
        new Uri(named.GetProperty("url").GetString()!).AbsolutePath.Should().Be($"/eligibility/{Patient}");
        named.TryGetProperty("revision", out _).Should().BeFalse("the prefetch changed statuses: the stored report is not what the card states");
    }

    /// <summary>The revision of the patient's stored report once the recompute has written it; null if it never does.</summary>
    private static async Task<int?> StoredRevisionAsync(HttpClient api, string patient)
    {
        var etag = await Eventually.PollAsync(
            async () =>
            {
                using var response = await api.GetAsync(new Uri($"/eligibility/{patient}", UriKind.Relative), Ct);
                return response.StatusCode == HttpStatusCode.OK ? response.Headers.ETag?.Tag : null;
            },
            tag => tag is not null);
        return etag is null ? null : int.Parse(etag.Trim('"'), System.Globalization.CultureInfo.InvariantCulture);
    }
}

using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NetCds.Domain.Engine;
using NetCds.Domain.Policy;
using NetCds.Fhir;
using NetCds.Fhir.Input;
using NetCds.Fhir.Reporting;
using NetCds.Fhir.Terminology;
using NetCds.Service.CdsHooks.Prefetch;
using NetCds.Service.Storage;
using NetCds.Service.Tests.CdsHooks.Support;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests.CdsHooks;

/// <summary>
/// The service as an EHR sees it, with JWT off (security has its own tests and one end-to-end test below), running at
/// the instant the demo seeds are written for: their statuses ("progression within 12 months") hold on any day.
/// </summary>
public sealed class OpenCdsFactory : ServiceFactory
{
    public override TimeProvider Clock { get; } = new TestClock(NetCds.Service.Demo.DemoSeeds.SeedInstant);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("CdsHooks:RequireJwt", "false");
    }
}

public sealed class CdsHooksApiTests(OpenCdsFactory factory) : IClassFixture<OpenCdsFactory>
{
    private const string Findings = "http://netcds.org/fhir/CodeSystem/net-findings";
    private const string PatientView = "/cds-services/net-liver-mets-eligibility";
    private const string OrderSelect = "/cds-services/net-order-select";
    private const string OrderSign = "/cds-services/net-order-sign";
    private const string DeprecatedOrderCheck = "/cds-services/net-order-check";
    private const string ReportKey = "org.netcds.eligibility-report";

    private static async Task<(HttpResponseMessage Response, JsonElement Body)> Post(HttpClient client, string path, JsonNode body) =>
        await HookCalls.PostAsync(client, path, body);

    private static JsonObject SeedCall(string seed, string hook = "patient-view", JsonObject? extraContext = null)
    {
        var json = HookCalls.Seed(seed);
        return HookCalls.Call(hook, HookCalls.PatientIdOf(json), HookCalls.PrefetchFrom(json), extraContext);
    }

    private static JsonObject OrderContext(string resourceType, string system, string code, string hook = "order-select")
    {
        var context = new JsonObject { ["draftOrders"] = HookCalls.DraftOrders(resourceType, system, code) };
        if (hook == "order-select")
        {
            context["selections"] = new JsonArray("ServiceRequest/draft-1");
        }

        return context;
    }

    [Fact]
    public async Task Discovery_lists_one_service_per_hook_each_id_once_with_their_prefetch()
    {
        using var client = factory.CreateClient();

        var body = JsonDocument.Parse(await client.GetStringAsync(new Uri("/cds-services", UriKind.Relative), TestContext.Current.CancellationToken)).RootElement;

        var services = body.GetProperty("services").EnumerateArray().ToList();
        services.Select(s => (s.GetProperty("id").GetString(), s.GetProperty("hook").GetString())).Should().BeEquivalentTo(new[]
        {
            ("net-liver-mets-eligibility", "patient-view"), ("net-order-select", "order-select"), ("net-order-sign", "order-sign"),
            ("net-order-check", "order-select"),
        });
        services.Select(s => s.GetProperty("id").GetString()).Should().OnlyHaveUniqueItems("EHRs key services by id");
        services.Single(s => s.GetProperty("id").GetString() == "net-order-check").GetProperty("description").GetString()
            .Should().StartWith("Deprecated").And.Contain("net-order-select").And.Contain("net-order-sign");
        foreach (var service in services)
        {
            service.GetProperty("title").GetString().Should().NotBeNullOrWhiteSpace();
            service.GetProperty("description").GetString().Should().NotBeNullOrWhiteSpace();
            service.GetProperty("usageRequirements").GetString().Should().NotBeNullOrWhiteSpace();
            var prefetch = service.GetProperty("prefetch").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
            prefetch.Keys.Should().BeEquivalentTo(PrefetchTemplates.All.Keys);
            prefetch.Values.Should().OnlyContain(t => t!.Contains("{{context.patientId}}"));
        }

        CardConformance.AssertNoNullOrEmpty(body);
    }

    [Fact]
    public async Task The_specification_example_request_shape_is_answered_with_a_conformant_card()
    {
        // The envelope of the specification's patient-view example (hookInstance, fhirAuthorization, context with
        // userId/patientId/encounterId), with our prefetch keys filled from a demo patient.
        using var client = factory.CreateClient();
        var seed = HookCalls.Seed("01-ileal-carcinoid-syndrome-unresectable");
        var call = HookCalls.Call("patient-view", HookCalls.PatientIdOf(seed), HookCalls.PrefetchFrom(seed), fhirServer: "http://127.0.0.1:9/fhir", accessToken: "some-opaque-fhir-access-token");
        call["hookInstance"] = "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea";

        var (response, body) = await Post(client, PatientView, call);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var cards = body.GetProperty("cards").EnumerateArray().ToList();
        cards.Should().NotBeEmpty();
        cards.ForEach(CardConformance.AssertCard);
        CardConformance.AssertNoNullOrEmpty(body);
    }

    [Theory]
    [InlineData("01-ileal-carcinoid-syndrome-unresectable")]
    [InlineData("09-pancreatic-net-complete-portal-vein-thrombosis")]
    [InlineData("17-men1-pancreatic-net-workup-incomplete")]
    [InlineData("19-minimal-data-referral")]
    [InlineData("20-data-problems")]
    public async Task Summary_card_is_short_names_the_report_and_agrees_with_the_engine(string seed)
    {
        using var client = factory.CreateClient();

        var (response, body) = await Post(client, PatientView, SeedCall(seed));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var summary = body.GetProperty("cards")[0];
        CardConformance.AssertCard(summary);
        var report = summary.GetProperty("extension").GetProperty(ReportKey);
        var engine = Engine(seed, report.GetProperty("evaluatedAt").GetDateTimeOffset());
        report.GetProperty("patient").GetString().Should().Be(engine.Patient);
        report.GetProperty("rulesVersion").GetString().Should().Be(engine.RulesVersion);
        report.TryGetProperty("assessments", out _).Should().BeFalse("the extension names the report, it does not copy it (issue 20)");
        var detail = summary.GetProperty("detail").GetString()!;
        var lines = detail.Split('\n');
        foreach (var a in engine.Assessments)
        {
            lines.Should().Contain(l => l.StartsWith(StatusLine(a.Status), StringComparison.Ordinal) && System.Text.RegularExpressions.Regex.IsMatch(l, $@"\b{a.Therapy.Code()}\b"),
                $"{a.Therapy.Code()} is {a.Status.Code()} for the engine");
        }

        detail.Should().Contain("not an order").And.Contain($"Rules {engine.RulesVersion}");
        lines.Length.Should().BeLessThanOrEqualTo(15, "readable in 15 seconds");
        foreach (var contraindicated in engine.Assessments.Where(a => a.Status == EligibilityStatus.Contraindicated))
        {
            detail.Split('\n').Should().ContainSingle(l => l.Contains($"**Contraindicated** {contraindicated.Therapy.Code()} "), "one line per contraindication")
                .Which.Should().Contain(contraindicated.Findings.First(f => f.Effect == FindingEffect.Contraindicated).Rule);
        }

        summary.TryGetProperty("suggestions", out _).Should().BeFalse("orders are on the work-up card");
    }

    [Theory]
    [InlineData("01-ileal-carcinoid-syndrome-unresectable")]
    [InlineData("02-pancreatic-net-g2-progressive")]
    [InlineData("17-men1-pancreatic-net-workup-incomplete")]
    [InlineData("19-minimal-data-referral")]
    public async Task A_work_up_card_drafts_one_order_per_missing_order_and_exists_only_when_something_is_missing(string seed)
    {
        using var client = factory.CreateClient();

        var (_, body) = await Post(client, PatientView, SeedCall(seed));

        var cards = body.GetProperty("cards").EnumerateArray().ToList();
        var evaluatedAt = cards[0].GetProperty("extension").GetProperty(ReportKey).GetProperty("evaluatedAt").GetDateTimeOffset();
        var orders = Engine(seed, evaluatedAt).Assessments.SelectMany(a => a.Missing).Select(m => m.Order).Distinct().ToList();
        if (orders.Count == 0)
        {
            cards.Should().ContainSingle("nothing is missing, so there is no work-up card");
            return;
        }

        cards.Should().HaveCount(2);
        var workUp = cards[1];
        CardConformance.AssertCard(workUp);
        workUp.GetProperty("summary").GetString().Should().StartWith("Missing work-up");
        workUp.GetProperty("selectionBehavior").GetString().Should().Be("any");
        var suggestions = workUp.GetProperty("suggestions").EnumerateArray().ToList();
        suggestions.Should().HaveCount(orders.Count).And.OnlyContain(s => s.GetProperty("isRecommended").GetBoolean());
        var resources = suggestions.Select(s => s.GetProperty("actions")[0]).ToList();
        resources.Should().OnlyContain(a => a.GetProperty("type").GetString() == "create");
        resources.Select(a => a.GetProperty("resource")).Should().OnlyContain(r => r.GetProperty("resourceType").GetString() == "ServiceRequest"
            && r.GetProperty("status").GetString() == "draft" && r.GetProperty("intent").GetString() == "proposal");
        resources.Select(a => a.GetProperty("resource").GetProperty("code").GetProperty("text").GetString()).Should().BeEquivalentTo(orders.Select(Orders.Text));
    }

    [Fact]
    public async Task Portal_vein_thrombosis_contraindicating_TACE_makes_the_summary_a_warning_that_names_it()
    {
        using var client = factory.CreateClient();

        var (_, body) = await Post(client, PatientView, SeedCall("09-pancreatic-net-complete-portal-vein-thrombosis"));

        var summary = body.GetProperty("cards")[0];
        summary.GetProperty("indicator").GetString().Should().Be("warning");
        summary.GetProperty("summary").GetString().Should().Contain("contraindicated").And.Contain("EMB");
        summary.GetProperty("detail").GetString()!.Split('\n').Should().Contain(l => l.StartsWith("- **Contraindicated** EMB (TAE/TACE): EMB-PV", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Nothing_in_the_way_of_an_option_keeps_the_summary_at_info()
    {
        // Seed 07 (resectable gastric NET G2): no contraindication, nothing missing, every datum usable.
        using var client = factory.CreateClient();

        var (_, body) = await Post(client, PatientView, SeedCall("07-gastric-net-g2-oligonodular-resectable"));

        var cards = body.GetProperty("cards").EnumerateArray().ToList();
        cards.Should().ContainSingle().Which.GetProperty("indicator").GetString().Should().Be("info");
        cards[0].GetProperty("summary").GetString().Should().StartWith("NET liver mets: eligible RES;");
    }

    [Fact]
    public async Task Every_card_links_to_the_MDT_view_of_the_patient()
    {
        using var client = factory.CreateClient();

        var (_, body) = await Post(client, PatientView, SeedCall("19-minimal-data-referral"));

        var cards = body.GetProperty("cards").EnumerateArray().ToList();
        cards.Should().HaveCount(2);
        foreach (var card in cards)
        {
            var mdt = card.GetProperty("links").EnumerateArray().Should().ContainSingle(l => l.GetProperty("label").GetString()!.StartsWith("MDT view", StringComparison.Ordinal)).Which;
            mdt.GetProperty("type").GetString().Should().Be("absolute");
            mdt.GetProperty("url").GetString().Should().Be("http://localhost/mdt/seed-19");
        }
    }

    [Fact]
    public async Task With_a_SMART_launch_configured_the_MDT_link_is_a_smart_link()
    {
        using var smart = factory.WithWebHostBuilder(b => b.UseSetting("CdsHooks:MdtView:SmartLaunchUrl", "https://netcds.example/mdt/launch"));
        using var client = smart.CreateClient();

        var (_, body) = await Post(client, PatientView, SeedCall("02-pancreatic-net-g2-progressive"));

        var mdt = body.GetProperty("cards")[0].GetProperty("links").EnumerateArray().Single(l => l.GetProperty("label").GetString()!.StartsWith("MDT view", StringComparison.Ordinal));
        mdt.GetProperty("type").GetString().Should().Be("smart");
        mdt.GetProperty("url").GetString().Should().Be("https://netcds.example/mdt/launch");
        mdt.GetProperty("appContext").GetString().Should().Be("seed-02");
    }

    /// <summary>How the summary card's detail starts the line of each status group.</summary>
    private static string StatusLine(EligibilityStatus status) => status switch
    {
        EligibilityStatus.Eligible => "- **Eligible**: ",
        EligibilityStatus.Consider => "- **Consider**: ",
        EligibilityStatus.Contraindicated => "- **Contraindicated** ",
        EligibilityStatus.NotIndicated => "- Not indicated: ",
        _ => "- **Missing** for ",
    };

    private static EligibilityReport Engine(string seed, DateTimeOffset asOf) =>
        new FhirEvaluation(TerminologyMap.Default, EligibilityPolicy.Default).Evaluate(FhirInput.Parse(HookCalls.Seed(seed)).Resource!, asOf)!.Report;

    [Fact]
    public async Task Without_the_patient_and_without_a_FHIR_server_the_answer_is_412()
    {
        using var client = factory.CreateClient();
        var call = SeedCall("01-ileal-carcinoid-syndrome-unresectable");
        call["prefetch"]!.AsObject().Remove("patient");

        var (response, body) = await Post(client, PatientView, call);

        response.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        body.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
    }

    [Fact]
    public async Task A_prefetch_key_sent_as_null_means_no_data_and_is_not_fetched()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        using var client = factory.CreateClient();
        var seed = HookCalls.Seed("02-pancreatic-net-g2-progressive");
        var prefetch = HookCalls.PrefetchFrom(seed);
        prefetch["procedures"] = null;
        var call = HookCalls.Call("patient-view", HookCalls.PatientIdOf(seed), prefetch, fhirServer: ehr.BaseUri.ToString(), accessToken: "t0ken");

        var (response, _) = await Post(client, PatientView, call);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        ehr.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Absent_keys_are_fetched_from_the_EHR_with_the_lent_token()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        var seed = HookCalls.Seed("02-pancreatic-net-g2-progressive");
        var patientId = HookCalls.PatientIdOf(seed);
        var prefetch = HookCalls.PrefetchFrom(seed);
        var patient = prefetch["patient"]!.ToJsonString();
        prefetch.Remove("patient");
        ehr.On($"Patient/{patientId}", FakeReply.Ok(patient));
        using var client = factory.CreateClient();

        var (response, body) = await Post(client, PatientView, HookCalls.Call("patient-view", patientId, prefetch, fhirServer: ehr.BaseUri.ToString(), accessToken: "t0ken"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        ehr.RequestsTo($"Patient/{patientId}").Should().ContainSingle().Which.Authorization.Should().Be("Bearer t0ken");
        body.GetProperty("cards")[0].GetProperty("extension").GetProperty(ReportKey).GetProperty("patient").GetString().Should().Be($"Patient/{patientId}");
    }

    [Theory]
    [InlineData("hook", null, "hook")]
    [InlineData("hook", "order-sign", "hook")]
    [InlineData("hookInstance", "not-a-uuid", "hookInstance")]
    [InlineData("hookInstance", null, "hookInstance")]
    [InlineData("context", null, "context")]
    public async Task An_invalid_call_is_a_400_naming_the_field(string field, string? value, string expression)
    {
        using var client = factory.CreateClient();
        var call = SeedCall("02-pancreatic-net-g2-progressive");
        if (value is null)
        {
            call.Remove(field);
        }
        else
        {
            call[field] = value;
        }

        var (response, body) = await Post(client, PatientView, call);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        body.GetProperty("issue")[0].GetProperty("expression")[0].GetString().Should().Be(expression);
    }

    [Fact]
    public async Task Context_without_patientId_and_order_select_without_selections_are_400()
    {
        using var client = factory.CreateClient();
        var noPatient = SeedCall("02-pancreatic-net-g2-progressive");
        noPatient["context"]!.AsObject().Remove("patientId");
        var noSelections = SeedCall("02-pancreatic-net-g2-progressive", "order-select", OrderContext("ServiceRequest", Findings, "tace", hook: "order-sign"));

        var (r1, b1) = await Post(client, PatientView, noPatient);
        var (r2, b2) = await Post(client, OrderSelect, noSelections);

        r1.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        b1.GetProperty("issue")[0].GetProperty("expression")[0].GetString().Should().Be("context.patientId");
        r2.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        b2.GetProperty("issue")[0].GetProperty("expression")[0].GetString().Should().Be("context.selections");
    }

    [Fact]
    public async Task FhirAuthorization_without_fhirServer_is_400_and_an_unknown_service_is_404()
    {
        using var client = factory.CreateClient();
        var seed = HookCalls.Seed("02-pancreatic-net-g2-progressive");
        var call = HookCalls.Call("patient-view", HookCalls.PatientIdOf(seed), HookCalls.PrefetchFrom(seed), accessToken: "t0ken");

        var (r1, b1) = await Post(client, PatientView, call);
        var (r2, _) = await Post(client, "/cds-services/nope", call);

        r1.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        b1.GetProperty("issue")[0].GetProperty("expression")[0].GetString().Should().Be("fhirServer");
        r2.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Ordering_embolization_with_complete_portal_vein_thrombosis_gives_a_critical_card()
    {
        using var client = factory.CreateClient();

        var (response, body) = await Post(client, OrderSelect, SeedCall("09-pancreatic-net-complete-portal-vein-thrombosis", "order-select", OrderContext("ServiceRequest", Findings, "tace")));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var cards = body.GetProperty("cards").EnumerateArray().ToList();
        var critical = cards.Should().ContainSingle(c => c.GetProperty("indicator").GetString() == "critical").Which;
        critical.GetProperty("summary").GetString().Should().Contain("EMB");
        critical.GetProperty("detail").GetString().Should().Contain("EMB-PV");
        cards.ForEach(CardConformance.AssertCard);
    }

    [Theory]
    [InlineData(OrderSelect, "order-sign")]
    [InlineData(OrderSign, "order-select")]
    public async Task Each_order_service_answers_its_own_hook_only(string path, string otherHook)
    {
        using var client = factory.CreateClient();

        var (response, body) = await Post(client, path, SeedCall("09-pancreatic-net-complete-portal-vein-thrombosis", otherHook, OrderContext("ServiceRequest", Findings, "tace", hook: otherHook)));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        body.GetProperty("issue")[0].GetProperty("expression")[0].GetString().Should().Be("hook");
    }

    [Theory]
    [InlineData("order-select")]
    [InlineData("order-sign")]
    public async Task The_deprecated_order_check_id_still_answers_both_order_hooks(string hook)
    {
        using var client = factory.CreateClient();

        var (response, body) = await Post(client, DeprecatedOrderCheck, SeedCall("09-pancreatic-net-complete-portal-vein-thrombosis", hook, OrderContext("ServiceRequest", Findings, "tace", hook: hook)));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        body.GetProperty("cards").EnumerateArray().Should().ContainSingle(c => c.GetProperty("indicator").GetString() == "critical");
    }

    [Fact]
    public async Task Ordering_a_procedure_for_a_functioning_tumour_suggests_octreotide_cover()
    {
        using var client = factory.CreateClient();

        var (_, body) = await Post(client, OrderSign, SeedCall("01-ileal-carcinoid-syndrome-unresectable", "order-sign", OrderContext("ServiceRequest", Findings, "sirt", hook: "order-sign")));

        var cover = body.GetProperty("cards").EnumerateArray().Should().Contain(c => c.GetProperty("summary").GetString()!.Contains("octreotide")).Which;
        var resource = cover.GetProperty("suggestions")[0].GetProperty("actions")[0].GetProperty("resource");
        resource.GetProperty("resourceType").GetString().Should().Be("MedicationRequest");
        resource.GetProperty("medicationCodeableConcept").GetProperty("coding")[0].GetProperty("code").GetString().Should().Be("H01CB02");
        cover.GetProperty("detail").GetString().Should().Contain("SSA-PROPHYLAXIS");
    }

    [Fact]
    public async Task Ordering_with_missing_safety_data_warns_and_offers_the_orders()
    {
        using var client = factory.CreateClient();

        var (_, body) = await Post(client, OrderSelect, SeedCall("19-minimal-data-referral", "order-select", OrderContext("ServiceRequest", Findings, "tace")));

        var warning = body.GetProperty("cards").EnumerateArray().Should().ContainSingle(c => c.GetProperty("summary").GetString()!.StartsWith("Missing safety data", StringComparison.Ordinal)).Which;
        warning.GetProperty("indicator").GetString().Should().Be("warning");
        warning.GetProperty("suggestions").GetArrayLength().Should().BePositive();
    }

    [Fact]
    public async Task An_eligible_everolimus_order_needs_no_card_and_is_not_mistaken_for_chemotherapy()
    {
        using var client = factory.CreateClient();

        var (_, body) = await Post(client, OrderSelect, SeedCall("02-pancreatic-net-g2-progressive", "order-select", OrderContext("MedicationRequest", "http://www.whocc.no/atc", "L01EG02")));

        body.GetProperty("cards").EnumerateArray().Should().BeEmpty("EVE is eligible for this progressive pNET and CHEMO was not ordered");
    }

    [Fact]
    public async Task Feedback_is_validated_and_stored()
    {
        using var client = factory.CreateClient();
        var (_, shown) = await Post(client, PatientView, SeedCall("19-minimal-data-referral"));
        var card = shown.GetProperty("cards")[0].GetProperty("uuid").GetString()!;
        var feedback = JsonNode.Parse($$"""
            {"feedback":[
              {"card":"{{card}}","outcome":"accepted","acceptedSuggestions":[{"id":"e56e1945-20b3-4393-8503-a1a20fd73152"}],"outcomeTimestamp":"2026-11-20T10:05:31Z"},
              {"card":"{{card}}","outcome":"overridden","overrideReason":{"reason":{"code":"discussed-at-mdt","system":"http://netcds.org/fhir/CodeSystem/override-reasons"},"userComment":"seen at MDT"},"outcomeTimestamp":"2026-11-20T11:00:00Z"}
            ]}
            """)!;

        var (response, _) = await Post(client, PatientView + "/feedback", feedback);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        await using var scope = factory.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<StoreContext>().Feedback.Where(f => f.CardUuid == card).OrderBy(f => f.Id).ToListAsync(TestContext.Current.CancellationToken);
        stored.Select(f => f.Outcome).Should().Equal("accepted", "overridden");
        stored[0].AcceptedSuggestions.Should().Be("e56e1945-20b3-4393-8503-a1a20fd73152");
        stored[1].OverrideReasonCode.Should().Be("discussed-at-mdt");
        stored[1].ServiceId.Should().Be("net-liver-mets-eligibility");
    }

    [Theory]
    [InlineData("""{"feedback":[]}""", "feedback")]
    [InlineData("""{"feedback":[null]}""", "feedback[0]")]
    [InlineData("""{"feedback":[{"card":"c","outcome":"accepted","acceptedSuggestions":[null],"outcomeTimestamp":"2026-11-20T10:05:31Z"}]}""", "feedback[0].acceptedSuggestions")]
    [InlineData("""{"feedback":[{"card":"c","outcome":"accepted","outcomeTimestamp":"2026-11-20T10:05:31Z"}]}""", "feedback[0].acceptedSuggestions")]
    [InlineData("""{"feedback":[{"card":"c","outcome":"maybe","outcomeTimestamp":"2026-11-20T10:05:31Z"}]}""", "feedback[0].outcome")]
    [InlineData("""{"feedback":[{"card":"c","outcome":"overridden","outcomeTimestamp":"yesterday"}]}""", "feedback[0].outcomeTimestamp")]
    [InlineData("""{"feedback":[{"outcome":"overridden","outcomeTimestamp":"2026-11-20T10:05:31Z"}]}""", "feedback[0].card")]
    public async Task Invalid_feedback_is_a_400_naming_the_field(string json, string expression)
    {
        using var client = factory.CreateClient();

        var (response, body) = await Post(client, PatientView + "/feedback", JsonNode.Parse(json)!);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        body.GetProperty("issue")[0].GetProperty("expression")[0].GetString().Should().Be(expression);
    }

    [Fact]
    public async Task Facts_the_store_already_holds_are_merged_into_a_hook_call()
    {
        using var client = factory.CreateApiClient();
        var seed = HookCalls.Seed("09-pancreatic-net-complete-portal-vein-thrombosis").Replace("seed-09", "merge-09", StringComparison.Ordinal);
        var onlyPatient = new JsonObject { ["patient"] = HookCalls.PrefetchFrom(seed)["patient"]!.DeepClone() };
        foreach (var key in new[] { "conditions", "observations", "procedures", "medicationStatements", "medicationRequests" })
        {
            onlyPatient[key] = null;
        }

        var (before, _) = await Post(client, PatientView, HookCalls.Call("patient-view", "merge-09", onlyPatient.DeepClone().AsObject()));
        using var stored = await client.PostAsync(new Uri("/fhir", UriKind.Relative), new StringContent(seed, System.Text.Encoding.UTF8, "application/fhir+json"), TestContext.Current.CancellationToken);
        var (after, body) = await Post(client, PatientView, HookCalls.Call("patient-view", "merge-09", onlyPatient));

        before.StatusCode.Should().Be(HttpStatusCode.OK);
        stored.StatusCode.Should().Be(HttpStatusCode.OK);
        after.StatusCode.Should().Be(HttpStatusCode.OK);
        body.GetProperty("cards")[0].GetProperty("detail").GetString()!.Split('\n')
            .Should().Contain(l => l.StartsWith("- **Contraindicated** EMB ", StringComparison.Ordinal), "the complete portal vein thrombosis comes from the store, not the call");
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NetCds.Service.CdsHooks.Feedback;
using NetCds.Service.Storage;
using NetCds.Service.Tests.CdsHooks.Support;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests.CdsHooks;

/// <summary>
/// Overrides that teach the site (issue 20): every returned card is remembered (patient as a keyed hash), feedback is
/// checked against it and the site's override reasons, a repeat is stored once, and the summary counts per therapy
/// and rule over HTTP, in the CLI and in the metrics; old cards are purged.
/// </summary>
public sealed class CardFeedbackTests
{
    private const string Findings = "http://netcds.org/fhir/CodeSystem/net-findings";
    private const string SiteReasons = "http://example.org/fhir/CodeSystem/site-override-reasons";
    private const string HashKey = "a-test-patient-hash-key-of-at-least-32-characters";
    private const string OrderSelect = "/cds-services/net-order-select";
    private const string PatientView = "/cds-services/net-liver-mets-eligibility";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>The demo seeds' instant (their statuses hold on any day), moved on by hand for the retention test.</summary>
    private sealed class PinnedClock : TimeProvider
    {
        private long _ticks = NetCds.Service.Demo.DemoSeeds.SeedInstant.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    /// <summary>JWT off (security has its own tests); two site reasons instead of NetCds's four.</summary>
    private sealed class FeedbackFactory(bool hashKey = true) : ServiceFactory
    {
        public PinnedClock Pinned { get; } = new();

        public override TimeProvider Clock => Pinned;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("CdsHooks:RequireJwt", "false");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("CdsHooks:OverrideReasons:0:Code", "decided-at-mdt");
            builder.UseSetting("CdsHooks:OverrideReasons:0:System", SiteReasons);
            builder.UseSetting("CdsHooks:OverrideReasons:0:Display", "Decided at our tumour board");
            builder.UseSetting("CdsHooks:OverrideReasons:1:Code", "in-trial");
            builder.UseSetting("CdsHooks:OverrideReasons:1:System", SiteReasons);
            builder.UseSetting("CdsHooks:OverrideReasons:1:Display", "Enrolled in a clinical trial");
            if (hashKey)
            {
                builder.UseSetting("CdsHooks:PatientHashKey", HashKey);
            }
        }

        public async Task FlushAsync() =>
            (await Services.GetRequiredService<CardMemory>().FlushAsync(Eventually.Bound, Token)).Should().BeTrue("the card memory writes its queue");

        public HttpClient Admin()
        {
            var client = CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AuthorizationServer.Token("netcds.admin"));
            return client;
        }
    }

    /// <summary>A TACE order for the minimal-data referral: one "missing safety data" card (EMB).</summary>
    private static JsonObject TaceOrder(string? patientId = null)
    {
        var seed = HookCalls.Seed("19-minimal-data-referral");
        if (patientId is not null)
        {
            seed = seed.Replace(HookCalls.PatientIdOf(seed), patientId, StringComparison.Ordinal);
        }

        var context = new JsonObject { ["draftOrders"] = HookCalls.DraftOrders("ServiceRequest", Findings, "tace"), ["selections"] = new JsonArray("ServiceRequest/draft-1") };
        return HookCalls.Call("order-select", HookCalls.PatientIdOf(seed), HookCalls.PrefetchFrom(seed), context);
    }

    private static async Task<List<JsonElement>> CardsAsync(HttpClient client, string path, JsonObject call)
    {
        var (response, body) = await HookCalls.PostAsync(client, path, call);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return [.. body.GetProperty("cards").EnumerateArray()];
    }

    private static JsonObject Overridden(string card, string code, string? system = SiteReasons) => new()
    {
        ["feedback"] = new JsonArray(new JsonObject
        {
            ["card"] = card,
            ["outcome"] = "overridden",
            ["overrideReason"] = new JsonObject { ["reason"] = system is null ? new JsonObject { ["code"] = code } : new JsonObject { ["code"] = code, ["system"] = system } },
            ["outcomeTimestamp"] = TestClock.Now.ToString("O"),
        }),
    };

    private static JsonObject Accepted(string card) => new()
    {
        ["feedback"] = new JsonArray(new JsonObject
        {
            ["card"] = card,
            ["outcome"] = "accepted",
            ["acceptedSuggestions"] = new JsonArray(new JsonObject { ["id"] = Guid.NewGuid().ToString() }),
            ["outcomeTimestamp"] = TestClock.Now.ToString("O"),
        }),
    };

    [Fact]
    public async Task The_configured_override_reasons_are_on_every_card()
    {
        using var factory = new FeedbackFactory();
        using var client = factory.CreateClient();

        var cards = await CardsAsync(client, PatientView, HookCalls.Call("patient-view", "seed-19", HookCalls.PrefetchFrom(HookCalls.Seed("19-minimal-data-referral"))));
        cards.AddRange(await CardsAsync(client, OrderSelect, TaceOrder()));

        cards.Should().HaveCountGreaterThan(1);
        foreach (var card in cards)
        {
            card.GetProperty("overrideReasons").EnumerateArray().Select(r => (r.GetProperty("system").GetString(), r.GetProperty("code").GetString(), r.GetProperty("display").GetString()))
                .Should().Equal((SiteReasons, "decided-at-mdt", "Decided at our tumour board"), (SiteReasons, "in-trial", "Enrolled in a clinical trial"));
        }
    }

    [Fact]
    public async Task Feedback_on_a_returned_card_is_stored_and_a_repeat_is_stored_once()
    {
        using var factory = new FeedbackFactory();
        using var client = factory.CreateClient();
        var card = (await CardsAsync(client, OrderSelect, TaceOrder())).Single().GetProperty("uuid").GetString()!;

        // At once, while the card may still be queued for the store: feedback waits for it.
        var (first, _) = await HookCalls.PostAsync(client, OrderSelect + "/feedback", Overridden(card, "in-trial"));
        var (again, _) = await HookCalls.PostAsync(client, OrderSelect + "/feedback", Overridden(card, "in-trial"));
        var (withoutSystem, _) = await HookCalls.PostAsync(client, OrderSelect + "/feedback", Overridden(card, "in-trial", system: null));
        var (accepted, _) = await HookCalls.PostAsync(client, OrderSelect + "/feedback", Accepted(card));

        new[] { first, again, withoutSystem, accepted }.Select(r => r.StatusCode).Should().AllBeEquivalentTo(HttpStatusCode.OK);
        await using var scope = factory.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<StoreContext>().Feedback.Where(f => f.CardUuid == card).OrderBy(f => f.Id).ToListAsync(Token);
        stored.Select(f => (f.Outcome, f.OverrideReasonSystem, f.OverrideReasonCode)).Should().Equal(("overridden", SiteReasons, "in-trial"), ("accepted", null, null));
        stored.Should().AllSatisfy(f => f.ServiceId.Should().Be("net-order-select"));
    }

    [Fact]
    public async Task Feedback_on_an_unknown_card_is_a_400_naming_it()
    {
        using var factory = new FeedbackFactory();
        using var client = factory.CreateClient();
        var unknown = Guid.NewGuid().ToString();

        var (response, body) = await HookCalls.PostAsync(client, OrderSelect + "/feedback", Overridden(unknown, "in-trial"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        body.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
        body.GetProperty("issue")[0].GetProperty("expression")[0].GetString().Should().Be("feedback[0].card");
        body.GetProperty("issue")[0].GetProperty("diagnostics").GetString().Should().Contain(unknown);
        await using var scope = factory.Services.CreateAsyncScope();
        (await scope.ServiceProvider.GetRequiredService<StoreContext>().Feedback.AnyAsync(f => f.CardUuid == unknown, Token)).Should().BeFalse();
    }

    [Fact]
    public async Task An_override_reason_the_site_does_not_offer_is_a_400_naming_it()
    {
        using var factory = new FeedbackFactory();
        using var client = factory.CreateClient();
        var card = (await CardsAsync(client, OrderSelect, TaceOrder())).Single().GetProperty("uuid").GetString()!;

        // NetCds's own default reason: this site configured others instead.
        var (response, body) = await HookCalls.PostAsync(client, OrderSelect + "/feedback", Overridden(card, "discussed-at-mdt", "http://netcds.org/fhir/CodeSystem/override-reasons"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        body.GetProperty("issue")[0].GetProperty("expression")[0].GetString().Should().Be("feedback[0].overrideReason.reason");
        body.GetProperty("issue")[0].GetProperty("diagnostics").GetString().Should().Contain("discussed-at-mdt");
        await using var scope = factory.Services.CreateAsyncScope();
        (await scope.ServiceProvider.GetRequiredService<StoreContext>().Feedback.AnyAsync(f => f.CardUuid == card, Token)).Should().BeFalse();
    }

    [Fact]
    public async Task The_summary_counts_shown_accepted_overridden_and_reasons_per_therapy_and_rule_over_HTTP_in_the_CLI_and_in_the_metrics()
    {
        using var factory = new FeedbackFactory();
        using var client = factory.CreateClient();
        var overridden = (await CardsAsync(client, OrderSelect, TaceOrder())).Single().GetProperty("uuid").GetString()!;
        var accepted = (await CardsAsync(client, OrderSelect, TaceOrder())).Single().GetProperty("uuid").GetString()!;
        (await HookCalls.PostAsync(client, OrderSelect + "/feedback", Overridden(overridden, "in-trial"))).Response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await HookCalls.PostAsync(client, OrderSelect + "/feedback", Accepted(accepted))).Response.StatusCode.Should().Be(HttpStatusCode.OK);
        List<string> rules;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var subjects = await scope.ServiceProvider.GetRequiredService<StoreContext>().RememberedCards.Where(c => c.CardUuid == overridden).Select(c => c.Subjects).SingleAsync(Token);
            rules = RememberedSubjects.TherapyRules(RememberedSubjects.Parse(subjects)).Select(r => r.Therapy + " " + r.Rule).ToList();
        }

        rules.Should().NotBeEmpty().And.OnlyContain(r => r.StartsWith("EMB ", StringComparison.Ordinal), "the card speaks of the TACE order");

        using var anonymous = factory.CreateClient();
        (await anonymous.GetAsync(new Uri("/admin/feedback", UriKind.Relative), Token)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        using var reader = factory.CreateApiClient("system/*.read");
        (await reader.GetAsync(new Uri("/admin/feedback", UriKind.Relative), Token)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        using var admin = factory.Admin();
        var summary = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/admin/feedback", UriKind.Relative), Token)).RootElement;

        summary.GetProperty("cardsRemembered").GetInt32().Should().Be(2);
        var rows = summary.GetProperty("rows").EnumerateArray().ToList();
        rows.Select(r => r.GetProperty("therapy").GetString() + " " + r.GetProperty("rule").GetString()).Should().BeEquivalentTo(rules);
        foreach (var row in rows)
        {
            row.GetProperty("shown").GetInt32().Should().Be(2);
            row.GetProperty("accepted").GetInt32().Should().Be(1);
            row.GetProperty("overridden").GetInt32().Should().Be(1);
            var reason = row.GetProperty("reasons").EnumerateArray().Should().ContainSingle().Which;
            (reason.GetProperty("code").GetString(), reason.GetProperty("display").GetString(), reason.GetProperty("count").GetInt32()).Should().Be(("in-trial", "Enrolled in a clinical trial", 1));
        }

        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await NetCds.Cli.FeedbackCommand.RunAsync(admin, json: false, output, error, Token);
        code.Should().Be(NetCds.Cli.ExitCodes.Success, error.ToString());
        var table = output.ToString().Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(t => t.Length > 2).ToList();
        foreach (var rule in rules.Select(r => r.Split(' ')))
        {
            table.Should().ContainSingle(t => t[0] == rule[0] && t[1] == rule[1]).Which.Skip(2).Should().Equal("2", "1", "1", "in-trial", "(1)");
        }

        output.ToString().Should().Contain("2 card(s) remembered");
        using var refused = new StringWriter();
        (await NetCds.Cli.FeedbackCommand.RunAsync(anonymous, json: false, TextWriter.Null, refused, Token)).Should().Be(NetCds.Cli.ExitCodes.Failed);
        refused.ToString().Should().Contain("401");

        var metrics = await anonymous.GetStringAsync(new Uri("/metrics", UriKind.Relative), Token);
        metrics.Split('\n').Should().Contain(l => l.StartsWith("netcds_cds_cards_shown_total{", StringComparison.Ordinal) && l.Contains("therapy=\"EMB\"", StringComparison.Ordinal))
            .And.Contain(l => l.StartsWith("netcds_cds_feedback_total{", StringComparison.Ordinal) && l.Contains("therapy=\"EMB\"", StringComparison.Ordinal)
                && l.Contains("outcome=\"overridden\"", StringComparison.Ordinal) && l.Contains("reason=\"in-trial\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cards_past_the_retention_are_purged_with_their_feedback_on_the_service_clock()
    {
        using var factory = new FeedbackFactory();
        using var client = factory.CreateClient();
        var old = (await CardsAsync(client, OrderSelect, TaceOrder())).Single().GetProperty("uuid").GetString()!;
        (await HookCalls.PostAsync(client, OrderSelect + "/feedback", Overridden(old, "decided-at-mdt"))).Response.StatusCode.Should().Be(HttpStatusCode.OK);
        factory.Pinned.Advance(TimeSpan.FromDays(91));
        var recent = (await CardsAsync(client, OrderSelect, TaceOrder())).Single().GetProperty("uuid").GetString()!;
        await factory.FlushAsync();

        var deleted = await factory.Services.GetRequiredService<CardMemoryRetention>().PurgeExpiredAsync(Token);

        deleted.Should().Be(1, "the default retention is 90 days");
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
            (await store.RememberedCards.Select(c => c.CardUuid).ToListAsync(Token)).Should().Equal(recent);
            (await store.CardShownTallies.Select(t => t.Day).Distinct().ToListAsync(Token)).Should().Equal([DateOnly.FromDateTime(factory.Pinned.GetUtcNow().UtcDateTime)],
                "the old card's day is wholly past the retention: its tallies go too");
            (await store.Feedback.AnyAsync(f => f.CardUuid == old, Token)).Should().BeFalse("feedback (its comment may hold PHI) goes with its card");
        }

        var (late, body) = await HookCalls.PostAsync(client, OrderSelect + "/feedback", Overridden(old, "decided-at-mdt"));
        late.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        body.GetProperty("issue")[0].GetProperty("diagnostics").GetString().Should().Contain(old);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_patient_id_is_stored_only_as_a_keyed_hash(bool configuredKey)
    {
        using var factory = new FeedbackFactory(configuredKey);
        using var client = factory.CreateClient();
        var patients = new[] { "card-memory-patient-1", "card-memory-patient-1", "card-memory-patient-2" };
        var cards = new List<string>();
        foreach (var patient in patients)
        {
            cards.Add((await CardsAsync(client, OrderSelect, TaceOrder(patient))).Single().GetProperty("uuid").GetString()!);
        }

        await factory.FlushAsync();

        await using var scope = factory.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
        var rows = await store.RememberedCards.AsNoTracking().ToListAsync(Token);
        var hashes = cards.Select(c => rows.Single(r => r.CardUuid == c).PatientHash).ToList();
        var key = configuredKey ? Encoding.UTF8.GetBytes(HashKey) : Convert.FromBase64String((await store.InstallSecrets.SingleAsync(Token)).Value);
        hashes.Should().Equal(patients.Select(p => Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(p)))), "HMAC-SHA256 under the install's key");
        hashes[0].Should().Be(hashes[1]).And.NotBe(hashes[2]);
        foreach (var row in rows)
        {
            new[] { row.CardUuid, row.ServiceId, row.Hook, row.HookInstance, row.PatientHash }.Should().NotContain(v => v.Contains("card-memory-patient", StringComparison.Ordinal));
        }

        (await store.InstallSecrets.AnyAsync(Token)).Should().Be(!configuredKey, "a key of its own only when none is configured");
    }

    [Fact]
    public async Task A_full_card_memory_queue_never_holds_a_call_up_and_counts_what_it_drops()
    {
        using var factory = new FeedbackFactory();
        using var client = factory.CreateClient();
        var card = (await CardsAsync(client, OrderSelect, TaceOrder())).Single();
        var cards = new[] { System.Text.Json.JsonSerializer.Deserialize<NetCds.Service.Cards.Card>(card.GetRawText(), NetCds.Service.Cards.CdsJson.Options)! };

        // A memory of one answer whose writer is not running: the second and third answers find the queue full.
        using var memory = ActivatorUtilities.CreateInstance<CardMemory>(factory.Services, Microsoft.Extensions.Options.Options.Create(new CardMemoryOptions { CardMemoryQueueCapacity = 1 }));
        long dropped = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == NetCds.Service.Ops.NetCdsTelemetry.Name && instrument.Name == "netcds.cds.card_memory.dropped")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref dropped, value));
        listener.Start();

        for (var i = 0; i < 3; i++)
        {
            memory.Remember("net-order-select", "order-select", Guid.NewGuid().ToString(), "card-memory-patient-1", cards);
        }

        // Other tests' hosts may drop too (they share the meter): at least ours.
        Interlocked.Read(ref dropped).Should().BeGreaterThanOrEqualTo(2);
        (await memory.FlushAsync(TimeSpan.FromMilliseconds(50), Token)).Should().BeFalse("the one queued answer is never written: its writer was not started");
    }

    [Theory]
    [InlineData("CdsHooks:OverrideReasons:2:Code", "no-display", "CdsHooks:OverrideReasons:2:Display")]
    [InlineData("CdsHooks:OverrideReasons:1:Code", "decided-at-mdt", "lists " + SiteReasons + "|decided-at-mdt more than once")]
    [InlineData("CdsHooks:CardMemoryRetention", "-1.00:00:00", "CdsHooks:CardMemoryRetention")]
    [InlineData("CdsHooks:PatientHashKey", "short", "CdsHooks:PatientHashKey must be at least 32 characters")]
    public void A_bad_feedback_setting_stops_the_host_and_names_the_key(string key, string value, string named)
    {
        using var factory = new FeedbackFactory();
        using var configured = factory.WithWebHostBuilder(b =>
        {
            b.UseSetting(key, value);
            if (key.StartsWith("CdsHooks:OverrideReasons:2:", StringComparison.Ordinal))
            {
                // A third reason with a system and a code: only its display is missing.
                b.UseSetting("CdsHooks:OverrideReasons:2:System", SiteReasons);
            }
        });

        var start = () => configured.CreateClient();

        start.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().Which.Message.Should().Contain(named);
    }
}

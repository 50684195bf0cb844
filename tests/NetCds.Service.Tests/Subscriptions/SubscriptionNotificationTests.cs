using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using NetCds.Service.Messaging.Contracts.V1;
using NetCds.Service.Tests.CdsHooks.Support;
using NetCds.Service.Tests.Support;
using static NetCds.Service.Tests.Pipeline.PipelineSupport;

namespace NetCds.Service.Tests.Subscriptions;

/// <summary>
/// Subscriptions Backport notifications over real HTTP: the IG's own examples (handshake, heartbeat, empty, id-only,
/// full-resource, query-status), gaps in the event numbers recovered, an EHR that fails then recovers or keeps
/// failing, and the channel header. The EHR is a fake FHIR server on loopback; everything else is the real service.
/// </summary>
public sealed class SubscriptionNotificationTests(SubscriptionFixture fixture) : IClassFixture<SubscriptionFixture>
{
    private const string EncounterPath = "Encounter/86009987-eabe-42bf-8c02-b112b18cb616";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string Encounter => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Subscriptions", "IgExamples", "encounter.json"));

    private Task<NetCds.Service.Storage.StoredResource?> StoredAsync(string type, string id) =>
        EventuallyAsync(() => RowAsync(fixture.Services, type, id), r => r is not null && !r.Deleted);

    [Fact]
    public async Task The_IG_handshake_is_acknowledged_and_recorded()
    {
        var (status, _) = await fixture.NotifyAsync("ehr0", fixture.Example("r4-notification-handshake.json"));

        status.Should().Be(HttpStatusCode.OK);
        var state = await fixture.StateAsync("ehr0", s => s.HandshakeAt is not null);
        state!.HandshakeAt.Should().NotBeNull();
        state.Status.Should().Be("requested");
        state.EventsAccountedFor.Should().Be(0);
        state.SubscriptionUrl.Should().Be($"{fixture.Ehr.BaseUri}/Subscription/admission");
    }

    [Fact]
    public async Task The_IG_heartbeat_showing_two_missed_events_recovers_them_with_the_events_operation()
    {
        var first = Notifications.Chromogranin($"hb-{Guid.NewGuid():N}"[..30], "hb-patient", 120, "2026-10-01");
        var second = Notifications.Chromogranin($"hb-{Guid.NewGuid():N}"[..30], "hb-patient", 140, "2026-10-15");
        var events = Notifications.Event("Subscription/admission", [(1, $"Observation/{first["id"]}"), (2, $"Observation/{second["id"]}")], "query-event", 2, first, second);
        fixture.Ehr.On("Subscription/admission/$events", FakeReply.Ok(events));

        (await fixture.NotifyAsync("ehr1", fixture.Example("r4-notification-heartbeat.json"))).Status.Should().Be(HttpStatusCode.OK);

        (await StoredAsync("Observation", (string)first["id"]!)).Should().NotBeNull("event 1 came back through $events");
        (await StoredAsync("Observation", (string)second["id"]!)).Should().NotBeNull("event 2 came back through $events");
        var state = await fixture.StateAsync("ehr1", s => s.EventsAccountedFor == 2 && s.HeartbeatAt is not null);
        state!.Recoveries.Should().Be(1);
        state.MissedEvents.Should().Be(2);
        state.LastRecovery.Should().Be("events 1-2 by $events (2 resources)");
        var asked = fixture.Ehr.RequestsTo("Subscription/admission/$events")[^1];
        asked.Query.Should().Contain("eventsSinceNumber", "1").And.Contain("eventsUntilNumber", "2");
    }

    [Fact]
    public async Task The_IG_id_only_notification_reads_its_focus_with_a_backend_services_token()
    {
        fixture.Ehr.On(EncounterPath, FakeReply.Ok(Encounter));
        await fixture.SeenAsync("ehr2", 1);

        (await fixture.NotifyAsync("ehr2", fixture.Example("r4-notification-id-only.json"))).Status.Should().Be(HttpStatusCode.OK);

        (await StoredAsync("Encounter", "86009987-eabe-42bf-8c02-b112b18cb616")).Should().NotBeNull();
        var state = await fixture.StateAsync("ehr2", s => s.EventsAccountedFor == 2);
        state!.Recoveries.Should().Be(0, "event 1 was accounted for before");
        fixture.Ehr.RequestsTo(EncounterPath).Should().NotBeEmpty()
            .And.OnlyContain(r => r.Authorization == $"Bearer {SubscriptionFixture.AccessToken}");
    }

    [Fact]
    public async Task The_IG_full_resource_notification_stores_its_resource_without_reading_the_server()
    {
        await fixture.SeenAsync("ehr3", 1);
        var reads = fixture.Ehr.RequestsTo(EncounterPath).Count;
        var example = fixture.Example("r4-notification-full-resource.json").Replace("\"in-progress\"", "\"finished\"", StringComparison.Ordinal);

        (await fixture.NotifyAsync("ehr3", example)).Status.Should().Be(HttpStatusCode.OK);

        var stored = await EventuallyAsync(() => RowAsync(fixture.Services, "Encounter", "86009987-eabe-42bf-8c02-b112b18cb616"), r => r?.Json?.Contains("finished", StringComparison.Ordinal) == true);
        stored!.Json.Should().Contain("finished");
        (await fixture.StateAsync("ehr3", s => s.EventsAccountedFor == 2)).Should().NotBeNull();
        fixture.Ehr.RequestsTo(EncounterPath).Should().HaveCount(reads, "a full-resource notification carries the resource");
    }

    [Fact]
    public async Task The_IG_empty_notification_re_queries_the_filter_since_the_last_good_event()
    {
        var changed = Notifications.Chromogranin($"empty-{Guid.NewGuid():N}"[..30], "empty-patient", 200, "2026-11-01");
        fixture.Ehr.On(r => r.Path == "Observation" && r.Query.ContainsKey("_lastUpdated"), FakeReply.Ok(Notifications.Searchset(changed)));
        // Inside the 72 h lookback of the clock the service runs on, to the second (the query is written in seconds).
        var now = fixture.Clock.GetUtcNow();
        var lastGood = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero).AddDays(-2);
        await fixture.SeenAsync("ehr4", 1, lastGood);

        (await fixture.NotifyAsync("ehr4", fixture.Example("r4-notification-empty.json"))).Status.Should().Be(HttpStatusCode.OK);

        (await StoredAsync("Observation", (string)changed["id"]!)).Should().NotBeNull();
        var query = fixture.Ehr.RequestsTo("Observation").Last(r => r.Query.ContainsKey("_lastUpdated"));
        query.Query["code"].Should().Be("http://loinc.org|9811-1", "the subscription's filter is what is re-run");
        query.Query["_lastUpdated"].Should().Be($"ge{lastGood.AddMinutes(-1):yyyy-MM-dd'T'HH:mm:ss'Z'}", "from the last good event, less a minute for clock differences");
    }

    [Fact]
    public async Task The_re_query_after_an_empty_notification_looks_back_no_further_than_MaxLookbackHours()
    {
        var changed = Notifications.Chromogranin($"lookback-{Guid.NewGuid():N}"[..30], "lookback-patient", 180, "2026-11-01");
        fixture.Ehr.On(r => r.Path == "Observation" && r.Query.ContainsKey("_lastUpdated"), FakeReply.Ok(Notifications.Searchset(changed)));
        var before = fixture.Clock.GetUtcNow();
        await fixture.SeenAsync("ehr14", 1, before.AddDays(-10));

        (await fixture.NotifyAsync("ehr14", fixture.Example("r4-notification-empty.json"))).Status.Should().Be(HttpStatusCode.OK);

        (await StoredAsync("Observation", (string)changed["id"]!)).Should().NotBeNull();
        var after = fixture.Clock.GetUtcNow();
        var query = fixture.Ehr.RequestsTo("Observation").Last(r => r.Query.ContainsKey("_lastUpdated") && r.Query["code"] == "http://loinc.org|9811-1");
        var since = DateTimeOffset.Parse(query.Query["_lastUpdated"][2..], System.Globalization.CultureInfo.InvariantCulture);
        since.Should().BeOnOrAfter(before.AddHours(-72).AddMinutes(-1).AddSeconds(-1), "a last good event ten days back is bounded by the 72 h lookback (default)")
            .And.BeOnOrBefore(after.AddHours(-72).AddMinutes(-1), "the bound is counted back from the service's clock");
    }

    [Fact]
    public async Task The_IG_query_status_error_is_recorded()
    {
        await fixture.SeenAsync("ehr5", 3);

        (await fixture.NotifyAsync("ehr5", fixture.Example("r4-notification-error.json"))).Status.Should().Be(HttpStatusCode.OK);

        var state = await fixture.StateAsync("ehr5", s => s.Status == "error");
        state!.Status.Should().Be("error");
        state.Recoveries.Should().Be(0);
    }

    [Fact]
    public async Task A_skipped_event_number_is_detected_and_recovered_with_the_events_operation()
    {
        var ids = Enumerable.Range(1, 3).Select(i => $"gap{i}-{Guid.NewGuid():N}"[..30]).ToArray();
        foreach (var id in ids)
        {
            fixture.Ehr.On($"Observation/{id}", FakeReply.Ok(Notifications.Chromogranin(id, "gap-patient", 100, "2026-11-01").ToJsonString()));
        }

        fixture.Ehr.On("Subscription/ehr6/$events", FakeReply.Ok(Notifications.Event("Subscription/ehr6", [(2, $"Observation/{ids[1]}")], "query-event", 3)));

        (await fixture.NotifyAsync("ehr6", Notifications.Event("Subscription/ehr6", [(1, $"Observation/{ids[0]}")]))).Status.Should().Be(HttpStatusCode.OK);
        await fixture.StateAsync("ehr6", s => s.EventsAccountedFor == 1);
        (await fixture.NotifyAsync("ehr6", Notifications.Event("Subscription/ehr6", [(3, $"Observation/{ids[2]}")]))).Status.Should().Be(HttpStatusCode.OK);

        (await StoredAsync("Observation", ids[1])).Should().NotBeNull("the missed event 2 was recovered");
        (await StoredAsync("Observation", ids[2])).Should().NotBeNull();
        var state = await fixture.StateAsync("ehr6", s => s.EventsAccountedFor == 3);
        state!.MissedEvents.Should().Be(1);
        state.LastRecovery.Should().Be("events 2-2 by $events (1 resources)");
        var asked = fixture.Ehr.RequestsTo("Subscription/ehr6/$events").Should().ContainSingle().Subject;
        asked.Query.Should().Contain("eventsSinceNumber", "2").And.Contain("eventsUntilNumber", "2");
    }

    [Fact]
    public async Task Without_the_events_operation_a_gap_is_recovered_by_re_querying_since_the_last_good_event()
    {
        var missed = Notifications.Chromogranin($"rq-{Guid.NewGuid():N}"[..30], "rq-patient", 330, "2026-11-02");
        var focus = Notifications.Chromogranin($"rq-{Guid.NewGuid():N}"[..30], "rq-patient", 340, "2026-11-03");
        fixture.Ehr.On("Subscription/ehr7/$events", FakeReply.WithStatus(404));
        fixture.Ehr.On($"Observation/{focus["id"]}", FakeReply.Ok(focus.ToJsonString()));
        fixture.Ehr.On(r => r.Path == "Observation" && r.Query.ContainsKey("_lastUpdated"), FakeReply.Ok(Notifications.Searchset(missed)));
        await fixture.SeenAsync("ehr7", 4);

        (await fixture.NotifyAsync("ehr7", Notifications.Event("Subscription/ehr7", [(6, $"Observation/{focus["id"]}")]))).Status.Should().Be(HttpStatusCode.OK);

        (await StoredAsync("Observation", (string)missed["id"]!)).Should().NotBeNull("the re-query brought back what event 5 was about");
        (await StoredAsync("Observation", (string)focus["id"]!)).Should().NotBeNull();
        var state = await fixture.StateAsync("ehr7", s => s.EventsAccountedFor == 6);
        state!.LastRecovery.Should().Be("events 5-5 by re-query (1 resources)");
    }

    [Fact]
    public async Task A_server_that_fails_then_recovers_is_retried_until_the_resource_is_stored()
    {
        var id = $"flaky-{Guid.NewGuid():N}"[..30];
        var flaky = Notifications.Chromogranin(id, "flaky-patient", 150, "2026-11-04").ToJsonString();
        fixture.FailingEhr.On($"Observation/{id}", FakeReply.WithStatus(503), FakeReply.WithStatus(503), FakeReply.WithStatus(500), FakeReply.WithStatus(502), FakeReply.WithStatus(503), FakeReply.Ok(flaky));
        await fixture.SeenAsync("ehr8", 0);

        (await fixture.NotifyAsync("ehr8", Notifications.Event("Subscription/ehr8", [(1, $"Observation/{id}")]))).Status.Should().Be(HttpStatusCode.OK);

        (await StoredAsync("Observation", id)).Should().NotBeNull("the read is retried (HTTP retries, then the bus's) until the server answers");
        fixture.FailingEhr.RequestsTo($"Observation/{id}").Should().HaveCount(6);
        (await fixture.StateAsync("ehr8", s => s.EventsAccountedFor == 1)).Should().NotBeNull();
    }

    [Fact]
    public async Task A_server_that_keeps_failing_sends_the_notification_to_the_error_queue_with_the_reason()
    {
        var id = $"down-{Guid.NewGuid():N}"[..30];
        fixture.FailingEhr.On($"Observation/{id}", FakeReply.WithStatus(500));
        var faults = new ConcurrentQueue<Fault<SubscriptionNotificationReceived>>();
        var bus = fixture.Services.GetRequiredService<IBus>();
        var handle = bus.ConnectReceiveEndpoint($"test-fault-{Guid.NewGuid():N}", e => e.Handler<Fault<SubscriptionNotificationReceived>>(c =>
        {
            faults.Enqueue(c.Message);
            return Task.CompletedTask;
        }));
        await handle.Ready;
        try
        {
            (await fixture.NotifyAsync("ehr9", Notifications.Event("Subscription/ehr9", [(1, $"Observation/{id}")]))).Status.Should().Be(HttpStatusCode.OK);

            var fault = await EventuallyAsync(() => Task.FromResult(faults.FirstOrDefault(f => f.Message.Subscription == "ehr9")), f => f is not null);
            fault.Should().NotBeNull("after its retries the notification goes to the error queue, not nowhere");
            fault!.Exceptions.Should().ContainSingle().Which.Message.Should().Be($"HTTP 500 from 127.0.0.1 (GET Observation)");
            (await fixture.StateAsync("ehr9")).Should().BeNull("nothing is recorded as accounted for");
        }
        finally
        {
            await handle.StopAsync(Token);
        }
    }

    [Fact]
    public async Task An_id_only_chromogranin_A_result_leads_to_a_stored_fact_and_a_recomputed_report()
    {
        using var api = fixture.CreateApiClient();
        var (seed, patientId) = UniqueSeed("02-pancreatic-net-g2-progressive");
        (await PostAsync(api, "/fhir", seed)).Status.Should().Be(HttpStatusCode.OK);
        var before = await ReportAsync(api, patientId);
        var cga = Notifications.Chromogranin($"{patientId}-cga-new", patientId, 2400, "2026-11-20");
        fixture.Ehr.On($"Observation/{cga["id"]}", FakeReply.Ok(cga.ToJsonString()));
        await fixture.SeenAsync("ehr10", 0);

        var clock = Stopwatch.StartNew();
        (await fixture.NotifyAsync("ehr10", Notifications.Event("Subscription/ehr10", [(1, $"Observation/{cga["id"]}")]))).Status.Should().Be(HttpStatusCode.OK);
        var after = await ReportAsync(api, patientId, r => ChromograninA(r) != ChromograninA(before));
        clock.Stop();

        TestContext.Current.TestOutputHelper?.WriteLine($"id-only notification to recomputed report: {clock.ElapsedMilliseconds} ms");
        (await RowAsync(fixture.Services, "Observation", (string)cga["id"]!)).Should().NotBeNull();
        ChromograninA(after).Should().NotBe(ChromograninA(before), "the new result is part of the recomputed report's chromogranin A trend");
        after.GetProperty("evaluatedAt").GetDateTimeOffset().Should().BeAfter(before.GetProperty("evaluatedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task The_token_request_carries_a_valid_client_assertion_and_the_token_is_reused()
    {
        var ids = new[] { $"tok1-{Guid.NewGuid():N}"[..30], $"tok2-{Guid.NewGuid():N}"[..30] };
        foreach (var id in ids)
        {
            fixture.Ehr.On($"Observation/{id}", FakeReply.Ok(Notifications.Chromogranin(id, "tok-patient", 99, "2026-11-05").ToJsonString()));
        }

        await fixture.SeenAsync("ehr11", 0);
        (await fixture.NotifyAsync("ehr11", Notifications.Event("Subscription/ehr11", [(1, $"Observation/{ids[0]}")]))).Status.Should().Be(HttpStatusCode.OK);
        await StoredAsync("Observation", ids[0]);
        var tokenRequests = fixture.Ehr.RequestsTo("token").Count;
        (await fixture.NotifyAsync("ehr11", Notifications.Event("Subscription/ehr11", [(2, $"Observation/{ids[1]}")]))).Status.Should().Be(HttpStatusCode.OK);
        await StoredAsync("Observation", ids[1]);

        fixture.Ehr.RequestsTo("token").Should().HaveCount(tokenRequests, "the access token is cached until it expires");
        var request = fixture.Ehr.RequestsTo("token")[^1];
        request.Method.Should().Be("POST");
        var form = request.Body.Split('&').Select(p => p.Split('=')).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));
        form["grant_type"].Should().Be("client_credentials");
        form["client_assertion_type"].Should().Be("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        form["scope"].Should().Contain("system/Observation.read");
        await ClientAssertion.ValidateAsync(form["client_assertion"], fixture.ClientKey, SubscriptionFixture.ClientId, fixture.TokenUrl, SubscriptionFixture.KeyId);
    }

    [Fact]
    public async Task Notifications_without_the_channel_header_or_in_the_wrong_shape_are_refused_with_an_operation_outcome()
    {
        var handshake = fixture.Example("r4-notification-handshake.json");

        (await fixture.NotifyAsync("ehr12", handshake, header: "wrong")).Status.Should().Be(HttpStatusCode.Unauthorized);
        (await fixture.NotifyAsync("nobody", handshake)).Status.Should().Be(HttpStatusCode.Unauthorized, "an unknown subscription gets the same answer as a wrong header");

        var notHistory = JsonNode.Parse(handshake)!;
        notHistory["type"] = "collection";
        await RefusedAsync(notHistory.ToJsonString(), "Bundle.type");

        var noStatus = JsonNode.Parse(handshake)!;
        noStatus["entry"]![0]!["resource"] = JsonNode.Parse("""{"resourceType":"Basic","code":{"text":"x"}}""");
        await RefusedAsync(noStatus.ToJsonString(), "Bundle.entry[0].resource");

        await RefusedAsync(handshake.Replace(SubscriptionFixture.Topic, "http://example.org/other-topic", StringComparison.Ordinal), "Bundle.entry[0].resource.parameter[topic]");
        await RefusedAsync(Notifications.Event("Subscription/ehr12", [(1, "Observation/x")]).Replace("\"event-number\",\"valueString\":\"1\"", "\"event-number\",\"valueString\":\"one\"", StringComparison.Ordinal), "Bundle.entry[0].resource.parameter[notification-event][0].part[event-number]");
        (await fixture.StateAsync("ehr12")).Should().BeNull("nothing refused is recorded");
    }

    [Fact]
    public async Task An_id_only_notification_posted_to_the_fhir_endpoint_is_refused_and_pointed_to_the_channel()
    {
        using var api = fixture.CreateApiClient();

        var (status, body) = await PostAsync(api, "/fhir", fixture.Example("r4-notification-id-only.json"));

        status.Should().Be(HttpStatusCode.BadRequest, "stored as it is, the event would be lost without a word");
        Issues(body, "expression").Should().Equal("Bundle.entry[0].resource");
        Issues(body, "diagnostics").Should().ContainSingle().Which.Should().Contain("/subscriptions/{name}/notifications");
        (await PostAsync(api, "/fhir", fixture.Example("r4-notification-heartbeat.json"))).Status.Should().Be(HttpStatusCode.OK, "a heartbeat carries no event to lose");
    }

    private async Task RefusedAsync(string json, string expression)
    {
        var (status, body) = await fixture.NotifyAsync("ehr12", json);
        status.Should().Be(HttpStatusCode.BadRequest);
        body!["resourceType"]!.GetValue<string>().Should().Be("OperationOutcome");
        body["issue"]![0]!["expression"]![0]!.GetValue<string>().Should().Be(expression);
    }

    private static string ChromograninA(JsonElement report) => report.GetProperty("facts").GetProperty("chromograninA").GetRawText();
}

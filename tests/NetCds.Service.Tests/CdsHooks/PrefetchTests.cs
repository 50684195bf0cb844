using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using NetCds.Fhir.Terminology;
using NetCds.Service.CdsHooks.Prefetch;
using NetCds.Service.Tests.CdsHooks.Support;

namespace NetCds.Service.Tests.CdsHooks;

public sealed class PrefetchTests
{
    private const string PatientId = "pt-7f3c9e";
    private const string Token = "tok-SECRET-9d41b7";
    private static readonly FhirAuthorization Authorization = new(Token, Scope: "patient/*.read", Subject: "cds-service");

    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(2000);

    /// <summary>Generous: this checks that the budget is enforced, it does not benchmark.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(1500);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>
    /// For tests about what is retried, not about time: an attempt timeout (700 ms by default) that a loaded machine
    /// never reaches, so exactly the replies the fake server is told to give are seen.
    /// </summary>
    private static Dictionary<string, string?> RoomyTimeouts => Settings(("TotalBudgetMilliseconds", "20000"), ("AttemptTimeoutMilliseconds", "10000"));

    // ---- Templates -------------------------------------------------------------------------------------------

    [Fact]
    public void Templates_declare_the_six_keys_with_patient_tokens()
    {
        PrefetchTemplates.All.Keys.Should().Equal("patient", "conditions", "observations", "procedures", "medicationStatements", "medicationRequests");
        PrefetchTemplates.All["patient"].Should().Be("Patient/{{context.patientId}}");
        PrefetchTemplates.All["conditions"].Should().Be("Condition?patient={{context.patientId}}");
        PrefetchTemplates.All["procedures"].Should().Be("Procedure?patient={{context.patientId}}");
        PrefetchTemplates.All["medicationStatements"].Should().Be("MedicationStatement?patient={{context.patientId}}");
        PrefetchTemplates.All["medicationRequests"].Should().Be("MedicationRequest?patient={{context.patientId}}");
        PrefetchTemplates.All["observations"].Should().StartWith("Observation?patient={{context.patientId}}&code=http%3A%2F%2Floinc.org%7C");
    }

    [Fact]
    public void Observation_template_searches_every_observation_code_of_the_terminology_map()
    {
        var code = PrefetchTemplates.All["observations"].Split("&code=")[1];
        var codes = code.Split(',').Select(Uri.UnescapeDataString).ToList();

        codes.Should().OnlyHaveUniqueItems().And.HaveCount(ObservationCodesInTheBuiltInMapFile());
        codes.Should().Contain(TerminologyMap.Default.CodesFor(CodeContext.Observation, "ChromograninA.Mass"))
            .And.Contain(TerminologyMap.Default.CodesFor(CodeContext.Observation, "Ki67"))
            .And.Contain(TerminologyMap.Default.CodesFor(CodeContext.Observation, "CreatinineClearance"))
            .And.Contain("http://netcds.org/fhir/CodeSystem/net-findings|mitotic-count");
        code.Split(',').Should().AllSatisfy(c => c.Should().NotContainAny("|", ":", "/", ","));
    }

    [Fact]
    public void Rendering_replaces_the_tokens_used_and_encodes_their_values()
    {
        var context = Context(patientId: "a b/c", userId: "Practitioner/dr-1");

        PrefetchTemplates.TryRender("Patient/{{context.patientId}}", context, out var query, out _).Should().BeTrue();
        query.Should().Be("Patient/a%20b%2Fc");
        PrefetchTemplates.TryRender("Practitioner/{{userPractitionerId}}", context, out query, out _).Should().BeTrue();
        query.Should().Be("Practitioner/dr-1");
        PrefetchTemplates.TryRender("Condition?code=x", null, out query, out _).Should().BeTrue();
        query.Should().Be("Condition?code=x");
    }

    [Theory]
    [InlineData("Encounter/{{context.encounterId}}", "context.encounterId")]
    [InlineData("PractitionerRole/{{userPractitionerRoleId}}", "userPractitionerRoleId")]
    [InlineData("Patient/{{patientId}}", "patientId")]
    public void A_token_without_a_value_or_unknown_cannot_be_rendered(string template, string token)
    {
        PrefetchTemplates.TryRender(template, Context(), out var query, out var unresolved).Should().BeFalse();
        query.Should().BeNull();
        unresolved.Should().Be(token);
    }

    // ---- Prefetch in the request ----------------------------------------------------------------------------

    [Fact]
    public async Task Every_key_prefetched_needs_no_http_call()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        await using var sut = await PrefetchHarness.StartAsync();

        var result = await sut.Resolver.ResolveAsync(FullPrefetch(), Context(), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);

        ehr.Requests.Should().BeEmpty();
        result.Keys.Values.Should().AllSatisfy(k => k.Source.Should().Be(PrefetchSource.Prefetched));
        result.HasRequiredData.Should().BeTrue();
        result.Warnings.Should().BeEmpty();
        result.Resources.Select(r => r.Reference).Should().BeEquivalentTo(
            ["Patient/" + PatientId, "Condition/c1", "Condition/c2", "Observation/o1", "Procedure/p1", "MedicationStatement/ms1", "MedicationRequest/mr1"]);
    }

    [Fact]
    public async Task A_prefetched_Bundle_is_flattened()
    {
        await using var sut = await PrefetchHarness.StartAsync();

        var result = await sut.Resolver.ResolveAsync(FullPrefetch(), Context(), null, null, Cancel);

        result.Keys["conditions"].ResourceCount.Should().Be(2);
        result.Resources.Where(r => r.Resource.TypeName == "Condition").Select(r => r.Reference).Should().Equal("Condition/c1", "Condition/c2");
    }

    [Fact]
    public async Task A_resource_sent_again_is_kept_parsed_and_a_changed_one_is_parsed_anew()
    {
        await using var sut = await PrefetchHarness.StartAsync();
        var once = await sut.Resolver.ResolveAsync(FullPrefetch(), Context(), null, null, Cancel);
        var twice = await sut.Resolver.ResolveAsync(FullPrefetch(), Context(), null, null, Cancel);
        var prefetch = FullPrefetch();
        prefetch["observations"] = FhirJson.Element(FhirJson.Searchset(FhirJson.Observation("o1", PatientId, value: 9.9m)));

        var again = await sut.Resolver.ResolveAsync(prefetch, Context(), null, null, Cancel);

        var first = once.Resources.ToDictionary(r => r.Reference, r => r.Resource);
        var kept = twice.Resources.ToDictionary(r => r.Reference, r => r.Resource);
        twice.Resources.Should().OnlyContain(r => !ReferenceEquals(r.Resource, first[r.Reference]), "a content sent once is not kept: most never come again");
        again.Resources.Where(r => r.Reference != "Observation/o1").Should().OnlyContain(r => ReferenceEquals(r.Resource, kept[r.Reference]), "from its second sending on, the same JSON is not parsed again (issue 20)");
        var changed = again.Resources.Single(r => r.Reference == "Observation/o1").Resource;
        changed.Should().NotBeSameAs(kept["Observation/o1"]);
        changed.Should().BeOfType<Hl7.Fhir.Model.Observation>().Which.Value.Should().BeOfType<Hl7.Fhir.Model.Quantity>()
            .Which.Value.Should().Be(9.9m, "a resource that changed by one value is parsed anew, never served from another's");
    }

    [Fact]
    public void A_content_whose_hash_matches_a_kept_one_is_parsed_as_itself()
    {
        // Every content hashes alike here: only the check of the kept bytes tells one resource from another.
        using var parsed = new NetCds.Service.Records.ParsedResources(Options.Create(new NetCds.Service.Records.IngestionOptions()), static _ => UInt128.One);
        var kept = FhirJson.Element(FhirJson.Observation("o1", PatientId, value: 1m));
        var colliding = FhirJson.Element(FhirJson.Observation("o2", PatientId, value: 2m));
        parsed.ByContent(kept);
        var held = parsed.ByContent(kept).Resource;

        var served = parsed.ByContent(kept).Resource;
        var other = parsed.ByContent(colliding).Resource;

        served.Should().BeSameAs(held, "the kept content is served from the cache");
        other.Should().NotBeSameAs(held);
        other!.Id.Should().Be("o2", "a content with the same hash is parsed as itself, never served another's parse");
    }

    [Fact]
    public async Task A_malformed_prefetched_resource_is_set_aside_each_time_it_is_sent()
    {
        await using var sut = await PrefetchHarness.StartAsync();
        var prefetch = FullPrefetch();
        const string Bad = """{"resourceType":"Observation","id":"bad-1","status":"final","code":{"text":"x"},"foo":1}""";
        prefetch["observations"] = FhirJson.Element(FhirJson.Searchset(FhirJson.Observation("o1", PatientId), Bad));

        for (var call = 0; call < 2; call++)
        {
            var result = await sut.Resolver.ResolveAsync(prefetch, Context(), null, null, Cancel);

            result.SetAside.Should().ContainSingle($"call {call}: a failed parse is not kept").Which.Resource.Should().Be("Observation/bad-1");
            result.Resources.Select(r => r.Reference).Should().Contain("Observation/o1");
        }
    }

    [Fact]
    public async Task A_key_null_in_the_request_is_not_fetched()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        await using var sut = await PrefetchHarness.StartAsync();
        var prefetch = FullPrefetch();
        prefetch["conditions"] = FhirJson.Element("null");

        var result = await sut.Resolver.ResolveAsync(prefetch, Context(), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);

        ehr.Requests.Should().BeEmpty();
        result.Keys["conditions"].Source.Should().Be(PrefetchSource.NullInRequest);
        result.Keys["conditions"].ResourceCount.Should().Be(0);
        result.Warnings.Should().BeEmpty("null is the client's answer that there is no data");
    }

    [Fact]
    public async Task A_key_holding_an_OperationOutcome_is_fetched()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        ehr.On("Condition", FakeReply.Ok(FhirJson.Searchset(FhirJson.Condition("c9", PatientId))));
        await using var sut = await PrefetchHarness.StartAsync();
        var prefetch = FullPrefetch();
        prefetch["conditions"] = FhirJson.Element(FhirJson.OperationOutcome("timed out"));

        var result = await sut.Resolver.ResolveAsync(prefetch, Context(), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);

        var conditions = result.Keys["conditions"];
        conditions.Source.Should().Be(PrefetchSource.Fetched);
        conditions.Reason.Should().Contain("OperationOutcome");
        result.Resources.Select(r => r.Reference).Should().Contain("Condition/c9").And.NotContain("Condition/c1");
        ehr.Requests.Should().ContainSingle().Which.Query["patient"].Should().Be(PatientId);
    }

    [Fact]
    public async Task An_absent_key_is_fetched_with_the_bearer_token_and_the_patient_id()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        ehr.On("Patient/" + PatientId, FakeReply.Ok(FhirJson.Patient(PatientId)));
        await using var sut = await PrefetchHarness.StartAsync();
        var prefetch = FullPrefetch();
        prefetch.Remove("patient");

        var result = await sut.Resolver.ResolveAsync(prefetch, Context(), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);

        result.Keys["patient"].Source.Should().Be(PrefetchSource.Fetched);
        result.Keys["patient"].Reason.Should().BeNull();
        result.HasRequiredData.Should().BeTrue();
        result.Resources.Should().ContainSingle(r => r.Reference == "Patient/" + PatientId);
        var seen = ehr.Requests.Should().ContainSingle().Subject;
        seen.Method.Should().Be("GET");
        seen.Path.Should().Be("Patient/" + PatientId);
        seen.Authorization.Should().Be("Bearer " + Token);
        seen.Accept.Should().Be("application/fhir+json");
    }

    [Fact]
    public async Task Absent_observations_are_searched_by_patient_and_every_mapped_code()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        ehr.On("Observation", FakeReply.Ok(FhirJson.Searchset(FhirJson.Observation("o7", PatientId))));
        await using var sut = await PrefetchHarness.StartAsync();
        var prefetch = FullPrefetch();
        prefetch.Remove("observations");

        var result = await sut.Resolver.ResolveAsync(prefetch, Context(), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);

        result.Keys["observations"].Source.Should().Be(PrefetchSource.Fetched);
        var seen = ehr.Requests.Should().ContainSingle().Subject;
        seen.Query["patient"].Should().Be(PatientId);
        seen.Query["code"].Split(',').Should().BeEquivalentTo(PrefetchTemplates.ObservationCodesOf(TerminologyMap.Default))
            .And.Contain("http://loinc.org|9811-1");
        seen.Authorization.Should().Be("Bearer " + Token);
    }

    [Fact]
    public async Task Without_authorization_no_Authorization_header_is_sent()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        ehr.On("Patient/" + PatientId, FakeReply.Ok(FhirJson.Patient(PatientId)));
        await using var sut = await PrefetchHarness.StartAsync();
        var prefetch = FullPrefetch();
        prefetch.Remove("patient");

        var result = await sut.Resolver.ResolveAsync(prefetch, Context(), ehr.BaseUri.AbsoluteUri, null, Cancel);

        result.Keys["patient"].Source.Should().Be(PrefetchSource.Fetched);
        ehr.Requests.Should().ContainSingle().Which.Authorization.Should().BeNull();
    }

    [Theory]
    [InlineData("""{"resourceType":"Patient","id":"x","notAnElement":1}""", "not a valid FHIR resource")]
    [InlineData("""{"id":"x"}""", "not a valid FHIR resource")]
    [InlineData("\"Patient/x\"", "JSON String")]
    public async Task An_unparsable_prefetched_value_is_fetched_and_why_is_recorded(string value, string reason)
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        ehr.On("Patient/" + PatientId, FakeReply.Ok(FhirJson.Patient(PatientId)));
        await using var sut = await PrefetchHarness.StartAsync();
        var prefetch = FullPrefetch();
        prefetch["patient"] = FhirJson.Element(value);

        var result = await sut.Resolver.ResolveAsync(prefetch, Context(), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);

        result.Keys["patient"].Source.Should().Be(PrefetchSource.Fetched);
        result.Keys["patient"].Reason.Should().Contain(reason);
        result.HasRequiredData.Should().BeTrue();
        ehr.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task Without_fhirServer_an_absent_key_is_unavailable()
    {
        await using var sut = await PrefetchHarness.StartAsync();
        var prefetch = FullPrefetch();
        prefetch.Remove("procedures");

        var result = await sut.Resolver.ResolveAsync(prefetch, Context(), null, Authorization, Cancel);

        var procedures = result.Keys["procedures"];
        procedures.Source.Should().Be(PrefetchSource.Unavailable);
        procedures.Reason.Should().Contain("no fhirServer");
        result.HasRequiredData.Should().BeTrue();
        result.Warnings.Should().ContainSingle().Which.Key.Should().Be("procedures");
    }

    [Fact]
    public async Task Without_a_patient_id_in_context_an_absent_key_cannot_be_fetched()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        await using var sut = await PrefetchHarness.StartAsync();
        var prefetch = FullPrefetch();
        prefetch.Remove("procedures");

        var result = await sut.Resolver.ResolveAsync(prefetch, Context(patientId: null), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);

        result.Keys["procedures"].Source.Should().Be(PrefetchSource.Unavailable);
        result.Keys["procedures"].Reason.Should().Contain("{{context.patientId}}");
        ehr.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Prefetch_and_context_can_be_given_as_the_request_JSON()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        ehr.On("Procedure", FakeReply.Ok(FhirJson.Searchset()));
        await using var sut = await PrefetchHarness.StartAsync();
        var prefetch = FullPrefetch();
        prefetch.Remove("procedures");
        var request = FhirJson.Element(JsonSerializer.Serialize(new { prefetch, context = Context() }));

        var result = await sut.Resolver.ResolveAsync(request.GetProperty("prefetch"), request.GetProperty("context"), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);

        result.Keys["patient"].Source.Should().Be(PrefetchSource.Prefetched);
        result.Keys["procedures"].Source.Should().Be(PrefetchSource.Fetched);
        result.Keys["procedures"].ResourceCount.Should().Be(0);
        ehr.Requests.Should().ContainSingle().Which.Query["patient"].Should().Be(PatientId);
    }

    // ---- Required data ---------------------------------------------------------------------------------------

    [Fact]
    public async Task A_patient_that_cannot_be_fetched_means_the_required_data_is_missing()
    {
        await using var ehr = await FakeFhirServer.StartAsync(); // no route: 404
        await using var sut = await PrefetchHarness.StartAsync();
        var prefetch = FullPrefetch();
        prefetch.Remove("patient");

        var result = await sut.Resolver.ResolveAsync(prefetch, Context(), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);

        result.HasRequiredData.Should().BeFalse();
        result.MissingRequired.Should().ContainSingle().Which.Key.Should().Be("patient");
        result.Keys["patient"].Source.Should().Be(PrefetchSource.Unavailable);
        result.Keys["patient"].Reason.Should().Contain("HTTP 404");
        result.Warnings.Should().BeEmpty("the patient is required, not a warning");
    }

    [Fact]
    public async Task A_patient_null_in_the_request_means_the_required_data_is_missing()
    {
        await using var sut = await PrefetchHarness.StartAsync();
        var prefetch = FullPrefetch();
        prefetch["patient"] = FhirJson.Element("null");

        var result = await sut.Resolver.ResolveAsync(prefetch, Context(), null, null, Cancel);

        result.HasRequiredData.Should().BeFalse();
        result.MissingRequired.Should().ContainSingle().Which.Source.Should().Be(PrefetchSource.NullInRequest);
    }

    // ---- Paging ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task Searchset_pages_are_followed_and_merged()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        ThreePagesOfObservations(ehr, ehr);
        await using var sut = await PrefetchHarness.StartAsync();
        var prefetch = FullPrefetch();
        prefetch.Remove("observations");

        var result = await sut.Resolver.ResolveAsync(prefetch, Context(), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);

        var observations = result.Keys["observations"];
        observations.Source.Should().Be(PrefetchSource.Fetched);
        observations.Truncated.Should().BeFalse();
        observations.ResourceCount.Should().Be(6);
        result.Resources.Where(r => r.Resource.TypeName == "Observation").Select(r => r.Reference)
            .Should().Equal("Observation/o1", "Observation/o2", "Observation/o3", "Observation/o4", "Observation/o5", "Observation/o6");
        ehr.Requests.Should().HaveCount(3).And.AllSatisfy(r => r.Authorization.Should().Be("Bearer " + Token));
        ehr.Requests.Select(r => r.Query.GetValueOrDefault("_page")).Should().Equal(null, "2", "3");
    }

    [Fact]
    public async Task A_searchset_read_from_the_EHR_keeps_its_good_entries_when_one_is_malformed()
    {
        // Issue 20: as a prefetched Bundle does, a fetched page sets the bad entry aside (named) and keeps the rest.
        await using var ehr = await FakeFhirServer.StartAsync();
        var malformed = """{"resourceType":"Observation","id":"bad-1","status":"not-a-status","code":{"text":"x"}}""";
        ehr.On(r => r.Path == "Observation", FakeReply.Ok(FhirJson.Searchset(FhirJson.Observation("o1", PatientId), malformed, FhirJson.Observation("o2", PatientId))));
        await using var sut = await PrefetchHarness.StartAsync();
        var prefetch = FullPrefetch();
        prefetch.Remove("observations");

        var result = await sut.Resolver.ResolveAsync(prefetch, Context(), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);

        var observations = result.Keys["observations"];
        observations.Source.Should().Be(PrefetchSource.Fetched);
        observations.ResourceCount.Should().Be(2);
        result.Resources.Where(r => r.Resource.TypeName == "Observation").Select(r => r.Reference).Should().Equal("Observation/o1", "Observation/o2");
        result.SetAside.Should().ContainSingle().Which.Resource.Should().Be("Observation/bad-1");
    }

    [Fact]
    public async Task Paging_stops_at_the_configured_number_of_pages()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        ThreePagesOfObservations(ehr, ehr);
        await using var sut = await PrefetchHarness.StartAsync(Settings(("MaxPages", "2")));
        var prefetch = FullPrefetch();
        prefetch.Remove("observations");

        var result = await sut.Resolver.ResolveAsync(prefetch, Context(), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);

        var observations = result.Keys["observations"];
        observations.Source.Should().Be(PrefetchSource.Fetched);
        observations.ResourceCount.Should().Be(4);
        observations.Truncated.Should().BeTrue();
        observations.Reason.Should().Contain("2 pages");
        result.Warnings.Should().ContainSingle().Which.Key.Should().Be("observations");
        ehr.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_next_link_to_another_server_is_not_followed_and_the_token_does_not_leave()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        await using var elsewhere = await FakeFhirServer.StartAsync();
        ThreePagesOfObservations(ehr, elsewhere);
        await using var sut = await PrefetchHarness.StartAsync();
        var prefetch = FullPrefetch();
        prefetch.Remove("observations");

        var result = await sut.Resolver.ResolveAsync(prefetch, Context(), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);

        elsewhere.Requests.Should().BeEmpty();
        result.Keys["observations"].ResourceCount.Should().Be(2);
        result.Keys["observations"].Truncated.Should().BeTrue();
    }

    // ---- Resilience ------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_500_is_retried()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        ehr.On("Condition", FakeReply.WithStatus(500), FakeReply.Ok(FhirJson.Searchset(FhirJson.Condition("c5", PatientId))));
        await using var sut = await PrefetchHarness.StartAsync(RoomyTimeouts);
        var prefetch = FullPrefetch();
        prefetch.Remove("conditions");

        var result = await sut.Resolver.ResolveAsync(prefetch, Context(), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);

        result.Keys["conditions"].Source.Should().Be(PrefetchSource.Fetched);
        result.Resources.Should().Contain(r => r.Reference == "Condition/c5");
        ehr.RequestsTo("Condition").Should().HaveCount(2).And.AllSatisfy(r => r.Authorization.Should().Be("Bearer " + Token));
    }

    [Fact]
    public async Task A_429_is_retried_after_its_short_Retry_After()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        ehr.On("Condition", FakeReply.WithStatus(429, retryAfter: "1"), FakeReply.Ok(FhirJson.Searchset(FhirJson.Condition("c5", PatientId))));
        await using var sut = await PrefetchHarness.StartAsync(RoomyTimeouts);
        var prefetch = FullPrefetch();
        prefetch.Remove("conditions");
        var clock = Stopwatch.StartNew();

        var result = await sut.Resolver.ResolveAsync(prefetch, Context(), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);

        clock.Elapsed.Should().BeGreaterThan(TimeSpan.FromMilliseconds(900), "Retry-After: 1 asks for a one-second wait");
        result.Keys["conditions"].Source.Should().Be(PrefetchSource.Fetched);
        ehr.RequestsTo("Condition").Should().HaveCount(2);
    }

    [Fact]
    public async Task A_429_asking_for_a_long_wait_is_not_retried()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        ehr.On("Condition", FakeReply.WithStatus(429, retryAfter: "120"), FakeReply.Ok(FhirJson.Searchset()));
        await using var sut = await PrefetchHarness.StartAsync();
        var prefetch = FullPrefetch();
        prefetch.Remove("conditions");
        var clock = Stopwatch.StartNew();

        var result = await sut.Resolver.ResolveAsync(prefetch, Context(), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);

        clock.Elapsed.Should().BeLessThan(Budget);
        result.Keys["conditions"].Source.Should().Be(PrefetchSource.Unavailable);
        result.Keys["conditions"].Reason.Should().Contain("HTTP 429");
        ehr.RequestsTo("Condition").Should().ContainSingle();
    }

    [Fact]
    public async Task A_server_that_always_answers_503_makes_the_key_unavailable_after_the_retries()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        ehr.On("Condition", FakeReply.WithStatus(503));
        await using var sut = await PrefetchHarness.StartAsync();
        var prefetch = FullPrefetch();
        prefetch.Remove("conditions");
        var clock = Stopwatch.StartNew();

        var result = await sut.Resolver.ResolveAsync(prefetch, Context(), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);

        clock.Elapsed.Should().BeLessThan(Budget + Margin);
        result.Keys["conditions"].Source.Should().Be(PrefetchSource.Unavailable);
        result.Keys["conditions"].Reason.Should().Contain("HTTP 503").And.Contain("127.0.0.1");
        result.Warnings.Should().ContainSingle().Which.Key.Should().Be("conditions");
        result.HasRequiredData.Should().BeTrue();
        ehr.RequestsTo("Condition").Should().HaveCount(1 + 2, "the first attempt and MaxRetries=2 retries");
    }

    [Fact]
    public async Task A_reply_slower_than_the_attempt_timeout_is_retried()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        ehr.On("Patient/" + PatientId, FakeReply.Ok(FhirJson.Patient(PatientId)).After(TimeSpan.FromSeconds(5)), FakeReply.Ok(FhirJson.Patient(PatientId)));
        await using var sut = await PrefetchHarness.StartAsync();
        var prefetch = FullPrefetch();
        prefetch.Remove("patient");

        var result = await sut.Resolver.ResolveAsync(prefetch, Context(), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);

        result.Keys["patient"].Source.Should().Be(PrefetchSource.Fetched);
        result.HasRequiredData.Should().BeTrue();
        ehr.RequestsTo("Patient/" + PatientId).Should().HaveCount(2);
    }

    [Fact]
    public async Task A_server_slower_than_the_total_budget_makes_the_key_unavailable_within_the_budget()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        ehr.On("Procedure", FakeReply.Ok(FhirJson.Searchset()).After(TimeSpan.FromSeconds(30)));
        ehr.On("Condition", FakeReply.Ok(FhirJson.Searchset(FhirJson.Condition("c5", PatientId))));
        await using var sut = await PrefetchHarness.StartAsync();
        var prefetch = FullPrefetch();
        prefetch.Remove("procedures");
        prefetch.Remove("conditions");
        var clock = Stopwatch.StartNew();

        var result = await sut.Resolver.ResolveAsync(prefetch, Context(), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);

        clock.Elapsed.Should().BeLessThan(Budget + Margin);
        result.Keys["procedures"].Source.Should().Be(PrefetchSource.Unavailable);
        result.Keys["conditions"].Source.Should().Be(PrefetchSource.Fetched, "keys are fetched in parallel; a slow one does not hold up the others");
        result.Warnings.Should().ContainSingle().Which.Key.Should().Be("procedures");
        ehr.RequestsTo("Procedure").Should().HaveCountGreaterThan(1, "each attempt timed out and was retried until the budget ran out");
    }

    [Fact]
    public async Task The_budget_is_configurable()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        ehr.On("Procedure", FakeReply.Ok(FhirJson.Searchset()).After(TimeSpan.FromSeconds(30)));
        await using var sut = await PrefetchHarness.StartAsync(Settings(("TotalBudgetMilliseconds", "400"), ("AttemptTimeoutMilliseconds", "300")));
        var prefetch = FullPrefetch();
        prefetch.Remove("procedures");
        var clock = Stopwatch.StartNew();

        var result = await sut.Resolver.ResolveAsync(prefetch, Context(), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromMilliseconds(400) + Margin);
        result.Keys["procedures"].Source.Should().Be(PrefetchSource.Unavailable);
    }

    [Fact]
    public async Task A_failing_search_opens_its_circuit_and_is_then_not_called_while_other_searches_go_on()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        ehr.On("Condition", FakeReply.WithStatus(503));
        ehr.On("Patient/" + PatientId, FakeReply.Ok(FhirJson.Patient(PatientId)));
        await using var sut = await PrefetchHarness.StartAsync(Settings(("CircuitBreakerMinimumThroughput", "2")));
        var prefetch = FullPrefetch();
        prefetch.Remove("conditions");

        await sut.Resolver.ResolveAsync(prefetch, Context(), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);
        var conditionCalls = ehr.RequestsTo("Condition").Count;
        prefetch.Remove("patient");
        var result = await sut.Resolver.ResolveAsync(prefetch, Context(), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);

        ehr.RequestsTo("Condition").Should().HaveCount(conditionCalls);
        result.Keys["conditions"].Source.Should().Be(PrefetchSource.Unavailable);
        result.Keys["conditions"].Reason.Should().Contain("circuit open");
        result.Keys["patient"].Source.Should().Be(PrefetchSource.Fetched, "the circuit is per FHIR server and resource type");
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_mistaken_for_an_unavailable_key()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        ehr.On("Procedure", FakeReply.Ok(FhirJson.Searchset()).After(TimeSpan.FromSeconds(30)));
        await using var sut = await PrefetchHarness.StartAsync();
        var prefetch = FullPrefetch();
        prefetch.Remove("procedures");
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        caller.CancelAfter(TimeSpan.FromMilliseconds(200));

        var resolve = () => sut.Resolver.ResolveAsync(prefetch, Context(), ehr.BaseUri.AbsoluteUri, Authorization, caller.Token);

        await resolve.Should().ThrowAsync<OperationCanceledException>();
    }

    // ---- Secrets and configuration ---------------------------------------------------------------------------

    [Fact]
    public async Task Logs_hold_neither_the_token_nor_the_patient_id()
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        ehr.On("Patient/" + PatientId, FakeReply.WithStatus(500), FakeReply.Ok(FhirJson.Patient(PatientId)));
        ehr.On("Condition", FakeReply.WithStatus(429, retryAfter: "0"), FakeReply.Ok(FhirJson.Searchset(FhirJson.Condition("c5", PatientId))));
        ThreePagesOfObservations(ehr, ehr);
        ehr.On("Procedure", FakeReply.WithStatus(503));
        ehr.On("MedicationStatement", FakeReply.Ok(FhirJson.Searchset()).After(TimeSpan.FromSeconds(30)));
        ehr.On("MedicationRequest", FakeReply.Ok("{ not json"));
        await using var sut = await PrefetchHarness.StartAsync();

        var result = await sut.Resolver.ResolveAsync(
            new Dictionary<string, JsonElement>(), Context(), ehr.BaseUri.AbsoluteUri, Authorization, Cancel);

        result.Keys.Values.Select(k => (k.Key, k.Source)).Should().Equal(
            ("patient", PrefetchSource.Fetched),
            ("conditions", PrefetchSource.Fetched),
            ("observations", PrefetchSource.Fetched),
            ("procedures", PrefetchSource.Unavailable),
            ("medicationStatements", PrefetchSource.Unavailable),
            ("medicationRequests", PrefetchSource.Unavailable));
        ehr.Requests.Should().NotBeEmpty().And.AllSatisfy(r => r.RawQuery.Should().NotContain(Token));
        var logs = sut.Logs.Entries;
        logs.Should().Contain(e => e.Contains("127.0.0.1", StringComparison.Ordinal) && e.Contains("procedures", StringComparison.Ordinal));
        logs.Should().Contain(e => e.Contains("Retry", StringComparison.Ordinal), "the resilience pipeline's events are captured too");
        logs.Should().AllSatisfy(e => e.Should().NotContain(Token).And.NotContain(PatientId));
        result.Keys.Values.Should().AllSatisfy(k => (k.Reason ?? "").Should().NotContain(Token).And.NotContain(PatientId));
    }

    [Fact]
    public void The_authorization_never_prints_its_token()
    {
        Authorization.ToString().Should().NotContain(Token).And.Contain("***");
        $"{Authorization}".Should().NotContain(Token);
    }

    [Fact]
    public void Options_have_the_documented_defaults()
    {
        var options = new CdsHooksFhirOptions();

        options.TotalBudgetMilliseconds.Should().Be(2000);
        options.AttemptTimeoutMilliseconds.Should().Be(700);
        options.MaxRetries.Should().Be(2);
        options.MaxPages.Should().Be(10);
        CdsHooksFhirOptions.Section.Should().Be("CdsHooks:Fhir");
    }

    [Theory]
    [InlineData("MaxPages", "0")]
    [InlineData("TotalBudgetMilliseconds", "0")]
    [InlineData("AttemptTimeoutMilliseconds", "5000")]
    [InlineData("MaxRetries", "-1")]
    public async Task Invalid_options_stop_the_host_at_start(string key, string value)
    {
        var start = () => PrefetchHarness.StartAsync(Settings((key, value)));

        await start.Should().ThrowAsync<OptionsValidationException>();
    }

    // ---- Helpers ---------------------------------------------------------------------------------------------

    private static Dictionary<string, JsonElement> Context(string? patientId = PatientId, string? userId = "Practitioner/dr-1")
    {
        var context = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (patientId is not null)
        {
            context["patientId"] = JsonSerializer.SerializeToElement(patientId);
        }

        if (userId is not null)
        {
            context["userId"] = JsonSerializer.SerializeToElement(userId);
        }

        return context;
    }

    private static Dictionary<string, JsonElement> FullPrefetch() => new(StringComparer.Ordinal)
    {
        ["patient"] = FhirJson.Element(FhirJson.Patient(PatientId)),
        ["conditions"] = FhirJson.Element(FhirJson.Searchset(FhirJson.Condition("c1", PatientId), FhirJson.Condition("c2", PatientId))),
        ["observations"] = FhirJson.Element(FhirJson.Searchset(FhirJson.Observation("o1", PatientId))),
        ["procedures"] = FhirJson.Element("""{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Procedure","id":"p1","status":"completed","subject":{"reference":"Patient/x"}}}]}"""),
        ["medicationStatements"] = FhirJson.Element("""{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"MedicationStatement","id":"ms1","status":"active","medicationCodeableConcept":{"text":"octreotide"},"subject":{"reference":"Patient/x"}}}]}"""),
        ["medicationRequests"] = FhirJson.Element("""{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"MedicationRequest","id":"mr1","status":"active","intent":"order","medicationCodeableConcept":{"text":"octreotide"},"subject":{"reference":"Patient/x"}}}]}"""),
    };

    /// <summary>Observation search in three pages (o1..o6); page 1's next link points at <paramref name="nextHost"/>.</summary>
    private static void ThreePagesOfObservations(FakeFhirServer ehr, FakeFhirServer nextHost)
    {
        Uri Page(FakeFhirServer host, int page) => new($"{host.BaseUri}/Observation?_getpages=s1&_page={page}");
        ehr.On(r => r.Path == "Observation" && !r.Query.ContainsKey("_page"), FakeReply.Ok(FhirJson.Searchset(
            [FhirJson.Observation("o1", PatientId), FhirJson.Observation("o2", PatientId)], Page(nextHost, 2))));
        ehr.On(r => r.Path == "Observation" && r.Query.GetValueOrDefault("_page") == "2", FakeReply.Ok(FhirJson.Searchset(
            [FhirJson.Observation("o3", PatientId), FhirJson.Observation("o4", PatientId)], Page(ehr, 3))));
        ehr.On(r => r.Path == "Observation" && r.Query.GetValueOrDefault("_page") == "3", FakeReply.Ok(FhirJson.Searchset(
            FhirJson.Observation("o5", PatientId), FhirJson.Observation("o6", PatientId))));
    }

    private static Dictionary<string, string?> Settings(params (string Key, string Value)[] values) =>
        values.ToDictionary(v => $"{CdsHooksFhirOptions.Section}:{v.Key}", v => (string?)v.Value);

    private static int ObservationCodesInTheBuiltInMapFile()
    {
        using var stream = typeof(TerminologyMap).Assembly.GetManifestResourceStream("NetCds.Fhir.terminology.json")!;
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.GetProperty("observations").EnumerateObject()
            .SelectMany(m => m.Value.EnumerateArray().Select(c => c.GetString()))
            .Distinct()
            .Count();
    }
}

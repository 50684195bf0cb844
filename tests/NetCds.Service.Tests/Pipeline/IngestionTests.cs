using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NetCds.Service.Tests.Support;
using static NetCds.Service.Tests.Pipeline.PipelineSupport;

namespace NetCds.Service.Tests.Pipeline;

/// <summary>
/// POST/PUT/DELETE /fhir over HTTP, and what ends up in the store: idempotent, out-of-order safe, deletions honoured.
/// On the embedded store here, and on PostgreSQL in <see cref="IngestionPostgreSqlTests"/> (each provider has its own
/// write path, issue 19).
/// </summary>
public class IngestionTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static JsonObject Observation(string id, string patientId, string status = "final", decimal value = 12, string? lastUpdated = null, string? versionId = null)
    {
        var observation = new JsonObject
        {
            ["resourceType"] = "Observation",
            ["id"] = id,
            ["status"] = status,
            ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = "29593-1" }) },
            ["subject"] = new JsonObject { ["reference"] = $"Patient/{patientId}" },
            ["effectiveDateTime"] = TestClock.DaysAgo(200),
            ["valueQuantity"] = new JsonObject { ["value"] = value, ["unit"] = "%", ["system"] = "http://unitsofmeasure.org", ["code"] = "%" },
        };
        if (lastUpdated is not null || versionId is not null)
        {
            var meta = new JsonObject();
            if (versionId is not null)
            {
                meta["versionId"] = versionId;
            }

            if (lastUpdated is not null)
            {
                meta["lastUpdated"] = lastUpdated;
            }

            observation["meta"] = meta;
        }

        return observation;
    }

    private static decimal ValueOf(string? json) => JsonNode.Parse(json!)!["valueQuantity"]!["value"]!.GetValue<decimal>();

    private static string Id() => $"o{Guid.NewGuid():N}"[..20];

    private static List<(string Status, string? Location)> Responses(JsonElement bundle) =>
        [.. bundle.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("response")).Select(r => (r.GetProperty("status").GetString()!, r.TryGetProperty("location", out var l) ? l.GetString() : null))];

    // ---- HTTP ----

    [Fact]
    public async Task A_collection_bundle_gets_a_batch_response_with_one_created_entry_per_resource()
    {
        using var client = factory.CreateApiClient();
        var (json, _) = UniqueSeed("02-pancreatic-net-g2-progressive");
        var expected = JsonNode.Parse(json)!["entry"]!.AsArray().Select(e => $"{e!["resource"]!["resourceType"]}/{e["resource"]!["id"]}").ToList();

        var (status, body) = await PostAsync(client, "/fhir", json);

        status.Should().Be(HttpStatusCode.OK);
        body.GetProperty("resourceType").GetString().Should().Be("Bundle");
        body.GetProperty("type").GetString().Should().Be("batch-response");
        var responses = Responses(body);
        responses.Select(r => r.Status).Should().AllBe("201 Created");
        responses.Select(r => r.Location).Should().Equal(expected);
    }

    [Fact]
    public async Task A_transaction_with_urn_uuid_full_urls_gets_ids_and_rewritten_references_so_the_patient_is_computed()
    {
        using var client = factory.CreateApiClient();
        var seed = CdsHooks.Support.HookCalls.Seed("02-pancreatic-net-g2-progressive");
        var original = CdsHooks.Support.HookCalls.PatientIdOf(seed);
        var urns = new Dictionary<string, string>();
        var entries = JsonNode.Parse(seed)!["entry"]!.AsArray().Select(e => e!["resource"]!.DeepClone().AsObject()).ToList();
        foreach (var resource in entries)
        {
            urns[$"{resource["resourceType"]}/{resource["id"]}"] = $"urn:uuid:{Guid.NewGuid()}";
        }

        var transaction = new JsonObject
        {
            ["resourceType"] = "Bundle",
            ["type"] = "transaction",
            ["entry"] = new JsonArray([.. entries.Select(resource =>
            {
                var fullUrl = urns[$"{resource["resourceType"]}/{resource["id"]}"];
                var type = (string)resource["resourceType"]!;
                resource.Remove("id");
                var text = resource.ToJsonString();
                foreach (var (local, urn) in urns)
                {
                    text = text.Replace($"\"{local}\"", $"\"{urn}\"", StringComparison.Ordinal);
                }

                return (JsonNode)new JsonObject
                {
                    ["fullUrl"] = fullUrl,
                    ["resource"] = JsonNode.Parse(text),
                    ["request"] = new JsonObject { ["method"] = "POST", ["url"] = type },
                };
            })]),
        };

        var (status, body) = await PostAsync(client, "/fhir", transaction.ToJsonString());

        status.Should().Be(HttpStatusCode.OK);
        body.GetProperty("type").GetString().Should().Be("transaction-response");
        var responses = Responses(body);
        responses.Should().HaveCount(entries.Count);
        responses.Select(r => r.Status).Should().AllBe("201 Created");
        var patientLocation = responses[0].Location!;
        patientLocation.Should().StartWith("Patient/");
        var patientId = patientLocation["Patient/".Length..];
        patientId.Should().NotBe(original);

        var condition = await RowAsync(factory.Services, "Condition", responses[1].Location!.Split('/')[1]);
        condition!.Patient.Should().Be(patientLocation);
        condition.Json.Should().Contain($"\"reference\":\"{patientLocation}\"").And.NotContain("urn:uuid");

        var report = await ReportAsync(client, patientId);
        Statuses(report).Should().Equal(InProcess(factory.Services, seed, report));
    }

    [Fact]
    public async Task A_bundle_entry_that_came_with_its_id_is_stored_as_sent_and_one_changed_by_ingestion_as_changed()
    {
        using var client = factory.CreateApiClient();
        var patientId = $"as-sent-{Guid.NewGuid():N}"[..24];
        // Blanks and an element order of the sender's own: stored is the entry's text, not the parser's rendering of it
        // (issue 19: serializing every resource again was the largest allocator after the parse).
        var asSent = $$"""{ "status": "final", "id": "{{patientId}}-o1", "resourceType": "Observation", "code": {"coding": [{"system": "http://loinc.org", "code": "29593-1"}]}, "subject": {"reference": "Patient/{{patientId}}"}, "effectiveDateTime": "{{TestClock.DaysAgo(3)}}", "valueQuantity": {"value": 12.0, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"} }""";
        var withoutId = Observation("unused", patientId, value: 14);
        withoutId.Remove("id");
        var batch = $$$"""
            {"resourceType": "Bundle", "type": "batch", "entry": [
              {"request": {"method": "DELETE", "url": "Observation/{{{patientId}}}-gone"}},
              {"resource": {{{asSent}}}, "request": {"method": "PUT", "url": "Observation/{{{patientId}}}-o1"}},
              {"resource": {{{withoutId.ToJsonString()}}}, "request": {"method": "POST", "url": "Observation"}}]}
            """;

        var (status, body) = await PostAsync(client, "/fhir", batch);

        status.Should().Be(HttpStatusCode.OK);
        var responses = Responses(body);
        (await RowAsync(factory.Services, "Observation", $"{patientId}-o1"))!.Json.Should().Be(asSent, "an entry nothing changed is stored as it came, whatever entry comes before it");
        var givenId = responses[2].Location!.Split('/')[1];
        JsonNode.Parse((await RowAsync(factory.Services, "Observation", givenId))!.Json!)!["id"]!.GetValue<string>().Should().Be(givenId, "a resource given an id is stored with it");

        // Sent again, word for word: a duplicate.
        var (_, again) = await PostAsync(client, "/fhir", batch);
        Responses(again)[1].Status.Should().Be("200 OK");
    }

    [Fact]
    public async Task A_transaction_whose_references_are_rewritten_is_stored_rewritten_even_where_entries_carry_ids()
    {
        using var client = factory.CreateApiClient();
        var patientId = $"rewrite-{Guid.NewGuid():N}"[..24];
        var urn = $"urn:uuid:{Guid.NewGuid()}";
        var observation = Observation($"{patientId}-o1", patientId);
        observation["subject"] = new JsonObject { ["reference"] = urn };
        var transaction = new JsonObject
        {
            ["resourceType"] = "Bundle",
            ["type"] = "transaction",
            ["entry"] = new JsonArray(
                new JsonObject { ["fullUrl"] = urn, ["resource"] = new JsonObject { ["resourceType"] = "Patient", ["id"] = patientId, ["birthDate"] = "1960-01-01" }, ["request"] = new JsonObject { ["method"] = "PUT", ["url"] = $"Patient/{patientId}" } },
                new JsonObject { ["resource"] = observation, ["request"] = new JsonObject { ["method"] = "PUT", ["url"] = $"Observation/{patientId}-o1" } }),
        };

        (await PostAsync(client, "/fhir", transaction.ToJsonString())).Status.Should().Be(HttpStatusCode.OK);

        var stored = (await RowAsync(factory.Services, "Observation", $"{patientId}-o1"))!;
        stored.Json.Should().Contain($"\"reference\":\"Patient/{patientId}\"").And.NotContain("urn:uuid", "the rewritten resource is stored, not the text sent");
        stored.Patient.Should().Be($"Patient/{patientId}");
    }

    [Fact]
    public async Task A_batch_with_a_delete_entry_deletes_and_answers_204()
    {
        using var client = factory.CreateApiClient();
        var (json, patientId) = UniqueSeed("02-pancreatic-net-g2-progressive");
        (await PostAsync(client, "/fhir", json)).Status.Should().Be(HttpStatusCode.OK);
        var batch = new JsonObject
        {
            ["resourceType"] = "Bundle",
            ["type"] = "batch",
            ["entry"] = new JsonArray(
                new JsonObject { ["request"] = new JsonObject { ["method"] = "DELETE", ["url"] = $"Observation/{patientId}-ki67" } },
                new JsonObject
                {
                    ["resource"] = Observation($"{patientId}-extra", patientId),
                    ["request"] = new JsonObject { ["method"] = "PUT", ["url"] = $"Observation/{patientId}-extra" },
                }),
        };

        var (status, body) = await PostAsync(client, "/fhir", batch.ToJsonString());

        status.Should().Be(HttpStatusCode.OK);
        body.GetProperty("type").GetString().Should().Be("batch-response");
        Responses(body).Should().Equal(("204 No Content", $"Observation/{patientId}-ki67"), ("201 Created", $"Observation/{patientId}-extra"));
        var deleted = await RowAsync(factory.Services, "Observation", $"{patientId}-ki67");
        deleted!.Deleted.Should().BeTrue();
        deleted.Json.Should().BeNull();
    }

    [Fact]
    public async Task A_single_resource_is_created_then_the_same_again_is_unchanged()
    {
        using var client = factory.CreateApiClient();
        var id = Id();
        var json = Observation(id, "nobody-" + id).ToJsonString();

        var first = await PostAsync(client, "/fhir/Observation", json);
        var second = await PostAsync(client, "/fhir/Observation", json);

        first.Status.Should().Be(HttpStatusCode.Created);
        first.Body.GetProperty("id").GetString().Should().Be(id);
        second.Status.Should().Be(HttpStatusCode.OK);
        var row = await RowAsync(factory.Services, "Observation", id);
        row!.Version.Should().Be(1);
    }

    [Fact]
    public async Task Put_and_delete_by_url_store_and_delete()
    {
        using var client = factory.CreateApiClient();
        var id = Id();

        var put = await SendAsync(client, HttpMethod.Put, $"/fhir/Observation/{id}", Observation(id, "nobody").ToJsonString());
        var delete = await SendAsync(client, HttpMethod.Delete, $"/fhir/Observation/{id}");

        put.Status.Should().Be(HttpStatusCode.Created);
        delete.Status.Should().Be(HttpStatusCode.NoContent);
        (await RowAsync(factory.Services, "Observation", id))!.Deleted.Should().BeTrue();
    }

    [Fact]
    public async Task Put_with_an_id_differing_from_the_url_is_400_naming_Observation_id()
    {
        using var client = factory.CreateApiClient();
        var id = Id();

        var (status, body) = await SendAsync(client, HttpMethod.Put, $"/fhir/Observation/{id}-other", Observation(id, "nobody").ToJsonString());

        status.Should().Be(HttpStatusCode.BadRequest);
        body.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
        Issues(body, "expression").Should().Contain("Observation.id");
        (await RowAsync(factory.Services, "Observation", id)).Should().BeNull();
        (await RowAsync(factory.Services, "Observation", id + "-other")).Should().BeNull();
    }

    [Fact]
    public async Task A_body_of_another_type_than_the_url_is_400()
    {
        using var client = factory.CreateApiClient();
        var id = Id();

        var (status, body) = await PostAsync(client, "/fhir/Condition", Observation(id, "nobody").ToJsonString());

        status.Should().Be(HttpStatusCode.BadRequest);
        body.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
        Issues(body, "expression").Should().Contain("resourceType");
        (await RowAsync(factory.Services, "Observation", id)).Should().BeNull();
    }

    [Fact]
    public async Task Malformed_json_is_400_with_an_operation_outcome()
    {
        using var client = factory.CreateApiClient();

        var (status, body) = await PostAsync(client, "/fhir", "{\"resourceType\": \"Observation\", \"status\": ");

        status.Should().Be(HttpStatusCode.BadRequest);
        body.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
        Issues(body, "diagnostics").Should().ContainMatch("*Malformed JSON*");
    }

    [Fact]
    public async Task Invalid_fhir_is_400_naming_the_element()
    {
        using var client = factory.CreateApiClient();
        var id = Id();
        var observation = Observation(id, "nobody");
        observation["status"] = "bogus";

        var (status, body) = await PostAsync(client, "/fhir", observation.ToJsonString());

        status.Should().Be(HttpStatusCode.BadRequest);
        body.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
        Issues(body, "expression").Should().Contain("Observation.status");
        (await RowAsync(factory.Services, "Observation", id)).Should().BeNull();
    }

    [Fact]
    public async Task A_bundle_over_the_entry_limit_is_413_and_nothing_is_stored()
    {
        using var limited = factory.WithWebHostBuilder(b => b.UseSetting("Ingestion:MaxEntries", "3"));
        using var client = limited.CreateApiClient();
        var ids = Enumerable.Range(0, 4).Select(_ => Id()).ToList();
        var bundle = new JsonObject
        {
            ["resourceType"] = "Bundle",
            ["type"] = "collection",
            ["entry"] = new JsonArray([.. ids.Select(id => (JsonNode)new JsonObject { ["resource"] = Observation(id, "nobody") })]),
        };

        var (status, body) = await PostAsync(client, "/fhir", bundle.ToJsonString());

        status.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        body.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
        Issues(body, "expression").Should().Contain("Bundle.entry");
        foreach (var id in ids)
        {
            (await RowAsync(limited.Services, "Observation", id)).Should().BeNull();
        }
    }

    [Fact]
    public async Task A_delete_entry_without_type_and_id_is_400_and_nothing_is_stored()
    {
        using var client = factory.CreateApiClient();
        var id = Id();
        var batch = new JsonObject
        {
            ["resourceType"] = "Bundle",
            ["type"] = "batch",
            ["entry"] = new JsonArray(
                new JsonObject { ["resource"] = Observation(id, "nobody"), ["request"] = new JsonObject { ["method"] = "PUT", ["url"] = $"Observation/{id}" } },
                new JsonObject { ["request"] = new JsonObject { ["method"] = "DELETE", ["url"] = "Observation" } }),
        };

        var (status, body) = await PostAsync(client, "/fhir", batch.ToJsonString());

        status.Should().Be(HttpStatusCode.BadRequest);
        body.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
        Issues(body, "expression").Should().Contain("Bundle.entry[1].request.url");
        (await RowAsync(factory.Services, "Observation", id)).Should().BeNull();
    }

    [Fact]
    public async Task An_r4_subscription_notification_skips_the_subscription_status_and_stores_the_rest()
    {
        using var client = factory.CreateApiClient();
        var (seed, patientId) = UniqueSeed("02-pancreatic-net-g2-progressive");
        var resources = JsonNode.Parse(seed)!["entry"]!.AsArray().Select(e => e!["resource"]!.DeepClone()).Take(3).ToList();
        var statusUrn = $"urn:uuid:{Guid.NewGuid()}";
        var notification = new JsonObject
        {
            ["resourceType"] = "Bundle",
            ["type"] = "history",
            ["timestamp"] = "2026-11-01T10:00:00Z",
            ["entry"] = new JsonArray([
                new JsonObject
                {
                    ["fullUrl"] = statusUrn,
                    ["resource"] = new JsonObject
                    {
                        ["resourceType"] = "Parameters",
                        ["id"] = "status-" + patientId,
                        ["meta"] = new JsonObject { ["profile"] = new JsonArray("http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-status-r4") },
                        ["parameter"] = new JsonArray(
                            new JsonObject { ["name"] = "subscription", ["valueReference"] = new JsonObject { ["reference"] = "https://ehr.example/fhir/Subscription/123" } },
                            new JsonObject { ["name"] = "topic", ["valueCanonical"] = "http://ehr.example/topics/observation-changed" },
                            new JsonObject { ["name"] = "status", ["valueCode"] = "active" },
                            new JsonObject { ["name"] = "type", ["valueCode"] = "event-notification" },
                            new JsonObject { ["name"] = "events-since-subscription-start", ["valueString"] = "3" }),
                    },
                    ["request"] = new JsonObject { ["method"] = "GET", ["url"] = "https://ehr.example/fhir/Subscription/123/$status" },
                    ["response"] = new JsonObject { ["status"] = "200" },
                },
                .. resources.Select(r => (JsonNode)new JsonObject
                {
                    ["fullUrl"] = $"https://ehr.example/fhir/{r["resourceType"]}/{r["id"]}",
                    ["resource"] = r,
                    ["request"] = new JsonObject { ["method"] = "PUT", ["url"] = $"{r["resourceType"]}/{r["id"]}" },
                    ["response"] = new JsonObject { ["status"] = "201" },
                })]),
        };

        var (status, body) = await PostAsync(client, "/fhir", notification.ToJsonString());

        status.Should().Be(HttpStatusCode.OK);
        // One response entry per posted entry: the SubscriptionStatus first, passed over, with no location.
        Responses(body).Select(r => r.Location).Should().Equal([null, .. resources.Select(r => $"{r["resourceType"]}/{r["id"]}")]);
        (await RowAsync(factory.Services, "Parameters", "status-" + patientId)).Should().BeNull();
        foreach (var resource in resources)
        {
            (await RowAsync(factory.Services, (string)resource["resourceType"]!, (string)resource["id"]!))!.Patient.Should().Be($"Patient/{patientId}");
        }
    }

    [Fact]
    public async Task A_message_bundle_skips_the_message_header_and_stores_the_rest()
    {
        using var client = factory.CreateApiClient();
        var id = Id();
        var headerId = "header-" + id;
        var message = new JsonObject
        {
            ["resourceType"] = "Bundle",
            ["type"] = "message",
            ["timestamp"] = "2026-11-01T10:00:00Z",
            ["entry"] = new JsonArray(
                new JsonObject
                {
                    ["fullUrl"] = $"urn:uuid:{Guid.NewGuid()}",
                    ["resource"] = new JsonObject
                    {
                        ["resourceType"] = "MessageHeader",
                        ["id"] = headerId,
                        ["eventCoding"] = new JsonObject { ["system"] = "http://example.org/events", ["code"] = "observation-result" },
                        ["source"] = new JsonObject { ["endpoint"] = "https://lab.example/hl7" },
                    },
                },
                new JsonObject { ["fullUrl"] = $"urn:uuid:{Guid.NewGuid()}", ["resource"] = Observation(id, "nobody-" + id) }),
        };

        var (status, body) = await PostAsync(client, "/fhir", message.ToJsonString());

        status.Should().Be(HttpStatusCode.OK);
        Responses(body).Should().Equal(("200 OK", null), ("201 Created", $"Observation/{id}"));
        (await RowAsync(factory.Services, "MessageHeader", headerId)).Should().BeNull();
        (await RowAsync(factory.Services, "Observation", id)).Should().NotBeNull();
    }

    // ---- Store semantics ----

    [Fact]
    public async Task The_same_resource_twice_is_one_row_and_one_version()
    {
        using var client = factory.CreateApiClient();
        var id = Id();
        var json = Observation(id, "nobody-" + id).ToJsonString();

        await PostAsync(client, "/fhir", json);
        await PostAsync(client, "/fhir", json);

        var rows = await QueryAsync(factory.Services, s => s.Resources.AsNoTracking().Where(r => r.ResourceId == id).ToListAsync(Token));
        rows.Should().ContainSingle().Which.Version.Should().Be(1);
    }

    [Fact]
    public async Task An_older_last_updated_arriving_later_does_not_overwrite_the_newer()
    {
        using var client = factory.CreateApiClient();
        var id = Id();

        await PostAsync(client, "/fhir", Observation(id, "nobody", value: 20, lastUpdated: "2026-10-02T08:00:00Z").ToJsonString());
        var (status, body) = await PostAsync(client, "/fhir", Observation(id, "nobody", value: 10, lastUpdated: "2026-10-01T08:00:00Z").ToJsonString());

        status.Should().Be(HttpStatusCode.OK);
        body.GetProperty("valueQuantity").GetProperty("value").GetDecimal().Should().Be(10, "the response echoes what was posted");
        var row = await RowAsync(factory.Services, "Observation", id);
        ValueOf(row!.Json).Should().Be(20);
        row.LastUpdated.Should().Be(DateTimeOffset.Parse("2026-10-02T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_newer_last_updated_does_overwrite()
    {
        using var client = factory.CreateApiClient();
        var id = Id();

        await PostAsync(client, "/fhir", Observation(id, "nobody", value: 10, lastUpdated: "2026-10-01T08:00:00Z").ToJsonString());
        await PostAsync(client, "/fhir", Observation(id, "nobody", value: 20, lastUpdated: "2026-10-02T08:00:00Z").ToJsonString());

        ValueOf((await RowAsync(factory.Services, "Observation", id))!.Json).Should().Be(20);
    }

    [Fact]
    public async Task A_lower_numeric_version_id_arriving_later_does_not_overwrite_the_higher()
    {
        using var client = factory.CreateApiClient();
        var id = Id();

        await PostAsync(client, "/fhir", Observation(id, "nobody", value: 30, versionId: "3").ToJsonString());
        await PostAsync(client, "/fhir", Observation(id, "nobody", value: 20, versionId: "2").ToJsonString());

        var row = await RowAsync(factory.Services, "Observation", id);
        ValueOf(row!.Json).Should().Be(30);
        row.VersionId.Should().Be("3");
        row.Version.Should().Be(3);
    }

    [Fact]
    public async Task A_delete_leaves_a_tombstone_and_an_older_copy_arriving_later_does_not_resurrect_it()
    {
        using var client = factory.CreateApiClient();
        var id = Id();
        await PostAsync(client, "/fhir", Observation(id, "nobody", value: 20, lastUpdated: "2026-10-02T08:00:00Z").ToJsonString());

        (await SendAsync(client, HttpMethod.Delete, $"/fhir/Observation/{id}")).Status.Should().Be(HttpStatusCode.NoContent);
        await PostAsync(client, "/fhir", Observation(id, "nobody", value: 10, lastUpdated: "2026-10-01T08:00:00Z").ToJsonString());
        await PostAsync(client, "/fhir", Observation(id, "nobody", value: 20, lastUpdated: "2026-10-02T08:00:00Z").ToJsonString());

        var row = await RowAsync(factory.Services, "Observation", id);
        row!.Deleted.Should().BeTrue();
        row.Json.Should().BeNull();
    }

    [Fact]
    public async Task A_delete_before_the_resource_ever_arrived_is_recorded_and_a_copy_sent_later_brings_it_back()
    {
        using var client = factory.CreateApiClient();
        var id = Id();

        (await SendAsync(client, HttpMethod.Delete, $"/fhir/Observation/{id}")).Status.Should().Be(HttpStatusCode.NoContent);
        (await RowAsync(factory.Services, "Observation", id))!.Deleted.Should().BeTrue("the deletion is recorded");

        // Last updated a day before the deletion was received (issue 20): no version was ever seen, so the time of
        // receipt is no version to beat, and the copy is not refused as older.
        var beforeTheDeletion = factory.Clock.GetUtcNow().AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var (status, _) = await SendAsync(client, HttpMethod.Put, $"/fhir/Observation/{id}", Observation(id, "nobody", value: 7, lastUpdated: beforeTheDeletion).ToJsonString());

        status.Should().Be(HttpStatusCode.Created);
        var row = await RowAsync(factory.Services, "Observation", id);
        row!.Deleted.Should().BeFalse();
        ValueOf(row.Json).Should().Be(7);
    }

    [Theory]
    [InlineData("2026-10-03T08:00:00Z", null, true)]
    [InlineData(null, "5", true)]
    [InlineData(null, null, true)]
    [InlineData("2026-10-02T08:00:00Z", null, false)]
    [InlineData("2026-10-01T08:00:00Z", null, false)]
    public async Task A_deleted_resource_comes_back_with_a_newer_version_and_older_copies_stay_out(string? lastUpdated, string? versionId, bool comesBack)
    {
        using var client = factory.CreateApiClient();
        var id = Id();
        var first = versionId is null ? Observation(id, "nobody", value: 20, lastUpdated: "2026-10-02T08:00:00Z") : Observation(id, "nobody", value: 20, versionId: "4");
        await PostAsync(client, "/fhir", first.ToJsonString());
        (await SendAsync(client, HttpMethod.Delete, $"/fhir/Observation/{id}")).Status.Should().Be(HttpStatusCode.NoContent);

        var (status, _) = await SendAsync(client, HttpMethod.Put, $"/fhir/Observation/{id}", Observation(id, "nobody", value: 30, lastUpdated: lastUpdated, versionId: versionId).ToJsonString());

        var row = await RowAsync(factory.Services, "Observation", id);
        if (comesBack)
        {
            status.Should().Be(HttpStatusCode.Created);
            row!.Deleted.Should().BeFalse();
            ValueOf(row.Json).Should().Be(30);
        }
        else
        {
            status.Should().Be(HttpStatusCode.OK, "a copy no newer than the deleted one is acknowledged and ignored");
            row!.Deleted.Should().BeTrue();
            row.Json.Should().BeNull();
        }
    }

    [Fact]
    public async Task An_entered_in_error_observation_replaces_the_final_one_and_the_recompute_no_longer_uses_it()
    {
        using var client = factory.CreateApiClient();
        var (json, patientId) = UniqueSeed("02-pancreatic-net-g2-progressive");
        var ki67 = $"Observation/{patientId}-ki67";
        await PostAsync(client, "/fhir", json);
        var before = await ReportAsync(client, patientId);
        before.GetProperty("facts").GetRawText().Should().Contain(ki67, "the final Ki-67 is used at first");

        var erroneous = JsonNode.Parse(json)!["entry"]!.AsArray().Select(e => e!["resource"]!).Single(r => (string?)r["id"] == $"{patientId}-ki67").DeepClone();
        erroneous["status"] = "entered-in-error";
        var (status, _) = await SendAsync(client, HttpMethod.Put, $"/fhir/{ki67}", erroneous.ToJsonString());

        status.Should().Be(HttpStatusCode.OK);
        var row = await RowAsync(factory.Services, "Observation", $"{patientId}-ki67");
        row!.Json.Should().Contain("entered-in-error");
        var after = await ReportAsync(client, patientId, r => r.GetProperty("dataProblems").EnumerateArray().Any(p => p.GetProperty("resource").GetString() == ki67));
        after.GetProperty("dataProblems").EnumerateArray().Single(p => p.GetProperty("resource").GetString() == ki67)
            .GetProperty("kind").GetString().Should().Be("not-usable");
        after.GetProperty("facts").GetRawText().Should().NotContain(ki67);
    }
}

/// <summary>Every ingestion test above, on PostgreSQL (its rows are written as arrays, not by EF Core's change tracker).</summary>
public sealed class IngestionPostgreSqlTests(PostgreSqlServiceFactory factory)
    : IngestionTests(PostgreSqlServiceFactory.SkipUnlessAvailable(factory)), IClassFixture<PostgreSqlServiceFactory>;

using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetCds.Fhir.Input;
using NetCds.Fhir.Mapping;
using NetCds.Service.CdsHooks.Prefetch;

namespace NetCds.Service.Tests.CdsHooks.Support;

/// <summary>Builds CDS Hooks calls from the demo seeds: each seed bundle split into the service's prefetch keys.</summary>
internal static class HookCalls
{
    public static string Seed(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "seeds", name + ".json"));

    /// <summary>The call's resources as the prefetch resolver lists them: key by key, in the templates' order.</summary>
    public static List<SourcedResource> PrefetchResources(JsonObject prefetch)
    {
        var resources = new List<SourcedResource>();
        foreach (var key in PrefetchTemplates.All.Keys)
        {
            if (prefetch[key] is { } value)
            {
                var parsed = FhirInput.Parse(value.ToJsonString());
                parsed.Succeeded.Should().BeTrue();
                resources.AddRange(FhirInput.Resources(parsed.Resource!));
            }
        }

        return resources;
    }

    /// <summary>The seed's resources as the prefetch an EHR would send for our templates.</summary>
    public static JsonObject PrefetchFrom(string seedJson)
    {
        var resources = JsonNode.Parse(seedJson)!["entry"]!.AsArray().Select(e => e!["resource"]!).ToList();
        JsonObject Searchset(string type)
        {
            // FHIR JSON has no empty arrays: an empty searchset has no entry element at all.
            var bundle = new JsonObject { ["resourceType"] = "Bundle", ["type"] = "searchset", ["total"] = 0 };
            var entries = resources.Where(r => (string?)r["resourceType"] == type).Select(r => (JsonNode)new JsonObject { ["resource"] = r.DeepClone() }).ToArray();
            if (entries.Length > 0)
            {
                bundle["entry"] = new JsonArray(entries);
                bundle["total"] = entries.Length;
            }

            return bundle;
        }

        return new JsonObject
        {
            ["patient"] = resources.Single(r => (string?)r["resourceType"] == "Patient").DeepClone(),
            ["conditions"] = Searchset("Condition"),
            ["observations"] = Searchset("Observation"),
            ["procedures"] = Searchset("Procedure"),
            ["medicationStatements"] = Searchset("MedicationStatement"),
            ["medicationRequests"] = Searchset("MedicationRequest"),
        };
    }

    public static string PatientIdOf(string seedJson) =>
        (string)JsonNode.Parse(seedJson)!["entry"]!.AsArray().Select(e => e!["resource"]!).Single(r => (string?)r["resourceType"] == "Patient")["id"]!;

    public static JsonObject Call(string hook, string patientId, JsonObject? prefetch, JsonObject? extraContext = null, string? fhirServer = null, string? accessToken = null)
    {
        var context = new JsonObject { ["userId"] = "Practitioner/example", ["patientId"] = patientId, ["encounterId"] = "89284" };
        foreach (var (key, value) in extraContext ?? [])
        {
            context[key] = value?.DeepClone();
        }

        var call = new JsonObject
        {
            ["hookInstance"] = Guid.NewGuid().ToString(),
            ["hook"] = hook,
            ["context"] = context,
        };
        if (fhirServer is not null)
        {
            call["fhirServer"] = fhirServer;
        }

        if (accessToken is not null)
        {
            call["fhirAuthorization"] = new JsonObject
            {
                ["access_token"] = accessToken,
                ["token_type"] = "Bearer",
                ["expires_in"] = 300,
                ["scope"] = "user/Patient.read user/Observation.read",
                ["subject"] = "cds-service4",
            };
        }

        if (prefetch is not null)
        {
            call["prefetch"] = prefetch;
        }

        return call;
    }

    /// <summary>A draft-orders Bundle with one ServiceRequest or MedicationRequest coded as given.</summary>
    public static JsonObject DraftOrders(string resourceType, string system, string code) => new()
    {
        ["resourceType"] = "Bundle",
        ["type"] = "collection",
        ["entry"] = new JsonArray(new JsonObject
        {
            ["resource"] = resourceType == "ServiceRequest"
                ? new JsonObject { ["resourceType"] = "ServiceRequest", ["id"] = "draft-1", ["status"] = "draft", ["intent"] = "proposal", ["subject"] = new JsonObject { ["reference"] = "Patient/x" }, ["code"] = Concept(system, code) }
                : new JsonObject { ["resourceType"] = "MedicationRequest", ["id"] = "draft-1", ["status"] = "draft", ["intent"] = "proposal", ["subject"] = new JsonObject { ["reference"] = "Patient/x" }, ["medicationCodeableConcept"] = Concept(system, code) },
        }),
    };

    private static JsonObject Concept(string system, string code) => new() { ["coding"] = new JsonArray(new JsonObject { ["system"] = system, ["code"] = code }) };

    public static async Task<(HttpResponseMessage Response, JsonElement Body)> PostAsync(HttpClient client, string path, JsonNode body, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}

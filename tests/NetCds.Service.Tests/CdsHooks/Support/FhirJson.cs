using System.Text.Json;
using System.Text.Json.Nodes;

namespace NetCds.Service.Tests.CdsHooks.Support;

/// <summary>Small FHIR R4 JSON documents for prefetch and fake EHR answers.</summary>
public static class FhirJson
{
    public static string Patient(string id) => new JsonObject
    {
        ["resourceType"] = "Patient",
        ["id"] = id,
        ["birthDate"] = "1961-04-12",
    }.ToJsonString();

    public static string Condition(string id, string patientId) => new JsonObject
    {
        ["resourceType"] = "Condition",
        ["id"] = id,
        ["subject"] = new JsonObject { ["reference"] = $"Patient/{patientId}" },
        ["code"] = new JsonObject { ["text"] = "Neuroendocrine tumour" },
    }.ToJsonString();

    /// <summary>A Ki-67 index Observation (12 % unless <paramref name="value"/> says otherwise).</summary>
    public static string Observation(string id, string patientId, decimal value = 12) => new JsonObject
    {
        ["resourceType"] = "Observation",
        ["id"] = id,
        ["status"] = "final",
        ["subject"] = new JsonObject { ["reference"] = $"Patient/{patientId}" },
        ["code"] = new JsonObject
        {
            ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = "29593-1" }),
        },
        ["valueQuantity"] = new JsonObject { ["value"] = value, ["unit"] = "%" },
    }.ToJsonString();

    public static string OperationOutcome(string diagnostics) => new JsonObject
    {
        ["resourceType"] = "OperationOutcome",
        ["issue"] = new JsonArray(new JsonObject { ["severity"] = "error", ["code"] = "processing", ["diagnostics"] = diagnostics }),
    }.ToJsonString();

    /// <summary>A searchset Bundle of the resources, with a <c>next</c> link when given.</summary>
    public static string Searchset(IEnumerable<string> resources, Uri? next = null)
    {
        var entries = new JsonArray();
        foreach (var resource in resources)
        {
            var node = JsonNode.Parse(resource)!;
            entries.Add(new JsonObject
            {
                ["fullUrl"] = $"urn:uuid:{Guid.NewGuid()}",
                ["resource"] = node,
                ["search"] = new JsonObject { ["mode"] = "match" },
            });
        }

        var bundle = new JsonObject
        {
            ["resourceType"] = "Bundle",
            ["type"] = "searchset",
            ["total"] = entries.Count,
        };
        if (entries.Count > 0)
        {
            // FHIR JSON has no empty arrays: an empty searchset has no entry element.
            bundle["entry"] = entries;
        }

        if (next is not null)
        {
            bundle["link"] = new JsonArray(new JsonObject { ["relation"] = "next", ["url"] = next.AbsoluteUri });
        }

        return bundle.ToJsonString();
    }

    public static string Searchset(params string[] resources) => Searchset(resources, null);

    public static JsonElement Element(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

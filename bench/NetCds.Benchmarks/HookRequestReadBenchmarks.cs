using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using NetCds.Service.Cards;
using NetCds.Service.CdsHooks;
using NetCds.Service.CdsHooks.Contracts;
using NetCds.Service.Fhir;

namespace NetCds.Benchmarks;

/// <summary>Reading a patient-view hook call with a 100-resource prefetch, before anything is parsed as FHIR (issue 20).</summary>
[MemoryDiagnoser]
public class HookRequestReadBenchmarks
{
    private byte[] _body = [];

    [GlobalSetup]
    public void Setup()
    {
        var bundle = JsonNode.Parse(MappingBenchmarks.Bundle(observations: 99))!;
        var patient = bundle["entry"]![0]!["resource"]!.DeepClone();
        var entries = bundle["entry"]!.AsArray().Skip(1).Select(e => e!.DeepClone()).ToArray();
        var call = new JsonObject
        {
            ["hookInstance"] = "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
            ["hook"] = "patient-view",
            ["context"] = new JsonObject { ["userId"] = "Practitioner/1", ["patientId"] = "p1" },
            ["prefetch"] = new JsonObject
            {
                ["patient"] = patient,
                ["observations"] = new JsonObject { ["resourceType"] = "Bundle", ["type"] = "searchset", ["entry"] = new JsonArray(entries) },
            },
        };
        _body = Encoding.UTF8.GetBytes(call.ToJsonString());
    }

    /// <summary>The read before: a counting pass over the bytes, then the serializer (which copies each JsonElement member).</summary>
    [Benchmark(Baseline = true)]
    public CdsRequest? CountThenDeserialize() =>
        JsonEntryCounter.Count(_body, "entry", 5000) <= 5000 ? JsonSerializer.Deserialize<CdsRequest>(_body, CdsJson.Options) : null;

    /// <summary>One JsonDocument over the body, the entries counted on it (HookCallReader).</summary>
    [Benchmark]
    public CdsRequest? OnePass()
    {
        var read = HookCallReader.TryRead(_body, 5000);
        read?.Document.Dispose();
        return read?.Call;
    }
}

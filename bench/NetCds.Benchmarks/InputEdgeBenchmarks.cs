using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using NetCds.Fhir.Input;

namespace NetCds.Benchmarks;

/// <summary>
/// The FHIR input edge (issue 19, deliverable 6) against a bare Firely parse of the same UTF-8 bytes: what the edge's
/// checks (UTF-8, one strict JSON pass) add to the parse itself, for one Observation (a single POST, an NDJSON line,
/// a bus message) and a 100-Observation Bundle.
/// </summary>
[MemoryDiagnoser]
public class InputEdgeBenchmarks
{
    private readonly FhirJsonDeserializer _deserializer = new();
    private byte[] _utf8 = [];

    [Params(1, 100)]
    public int Observations { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var bundle = MappingBenchmarks.Bundle(Observations);
        if (Observations == 1)
        {
            // The one Observation alone, as a single POST or an NDJSON line carries it.
            using var document = JsonDocument.Parse(bundle);
            bundle = document.RootElement.GetProperty("entry")[1].GetProperty("resource").GetRawText();
        }

        _utf8 = Encoding.UTF8.GetBytes(bundle);
    }

    [Benchmark(Baseline = true)]
    public Resource? BareFirelyParse()
    {
        var reader = new Utf8JsonReader(_utf8);
        return _deserializer.TryDeserializeResource(ref reader, out var resource, out _) ? resource : null;
    }

    [Benchmark]
    public Resource? Edge() => FhirInput.Parse(_utf8.AsSpan()).Resource;
}

using System.Security.Cryptography;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;
using NetCds.Fhir.Input;
using NetCds.Service.Records;

namespace NetCds.Benchmarks;

/// <summary>
/// A 100-Observation prefetched Bundle read as CDS Hooks reads it (issue 20): whole (<see cref="FhirInput.Parse(JsonElement)"/>),
/// entry by entry with each entry parsed (what a call pays when none of its resources was sent before), entry by entry
/// from the parse-once-per-content cache (a chart opened again), and the SHA-256 of the entries alone.
/// </summary>
[MemoryDiagnoser]
public class PrefetchParseBenchmarks : IDisposable
{
    private JsonDocument _document = null!;
    private ParsedResources _kept = null!;

    [GlobalSetup]
    public void Setup()
    {
        _document = JsonDocument.Parse(MappingBenchmarks.Bundle(observations: 100).Replace("\"collection\"", "\"searchset\"", StringComparison.Ordinal));
        _kept = new ParsedResources(Options.Create(new IngestionOptions()));
        for (var i = 0; i < 2; i++)
        {
            FhirInput.ParseByEntry(_document.RootElement, _kept.ByContent);
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _document.Dispose();
        _kept.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true)]
    public Resource? Whole() => FhirInput.Parse(_document.RootElement).Resource;

    [Benchmark]
    public Resource? ByEntryEachParsed() => FhirInput.ParseByEntry(_document.RootElement, FhirInput.Parse)?.Resource;

    [Benchmark]
    public Resource? ByEntryKept() => FhirInput.ParseByEntry(_document.RootElement, _kept.ByContent)?.Resource;

    [Benchmark]
    public int Sha256OfEntries()
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        var sum = 0;
        foreach (var entry in _document.RootElement.GetProperty("entry").EnumerateArray())
        {
            SHA256.HashData(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(entry.GetProperty("resource")), digest);
            sum += digest[0];
        }

        return sum;
    }
}

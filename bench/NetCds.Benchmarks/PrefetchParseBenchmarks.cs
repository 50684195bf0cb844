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
/// from the parse-once-per-content cache (a chart opened again), and the key of the entries alone (the SHA-256 it was, the XxHash128 and byte check it is).
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

    /// <summary>What the cache's key was (a SHA-256 of each entry, through OpenSSL).</summary>
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

    /// <summary>What the cache's key is: a seeded XxHash128 of each entry, and the check of a hit's bytes.</summary>
    [Benchmark]
    public int XxHashAndCheckOfEntries()
    {
        var sum = 0;
        foreach (var entry in _document.RootElement.GetProperty("entry").EnumerateArray())
        {
            var utf8 = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(entry.GetProperty("resource"));
            sum += (int)System.IO.Hashing.XxHash128.HashToUInt128(utf8, 42) + (utf8.SequenceEqual(utf8.ToArray()) ? 1 : 0);
        }

        return sum;
    }
}

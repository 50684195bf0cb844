using Hl7.Fhir.Model;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using NetCds.Fhir.Input;

namespace NetCds.Service.Records;

/// <summary>
/// Stored resources parsed once per version. A recompute maps again only what changed and what must be mapped live;
/// the MDT view and CDS Hooks read whole records: without this each of them re-parsed the whole record. Keyed by
/// type/id and checked against the stored version, so an update, a deletion or a re-creation is never served stale;
/// bounded in bytes (<see cref="IngestionOptions.ParsedResourceCacheBytes"/>, each entry sized by
/// <see cref="EstimatedBytes"/>) so memory stays flat however many patients and however large their resources
/// (issue 19, deliverable 7). The parsed objects are only read (mapping never writes).
/// </summary>
public sealed class ParsedResources(IOptions<IngestionOptions> options) : IDisposable
{
    // Calibrated against the heap (ParsedResourcesMemoryTests): a parsed Firely resource holds about this many bytes
    // per character of its JSON (its element objects, strings and lists), plus a fixed part for the entry.
    private const int BytesPerJsonChar = 6;
    private const int BytesPerEntry = 300;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = Math.Max(1, options.Value.ParsedResourceCacheBytes) });

    /// <summary>About what a resource parsed from <paramref name="json"/> holds in memory, in bytes.</summary>
    public static long EstimatedBytes(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return BytesPerEntry + ((long)BytesPerJsonChar * json.Length);
    }

    /// <summary>The parsed resource when <paramref name="key"/> is held at exactly <paramref name="version"/>.</summary>
    public bool TryGet(string key, long version, out Resource? resource)
    {
        if (_cache.TryGetValue(key, out Entry? entry) && entry!.Version == version)
        {
            resource = entry.Resource;
            return true;
        }

        resource = null;
        return false;
    }

    /// <summary>The stored JSON of <paramref name="key"/> at <paramref name="version"/>, parsed (null when it is not FHIR).</summary>
    public Resource? Get(string key, long version, string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (TryGet(key, version, out var held))
        {
            return held;
        }

        var resource = FhirInput.Parse(json).Resource;
        _cache.Set(key, new Entry(version, resource), new MemoryCacheEntryOptions { Size = EstimatedBytes(json), SlidingExpiration = TimeSpan.FromHours(1) });
        return resource;
    }

    public void Dispose() => _cache.Dispose();

    private sealed record Entry(long Version, Resource? Resource);
}

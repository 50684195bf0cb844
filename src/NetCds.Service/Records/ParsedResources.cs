using Hl7.Fhir.Model;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using NetCds.Fhir.Input;

namespace NetCds.Service.Records;

/// <summary>
/// Stored resources parsed once per version. A recompute reads every resource of its patient; without this each
/// event re-parsed the whole record (O(N) per event). Keyed by type/id and checked against the stored version, so an
/// update, a deletion or a re-creation is never served stale; bounded (<c>Ingestion:ParsedResourceCacheEntries</c>)
/// so memory stays flat however many patients pass through. The parsed objects are only read (mapping never writes).
/// </summary>
public sealed class ParsedResources(IOptions<IngestionOptions> options) : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = options.Value.ParsedResourceCacheEntries });

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
        if (TryGet(key, version, out var held))
        {
            return held;
        }

        var resource = FhirInput.Parse(json).Resource;
        _cache.Set(key, new Entry(version, resource), new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromHours(1) });
        return resource;
    }

    public void Dispose() => _cache.Dispose();

    private sealed record Entry(long Version, Resource? Resource);
}

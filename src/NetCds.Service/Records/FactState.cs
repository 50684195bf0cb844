using Hl7.Fhir.Model;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using NetCds.Fhir;
using NetCds.Fhir.Mapping;

namespace NetCds.Service.Records;

/// <summary>
/// Each stored resource's facts (issue 10, "map once"): derived when the resource is accepted and kept beside it
/// (<c>resources.Facts</c>, with the <see cref="Version"/> of the mapping that derived them), and held in memory per
/// resource version, so a recompute merges facts and runs the engine instead of parsing and mapping the record.
/// Facts that depend on more than their resource (<see cref="ResourceFacts.Live"/>) are not kept: they are mapped
/// at each evaluation. Facts kept under another version are mapped afresh when read and re-derived in the background
/// (<see cref="FactStateRederivation"/>).
/// </summary>
public sealed class FactState(FhirEvaluation evaluation, IOptions<IngestionOptions> options) : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = Math.Max(1, options.Value.FactStateCacheEntries) });

    /// <summary>The mapping version facts are derived under now.</summary>
    public string Version => evaluation.Mapper.Version;

    public FactMapper Mapper => evaluation.Mapper;

    /// <summary>
    /// The facts of a resource of <paramref name="patient"/> being stored, as kept text: null when there is nothing to
    /// keep (no patient) or they must be mapped at each evaluation.
    /// </summary>
    public string? Derive(Resource resource, string? patient, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (patient is null)
        {
            return null;
        }

        var facts = Mapper.MapResource(new SourcedResource(resource, $"{resource.TypeName}/{resource.Id}"), patient, now);
        return facts.Live ? null : FactStateJson.Serialize(facts);
    }

    /// <summary>The facts of <paramref name="key"/> (type/id) when held at exactly <paramref name="version"/>.</summary>
    public bool TryGet(string key, long version, out ResourceFacts facts)
    {
        if (_cache.TryGetValue(key, out Entry? entry) && entry!.Version == version && entry.MappingVersion == Version)
        {
            facts = entry.Facts;
            return true;
        }

        facts = null!;
        return false;
    }

    /// <summary>Holds facts read or derived for a stored version (never <see cref="ResourceFacts.Live"/> ones).</summary>
    public void Remember(string key, long version, ResourceFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (!facts.Live)
        {
            _cache.Set(key, new Entry(version, Version, facts), new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromHours(1) });
        }
    }

    public void Dispose() => _cache.Dispose();

    private sealed record Entry(long Version, string MappingVersion, ResourceFacts Facts);
}

using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using NetCds.Fhir.Mapping;
using NetCds.Service.Storage;

namespace NetCds.Service.Records;

/// <summary>
/// A patient's stored record, as every reader sees it: the resources about the patient and the Medications their
/// medication courses reference. One loader for the recompute, the CDS services and the MDT view, so that the
/// same data gives the same report whichever way it is asked for.
/// </summary>
public sealed class PatientRecord(StoreContext store, ParsedResources parsed, FactState factState)
{
    private const string MedicationPrefix = "Medication/";

    /// <summary>
    /// The patient's facts from the kept fact state: each resource's facts from memory when held at its stored version,
    /// else read as kept (a few hundred bytes), else (derived under another mapping version, or depending on the
    /// evaluation time or another resource) mapped from the stored resource. The same facts mapping the whole record
    /// would give, at the cost of what changed.
    /// </summary>
    public async Task<FactMapping> FactsAsync(string patient, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var mappingVersion = factState.Version;
        var ofPatient = store.Resources.AsNoTracking().Where(r => r.Patient == patient && !r.Deleted && r.Json != null);
        var rows = await ofPatient
            .Select(r => new { r.ResourceType, r.ResourceId, r.Version, Kept = r.FactsVersion == mappingVersion && r.Facts != null })
            .ToListAsync(cancellationToken);
        var facts = new ResourceFacts?[rows.Count];
        var toRead = new List<int>();
        var toMap = new List<int>();
        for (var i = 0; i < rows.Count; i++)
        {
            if (factState.TryGet($"{rows[i].ResourceType}/{rows[i].ResourceId}", rows[i].Version, out var held))
            {
                facts[i] = held;
            }
            else
            {
                (rows[i].Kept ? toRead : toMap).Add(i);
            }
        }

        foreach (var type in toRead.GroupBy(i => rows[i].ResourceType))
        {
            var ids = type.Select(i => rows[i].ResourceId).ToList();
            var kept = await ofPatient.Where(r => r.ResourceType == type.Key && ids.Contains(r.ResourceId) && r.FactsVersion == mappingVersion && r.Facts != null)
                .Select(r => new { r.ResourceId, r.Version, r.Facts })
                .ToDictionaryAsync(r => r.ResourceId, cancellationToken);
            foreach (var i in type)
            {
                // Changed since the versions were read, or not readable: mapped from the resource below.
                if (kept.TryGetValue(rows[i].ResourceId, out var row) && row.Version == rows[i].Version && TryRead(row.Facts!, out var read))
                {
                    factState.Remember($"{rows[i].ResourceType}/{rows[i].ResourceId}", row.Version, read);
                    facts[i] = read;
                }
                else
                {
                    toMap.Add(i);
                }
            }
        }

        if (toMap.Count > 0)
        {
            var byKey = toMap.ToDictionary(i => $"{rows[i].ResourceType}/{rows[i].ResourceId}");
            var ids = toMap.Select(i => rows[i].ResourceId).Distinct().ToList();
            var resources = await ParsedAsync(ofPatient.Where(r => ids.Contains(r.ResourceId)), cancellationToken);
            var live = await WithMedicationsAsync([.. resources.Select(r => new SourcedResource(r, $"{r.TypeName}/{r.Id}"))], cancellationToken);
            foreach (var resource in live)
            {
                if (byKey.TryGetValue(resource.Reference, out var i))
                {
                    var mapped = factState.Mapper.MapResource(resource, patient, asOf, live);
                    factState.Remember(resource.Reference, rows[i].Version, mapped);
                    facts[i] = mapped;
                }
            }
        }

        return FactMapper.Merge(facts.OfType<ResourceFacts>(), patient);
    }

    private static bool TryRead(string json, out ResourceFacts facts)
    {
        try
        {
            facts = FactStateJson.Deserialize(json);
            return true;
        }
        catch (System.Text.Json.JsonException)
        {
            facts = null!;
            return false;
        }
    }

    /// <summary>The patient's stored resources (not deleted) and the Medications they reference.</summary>
    public async Task<IReadOnlyList<SourcedResource>> LoadAsync(string patient, CancellationToken cancellationToken)
    {
        var resources = await ParsedAsync(store.Resources.AsNoTracking().Where(r => r.Patient == patient && !r.Deleted && r.Json != null), cancellationToken);
        return await WithMedicationsAsync([.. resources.Select(r => new SourcedResource(r, $"{r.TypeName}/{r.Id}"))], cancellationToken);
    }

    /// <summary>The resources and the stored Medications their medication courses reference.</summary>
    private async Task<IReadOnlyList<SourcedResource>> WithMedicationsAsync(List<SourcedResource> resources, CancellationToken cancellationToken)
    {
        var medicationIds = resources
            .Select(r => r.Resource)
            .Select(r => r switch
            {
                MedicationStatement m => (m.Medication as ResourceReference)?.Reference,
                MedicationRequest m => (m.Medication as ResourceReference)?.Reference,
                _ => null,
            })
            .OfType<string>()
            .Where(r => r.StartsWith(MedicationPrefix, StringComparison.Ordinal))
            .Select(r => r[MedicationPrefix.Length..])
            .Distinct()
            .ToList();
        if (medicationIds.Count > 0)
        {
            var medications = await ParsedAsync(store.Resources.AsNoTracking().Where(r => r.ResourceType == "Medication" && medicationIds.Contains(r.ResourceId) && !r.Deleted && r.Json != null), cancellationToken);
            resources.AddRange(medications.Select(r => new SourcedResource(r, $"{r.TypeName}/{r.Id}")));
        }

        return resources;
    }

    /// <summary>
    /// The rows' resources: versions first (a few bytes a row), then the JSON of only those not already held parsed at
    /// that version, so an event costs the database and the parser one resource, not the whole record.
    /// </summary>
    private async Task<List<Resource>> ParsedAsync(IQueryable<StoredResource> rows, CancellationToken cancellationToken)
    {
        var versions = await rows.Select(r => new { r.ResourceType, r.ResourceId, r.Version }).ToListAsync(cancellationToken);
        var resources = new List<Resource>(versions.Count);
        var missing = new List<(string Type, string Id)>();
        foreach (var row in versions)
        {
            if (parsed.TryGet($"{row.ResourceType}/{row.ResourceId}", row.Version, out var held))
            {
                if (held is not null)
                {
                    resources.Add(held);
                }
            }
            else
            {
                missing.Add((row.ResourceType, row.ResourceId));
            }
        }

        foreach (var type in missing.GroupBy(m => m.Type, m => m.Id))
        {
            var ids = type.ToList();
            var fetched = await rows.Where(r => r.ResourceType == type.Key && ids.Contains(r.ResourceId))
                .Select(r => new { r.ResourceType, r.ResourceId, r.Version, r.Json })
                .ToListAsync(cancellationToken);
            resources.AddRange(fetched.Select(r => parsed.Get($"{r.ResourceType}/{r.ResourceId}", r.Version, r.Json!)).OfType<Resource>());
        }

        return resources;
    }

    /// <summary>
    /// What is stored for the patient merged with what a hook call brought: per resource (type/id) the newer version
    /// by meta.lastUpdated wins, the EHR's copy on a tie; resources only one side has are kept.
    /// </summary>
    public async Task<IReadOnlyList<SourcedResource>> MergeAsync(string patient, IReadOnlyList<SourcedResource> fromCall, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fromCall);
        var stored = await LoadAsync(patient, cancellationToken);
        if (stored.Count == 0)
        {
            return fromCall;
        }

        // The same resource twice in a prefetch: the newer copy (or the later one) stands.
        var merged = new Dictionary<string, SourcedResource>(StringComparer.Ordinal);
        foreach (var resource in fromCall)
        {
            var key = Key(resource.Resource);
            if (!merged.TryGetValue(key, out var current) || !(current.Resource.Meta?.LastUpdated > resource.Resource.Meta?.LastUpdated))
            {
                merged[key] = resource;
            }
        }

        foreach (var resource in stored)
        {
            var key = Key(resource.Resource);
            if (!merged.TryGetValue(key, out var current) || resource.Resource.Meta?.LastUpdated > current.Resource.Meta?.LastUpdated)
            {
                merged[key] = resource;
            }
        }

        return [.. merged.Values];
    }

    private static string Key(Resource resource) => string.IsNullOrEmpty(resource.Id) ? Guid.NewGuid().ToString() : $"{resource.TypeName}/{resource.Id}";
}

using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using NetCds.Fhir.Input;
using NetCds.Fhir.Mapping;
using NetCds.Service.Storage;

namespace NetCds.Service.Records;

/// <summary>
/// Merges what the event pipeline already stored for the patient with what the hook call brought: per resource
/// (type/id) the newer version by meta.lastUpdated wins, the EHR's copy on a tie; resources only one side has are kept.
/// </summary>
public static class PatientRecord
{
    public static async Task<IReadOnlyList<SourcedResource>> MergeAsync(StoreContext store, string patient, IReadOnlyList<SourcedResource> fromCall, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(fromCall);
        var stored = await store.Resources.AsNoTracking()
            .Where(r => r.Patient == patient && !r.Deleted && r.Json != null)
            .Select(r => r.Json!)
            .ToListAsync(cancellationToken);
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

        foreach (var json in stored)
        {
            if (FhirInput.Parse(json).Resource is not { } resource)
            {
                continue;
            }

            var key = Key(resource);
            if (!merged.TryGetValue(key, out var current) || resource.Meta?.LastUpdated > current.Resource.Meta?.LastUpdated)
            {
                merged[key] = new SourcedResource(resource, $"{resource.TypeName}/{resource.Id}");
            }
        }

        return [.. merged.Values];
    }

    private static string Key(Resource resource) => string.IsNullOrEmpty(resource.Id) ? Guid.NewGuid().ToString() : $"{resource.TypeName}/{resource.Id}";
}

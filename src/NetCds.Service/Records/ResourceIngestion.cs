using System.Globalization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.EntityFrameworkCore;
using NetCds.Service.Messaging.Contracts.V1;
using NetCds.Service.Storage;

namespace NetCds.Service.Records;

/// <summary>What happened to one entry: the HTTP-style status a transaction/batch response carries.</summary>
public sealed record EntryResult(string Status, string? Location, string? Message = null);

/// <summary>One thing to store: a resource (create/update) or the deletion of one.</summary>
public sealed record IngestEntry(Resource? Resource, string? DeleteType = null, string? DeleteId = null);

/// <summary>
/// Durable, idempotent recording of FHIR resources. The same resource twice is a no-op; an older version never
/// overwrites a newer one; a deletion leaves a tombstone. Every patient touched gets a RecomputeEligibility in the
/// outbox, committed in the same transaction as the resources, so an accepted resource always leads to a recompute.
/// </summary>
public sealed class ResourceIngestion(StoreContext store, OutboxSignal signal, TimeProvider clock)
{
    private static readonly FhirJsonSerializer Serializer = new();

    public async Task<IReadOnlyList<EntryResult>> IngestAsync(IReadOnlyList<IngestEntry> entries, CancellationToken cancellationToken)
    {
        // Another instance may store the same resource at the same moment: the key or the version check then
        // refuses one of the two writes; that one starts again from what is now stored.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await IngestOnceAsync(entries, cancellationToken);
            }
            catch (DbUpdateException) when (attempt < 5)
            {
                store.ChangeTracker.Clear();
                await System.Threading.Tasks.Task.Delay(TimeSpan.FromMilliseconds(20 * attempt), cancellationToken);
            }
        }
    }

    private async Task<IReadOnlyList<EntryResult>> IngestOnceAsync(IReadOnlyList<IngestEntry> entries, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var results = new List<EntryResult>();
        var patients = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            results.Add(entry.Resource is { } resource
                ? await UpsertAsync(resource, now, patients, cancellationToken)
                : await DeleteAsync(entry.DeleteType!, entry.DeleteId!, now, patients, cancellationToken));
        }

        foreach (var patient in patients)
        {
            Outbox.Add(store, new RecomputeEligibility(patient, now), now);
        }

        await store.SaveChangesAsync(cancellationToken);
        signal.Notify();
        Ops.NetCdsTelemetry.Accepted(results.Count(r => r.Status == "201 Created" || (r.Status == "200 OK" && r.Message is null)));
        return results;
    }

    private async Task<EntryResult> UpsertAsync(Resource resource, DateTimeOffset now, HashSet<string> patients, CancellationToken cancellationToken)
    {
        var type = resource.TypeName;
        var id = resource.Id!;
        var location = $"{type}/{id}";
        var json = Serializer.SerializeToString(resource);
        var patient = PatientOf(resource);
        var existing = await Tracked(type, id, cancellationToken);
        var version = VersionOf(resource, existing);
        if (existing is null)
        {
            store.Resources.Add(new StoredResource
            {
                ResourceType = type,
                ResourceId = id,
                Version = version,
                VersionId = resource.Meta?.VersionId,
                LastUpdated = resource.Meta?.LastUpdated,
                Patient = patient,
                Json = json,
                ReceivedAt = now,
            });
            Touch(patients, patient);
            return new EntryResult("201 Created", location);
        }

        // Same content is a duplicate whatever the version says: without meta the receipt order would otherwise count it as newer.
        // After a deletion, a version newer than the tombstone brings the resource back.
        if (existing.Json == json || version < existing.Version || (version == existing.Version && HasExplicitVersion(resource)))
        {
            // Duplicates and late arrivals of older versions change nothing (at-least-once delivery, out-of-order safe).
            return new EntryResult("200 OK", location, existing.Json != json && version < existing.Version ? "older than the stored version: ignored" : "unchanged");
        }

        Touch(patients, existing.Patient);
        existing.Version = version;
        existing.VersionId = resource.Meta?.VersionId;
        existing.LastUpdated = resource.Meta?.LastUpdated;
        existing.Patient = patient;
        existing.Json = json;
        var recreated = existing.Deleted;
        existing.Deleted = false;
        existing.ReceivedAt = now;
        Touch(patients, patient);
        return new EntryResult(recreated ? "201 Created" : "200 OK", location);
    }

    private async Task<EntryResult> DeleteAsync(string type, string id, DateTimeOffset now, HashSet<string> patients, CancellationToken cancellationToken)
    {
        var existing = await Tracked(type, id, cancellationToken);
        if (existing is null)
        {
            // A tombstone, so a copy last updated before the deletion, arriving later, cannot bring the resource back.
            store.Resources.Add(new StoredResource { ResourceType = type, ResourceId = id, Version = now.UtcTicks, Deleted = true, ReceivedAt = now });
            return new EntryResult("204 No Content", $"{type}/{id}");
        }

        if (!existing.Deleted)
        {
            Touch(patients, existing.Patient);
            existing.Deleted = true;
            existing.Json = null;
            // One past the deleted version: older copies stay out, a newer version (or one without meta) may re-create it.
            existing.Version++;
            existing.ReceivedAt = now;
        }

        return new EntryResult("204 No Content", $"{type}/{id}");
    }

    private async Task<StoredResource?> Tracked(string type, string id, CancellationToken cancellationToken) =>
        store.Resources.Local.FirstOrDefault(r => r.ResourceType == type && r.ResourceId == id)
        ?? await store.Resources.FirstOrDefaultAsync(r => r.ResourceType == type && r.ResourceId == id, cancellationToken);

    private static void Touch(HashSet<string> patients, string? patient)
    {
        if (patient is not null)
        {
            patients.Add(patient);
        }
    }

    private static bool HasExplicitVersion(Resource resource) => resource.Meta?.LastUpdated is not null || long.TryParse(resource.Meta?.VersionId, out _);

    /// <summary>meta.lastUpdated orders versions; else a numeric meta.versionId; else the receipt order.</summary>
    private static long VersionOf(Resource resource, StoredResource? existing)
    {
        if (resource.Meta?.LastUpdated is { } updated)
        {
            return updated.UtcTicks;
        }

        if (long.TryParse(resource.Meta?.VersionId, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        return existing is null ? 1 : existing.Version + 1;
    }

    /// <summary>The patient a resource is about, as a relative reference.</summary>
    public static string? PatientOf(Resource resource)
    {
        var reference = resource switch
        {
            Patient p => $"Patient/{p.Id}",
            Observation o => o.Subject?.Reference,
            Condition c => c.Subject?.Reference,
            Procedure p => p.Subject?.Reference,
            MedicationStatement m => m.Subject?.Reference,
            MedicationRequest m => m.Subject?.Reference,
            _ => null,
        };
        if (reference is null)
        {
            return null;
        }

        var parts = reference.Split('/');
        var patient = Array.LastIndexOf(parts, "Patient");
        return patient >= 0 && patient + 1 < parts.Length ? $"Patient/{parts[patient + 1]}" : null;
    }
}

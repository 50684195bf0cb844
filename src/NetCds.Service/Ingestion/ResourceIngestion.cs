using System.Data.Common;
using System.Globalization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NetCds.Fhir.Mapping;
using NetCds.Fhir.Terminology;
using NetCds.Service.Messaging.Contracts.V1;
using NetCds.Service.Ops;
using NetCds.Service.Outbox;
using NetCds.Service.Records;
using NetCds.Service.Storage;

namespace NetCds.Service.Ingestion;

/// <summary>What happened to one entry: the HTTP-style status a transaction/batch response carries.</summary>
public sealed record EntryResult(string Status, string? Location, string? Message = null)
{
    /// <summary>Not kept: no code the terminology map knows (<see cref="UnknownCodePolicy.Skip"/>).</summary>
    public bool NotUsed { get; init; }

    /// <summary>Refused before storing (an NDJSON line that is not FHIR): the message is an error, not information.</summary>
    public bool Invalid { get; init; }
}

/// <summary>One thing to store: a resource (create/update) or the deletion of one.</summary>
public sealed record IngestEntry(Resource? Resource, string? DeleteType = null, string? DeleteId = null);

/// <summary>
/// Durable, idempotent recording of FHIR resources. The same resource twice is a no-op; an older version never
/// overwrites a newer one; a deletion leaves a tombstone. Every patient touched gets its record generation bumped and
/// a RecomputeEligibility naming that generation in the outbox, committed in the same transaction as the resources,
/// so an accepted resource always leads to a recompute that sees it.
/// Callers arriving while a transaction is being written wait and are written together in the next one (group
/// commit, <see cref="IngestionGroupCommit"/>): one commit for many HTTP requests or bus messages, each caller still
/// answered only after its own entries are committed.
/// </summary>
public sealed class ResourceIngestion(
    StoreContext store,
    IngestionGroupCommit groupCommit,
    OutboxSignal signal,
    TerminologyMap terminology,
    FactState facts,
    IOptions<IngestionOptions> options,
    TimeProvider clock)
{
    private static readonly FhirJsonSerializer Serializer = new();

    public Task<IReadOnlyList<EntryResult>> IngestAsync(IReadOnlyList<IngestEntry> entries, CancellationToken cancellationToken) =>
        groupCommit.WriteAsync(entries, (group, ct) => WriteAsync(group, deferRecompute: false, ct), options.Value.MaxEntriesPerTransaction, cancellationToken);

    /// <summary>
    /// A backfill's part (issue 19, deliverable 8): stored in one transaction of its own (a part is already large:
    /// the group commit would add nothing), the patients' generations bumped but no recompute queued. The import
    /// closes its window with <see cref="Records.EligibilityRecompute"/> over the stale patients
    /// (<see cref="BackfillApi"/>), so a patient whose resources span many parts is recomputed once, not once per part.
    /// </summary>
    public Task<IReadOnlyList<EntryResult>> IngestDeferringRecomputesAsync(IReadOnlyList<IngestEntry> entries, CancellationToken cancellationToken) =>
        entries.Count == 0 ? System.Threading.Tasks.Task.FromResult<IReadOnlyList<EntryResult>>([]) : WriteAsync(entries, deferRecompute: true, cancellationToken);

    /// <summary>Writes one group in one transaction, starting again from what is stored when another writer got there first.</summary>
    private async Task<IReadOnlyList<EntryResult>> WriteAsync(IReadOnlyList<IngestEntry> entries, bool deferRecompute, CancellationToken cancellationToken)
    {
        // Another instance may store the same resource (or bump the same patient) at the same moment: the key, the
        // version check or a deadlock refuses one of the two transactions; that one starts again from what is stored.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await WriteOnceAsync(entries, deferRecompute, cancellationToken);
            }
            catch (Exception conflict) when (conflict is DbUpdateException or DbException && attempt < 6)
            {
                store.ChangeTracker.Clear();
                await System.Threading.Tasks.Task.Delay(TimeSpan.FromMilliseconds(10 * attempt * attempt), cancellationToken);
            }
        }
    }

    private async Task<IReadOnlyList<EntryResult>> WriteOnceAsync(IReadOnlyList<IngestEntry> entries, bool deferRecompute, CancellationToken cancellationToken)
    {
        store.ChangeTracker.Clear();
        var now = clock.GetUtcNow();
        await using var transaction = await store.Database.BeginTransactionAsync(cancellationToken);
        var stored = await StoredAsync(entries, cancellationToken);
        var results = new List<EntryResult>(entries.Count);
        var patients = new SortedSet<string>(StringComparer.Ordinal);
        var skipUnknown = options.Value.UnknownObservationCodes != UnknownCodePolicy.Store;
        foreach (var entry in entries)
        {
            results.Add(entry.Resource switch
            {
                { } resource when skipUnknown && !stored.ContainsKey(Key(resource.TypeName, resource.Id!)) && !DomainRelevance.IsRelevant(resource, terminology) =>
                    new EntryResult("200 OK", $"{resource.TypeName}/{resource.Id}", $"not used: no code NetCds knows ({DomainRelevance.Codes(resource)}); not kept") { NotUsed = true },
                { } resource => Upsert(resource, stored, now, patients),
                null => Delete(entry.DeleteType!, entry.DeleteId!, stored, now, patients),
            });
        }

        // Deferred (a backfill part): the generations move on but no recompute is queued (deliverable 8). Either way
        // the rows are stamped with their patient's new generation, so held fact states catch up (deliverable 1).
        var bumps = deferRecompute
            ? await PatientGenerations.BumpDeferredAsync(store, patients, cancellationToken)
            : await PatientGenerations.BumpAsync(store, patients, cancellationToken);
        await PatientGenerations.StampAsync(store, bumps, cancellationToken);
        foreach (var (patient, generation, queue) in bumps)
        {
            if (queue)
            {
                OutboxMessages.Add(store, new RecomputeEligibility(patient, now, generation), now);
            }
        }

        await store.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        signal.Notify();
        NetCdsTelemetry.Accepted(results.Count(r => r.Status == "201 Created" || (r.Status == "200 OK" && r.Message is null)));
        NetCdsTelemetry.NotUsed(results.Count(r => r.NotUsed));
        return results;
    }

    /// <summary>The stored rows for every entry, tracked: one query per resource type, not one per entry.</summary>
    private async Task<Dictionary<string, StoredResource>> StoredAsync(IReadOnlyList<IngestEntry> entries, CancellationToken cancellationToken)
    {
        var stored = new Dictionary<string, StoredResource>(StringComparer.Ordinal);
        var byType = entries
            .Select(e => e.Resource is { } r ? (Type: r.TypeName, Id: r.Id!) : (Type: e.DeleteType!, Id: e.DeleteId!))
            .GroupBy(k => k.Type, k => k.Id);
        foreach (var type in byType)
        {
            var ids = type.Distinct().ToList();
            foreach (var chunk in ids.Chunk(500))
            {
                var rows = await store.Resources.Where(r => r.ResourceType == type.Key && chunk.Contains(r.ResourceId)).ToListAsync(cancellationToken);
                foreach (var row in rows)
                {
                    stored[Key(row.ResourceType, row.ResourceId)] = row;
                }
            }
        }

        return stored;
    }

    private EntryResult Upsert(Resource resource, Dictionary<string, StoredResource> stored, DateTimeOffset now, SortedSet<string> patients)
    {
        var type = resource.TypeName;
        var id = resource.Id!;
        var location = $"{type}/{id}";
        var json = Serializer.SerializeToString(resource);
        var patient = PatientOf(resource);
        stored.TryGetValue(Key(type, id), out var existing);
        var version = VersionOf(resource, existing);
        if (existing is null)
        {
            var row = new StoredResource
            {
                ResourceType = type,
                ResourceId = id,
                Version = version,
                VersionId = resource.Meta?.VersionId,
                LastUpdated = resource.Meta?.LastUpdated,
                Patient = patient,
                Json = json,
                ReceivedAt = now,
                Facts = facts.Derive(resource, patient, now),
                FactsVersion = facts.Version,
            };
            store.Resources.Add(row);
            stored[Key(type, id)] = row;
            Touch(patients, patient);
            return new EntryResult("201 Created", location);
        }

        // Same content is a duplicate whatever the version says: without meta the receipt order would otherwise count it as newer.
        // After a deletion, any version newer than the deleted one brings the resource back: a tombstone's Version is
        // one past the deleted version (issue 20), so an equal explicit version is newer there, not a duplicate.
        if (existing.Json == json || version < existing.Version || (version == existing.Version && HasExplicitVersion(resource) && !existing.Deleted))
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
        existing.Facts = facts.Derive(resource, patient, now);
        existing.FactsVersion = facts.Version;
        var recreated = existing.Deleted;
        existing.Deleted = false;
        existing.ReceivedAt = now;
        Touch(patients, patient);
        return new EntryResult(recreated ? "201 Created" : "200 OK", location);
    }

    private EntryResult Delete(string type, string id, Dictionary<string, StoredResource> stored, DateTimeOffset now, SortedSet<string> patients)
    {
        if (!stored.TryGetValue(Key(type, id), out var existing))
        {
            // The deletion is recorded, but with no version: none was ever seen, so nothing tells an older copy from a
            // newer one, and any copy sent later brings the resource back (as a FHIR server creates it): Version 0 is one
            // past no version. The time of receipt is not a version: it beat every real meta.lastUpdated before it, and
            // kept the resource out forever (issue 20).
            var tombstone = new StoredResource { ResourceType = type, ResourceId = id, Version = 0, Deleted = true, ReceivedAt = now };
            store.Resources.Add(tombstone);
            stored[Key(type, id)] = tombstone;
            return new EntryResult("204 No Content", $"{type}/{id}");
        }

        if (!existing.Deleted)
        {
            Touch(patients, existing.Patient);
            existing.Deleted = true;
            existing.Json = null;
            existing.Facts = null;
            // One past the deleted version (and a new concurrency token): that copy and older ones stay out, a newer version
            // (or one without meta) re-creates it.
            existing.Version++;
            existing.ReceivedAt = now;
        }

        return new EntryResult("204 No Content", $"{type}/{id}");
    }

    private static string Key(string type, string id) => $"{type}/{id}";

    private static void Touch(SortedSet<string> patients, string? patient)
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
        var reference = resource is Patient p ? $"Patient/{p.Id}" : Subjects.Of(resource);
        if (reference is null)
        {
            return null;
        }

        var parts = reference.Split('/');
        var patient = Array.LastIndexOf(parts, "Patient");
        return patient >= 0 && patient + 1 < parts.Length ? $"Patient/{parts[patient + 1]}" : null;
    }
}

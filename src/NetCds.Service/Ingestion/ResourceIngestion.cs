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
public sealed record IngestEntry(Resource? Resource, string? DeleteType = null, string? DeleteId = null)
{
    /// <summary>
    /// The resource's JSON exactly as received and parsed, stored as it is; null to store <see cref="Resource"/>
    /// serialized. Set for an NDJSON line whose resource was not changed after it was parsed (issue 19, deliverable 8:
    /// serializing every resource of a backfill part again was a tenth of the service's CPU). The same line sent again
    /// is still a duplicate; the same content sent through another edge (re-serialized) counts as a new version only when
    /// it has no meta to order it, which costs a recompute that changes nothing.
    /// </summary>
    public string? Json { get; init; }
}

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
    StoreWriteTurn writeTurn,
    PatientWrites patientWrites,
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
        // Each resource's JSON once, before the transaction and on every core for a large group: what is stored, and
        // what tells a duplicate from a change (issue 19, deliverable 8: a backfill part's cost is its CPU work).
        // An NDJSON line brings its own (IngestEntry.Json): a backfill part then has nothing to hand to other cores.
        var json = entries.Any(e => e.Resource is not null && e.Json is null)
            ? OnEveryCore(entries, e => e.Resource is { } resource ? e.Json ?? Serializer.SerializeToString(resource) : null)
            : [.. entries.Select(e => e.Resource is null ? null : e.Json)];

        // Another instance may store the same resource (or bump the same patient) at the same moment: the key, the
        // version check or a deadlock refuses one of the two transactions; that one starts again from what is stored.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // The embedded store's writer turn, taken before the transaction begins and held until it commits:
                // a report write queued meanwhile goes next, not after every ingestion transaction behind this one.
                using (await writeTurn.EnterAsync(store, cancellationToken))
                {
                    return await WriteOnceAsync(entries, json, deferRecompute, cancellationToken);
                }
            }
            catch (Exception conflict) when (conflict is DbUpdateException or DbException && attempt < 6)
            {
                store.ChangeTracker.Clear();
                await System.Threading.Tasks.Task.Delay(TimeSpan.FromMilliseconds(10 * attempt * attempt), cancellationToken);
            }
        }
    }

    private async Task<IReadOnlyList<EntryResult>> WriteOnceAsync(IReadOnlyList<IngestEntry> entries, string?[] json, bool deferRecompute, CancellationToken cancellationToken)
    {
        store.ChangeTracker.Clear();
        var now = clock.GetUtcNow();
        await using var transaction = await store.Database.BeginTransactionAsync(cancellationToken);
        var stored = await ResourceRows.ReadAsync(store, entries.Select(e => e.Resource is { } r ? (r.TypeName, r.Id!) : (e.DeleteType!, e.DeleteId!)), cancellationToken);
        var results = new List<EntryResult>(entries.Count);
        var written = new Dictionary<string, Written>(StringComparer.Ordinal);
        var patients = new SortedSet<string>(StringComparer.Ordinal);
        var skipUnknown = options.Value.UnknownObservationCodes != UnknownCodePolicy.Store;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            results.Add(entry.Resource switch
            {
                { } resource when skipUnknown && !stored.ContainsKey(Key(resource.TypeName, resource.Id!)) && !DomainRelevance.IsRelevant(resource, terminology) =>
                    new EntryResult("200 OK", $"{resource.TypeName}/{resource.Id}", $"not used: no code NetCds knows ({DomainRelevance.Codes(resource)}); not kept") { NotUsed = true },
                { } resource => Upsert(resource, json[i]!, stored, written, now, patients),
                null => Delete(entry.DeleteType!, entry.DeleteId!, stored, written, now, patients),
            });
        }

        // The facts of each row's final version (a resource sent twice in the group is mapped once), on every core.
        var mapped = written.Values.Where(w => w.Source is not null).ToList();
        var derived = OnEveryCore(mapped, w => facts.Derive(w.Source!, w.Row.Patient, now));
        for (var k = 0; k < mapped.Count; k++)
        {
            mapped[k].Row.Facts = derived[k];
            mapped[k].Row.FactsVersion = facts.Version;
        }

        // Under way for the patients until after the commit (or the rollback): a hook call on this instance does not
        // trust a held fact state of theirs without reading the store meanwhile (issue 20).
        using var writing = patientWrites.Begin(patients);

        // Deferred (a backfill part): the generations move on but no recompute is queued (deliverable 8). Either way
        // the rows are stamped with their patient's new generation, so held fact states catch up (deliverable 1).
        var bumps = deferRecompute
            ? await PatientGenerations.BumpDeferredAsync(store, patients, cancellationToken)
            : await PatientGenerations.BumpAsync(store, patients, cancellationToken);
        await PatientGenerations.StampAsync(store, bumps, written.Values.Select(w => (w.Row, w.PatientBefore)), cancellationToken);
        await ResourceRows.WriteAsync(store, [.. written.Values.Select(w => new ResourceWrite(w.Row, w.ExpectedVersion))], cancellationToken);
        foreach (var (patient, generation, queue) in bumps)
        {
            if (queue)
            {
                OutboxMessages.Add(store, new RecomputeEligibility(patient, now, generation), now);
            }
        }

        await store.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        writing.Dispose();
        signal.Notify();
        NetCdsTelemetry.Accepted(results.Count(r => r.Status == "201 Created" || (r.Status == "200 OK" && r.Message is null)));
        NetCdsTelemetry.NotUsed(results.Count(r => r.NotUsed));
        return results;
    }

    /// <summary>
    /// A row this transaction writes: as it is to be stored, the version and patient it was read with (null for a
    /// row not stored before the transaction), and the resource whose facts it keeps (null for a deletion).
    /// </summary>
    private sealed class Written(StoredResource row, long? expectedVersion, string? patientBefore)
    {
        public StoredResource Row { get; } = row;

        public long? ExpectedVersion { get; } = expectedVersion;

        public string? PatientBefore { get; } = patientBefore;

        public Resource? Source { get; set; }
    }

    /// <summary>
    /// The row of <paramref name="key"/> to write, remembering how it was read (<paramref name="stored"/>: read from the
    /// store, not created by this transaction) the first time it is written; later entries of the same resource in the
    /// group change the same row, written once.
    /// </summary>
    private static Written Writing(Dictionary<string, Written> written, string key, StoredResource row, bool stored)
    {
        if (!written.TryGetValue(key, out var entry))
        {
            entry = stored ? new Written(row, row.Version, row.Patient) : new Written(row, null, null);
            written[key] = entry;
        }

        return entry;
    }

    /// <summary>
    /// <paramref name="work"/> for every item, in order; on every core when there are enough items to be worth it (a
    /// backfill part), inline for the few of a live event.
    /// </summary>
    private static TResult[] OnEveryCore<T, TResult>(IReadOnlyList<T> items, Func<T, TResult> work)
    {
        var results = new TResult[items.Count];
        if (items.Count < 32)
        {
            for (var i = 0; i < items.Count; i++)
            {
                results[i] = work(items[i]);
            }
        }
        else
        {
            Parallel.For(0, items.Count, i => results[i] = work(items[i]));
        }

        return results;
    }

    private static EntryResult Upsert(Resource resource, string json, Dictionary<string, StoredResource> stored, Dictionary<string, Written> written, DateTimeOffset now, SortedSet<string> patients)
    {
        var type = resource.TypeName;
        var id = resource.Id!;
        var location = $"{type}/{id}";
        var key = Key(type, id);
        var patient = PatientOf(resource);
        stored.TryGetValue(key, out var existing);
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
            };
            stored[key] = row;
            Writing(written, key, row, stored: false).Source = resource;
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

        Writing(written, key, existing, stored: true).Source = resource;
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

    private static EntryResult Delete(string type, string id, Dictionary<string, StoredResource> stored, Dictionary<string, Written> written, DateTimeOffset now, SortedSet<string> patients)
    {
        var key = Key(type, id);
        if (!stored.TryGetValue(key, out var existing))
        {
            // The deletion is recorded, but with no version: none was ever seen, so nothing tells an older copy from a
            // newer one, and any copy sent later brings the resource back (as a FHIR server creates it): Version 0 is one
            // past no version. The time of receipt is not a version: it beat every real meta.lastUpdated before it, and
            // kept the resource out forever (issue 20).
            var tombstone = new StoredResource { ResourceType = type, ResourceId = id, Version = 0, Deleted = true, ReceivedAt = now };
            stored[key] = tombstone;
            Writing(written, key, tombstone, stored: false);
            return new EntryResult("204 No Content", $"{type}/{id}");
        }

        if (!existing.Deleted)
        {
            Writing(written, key, existing, stored: true).Source = null;
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

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
public sealed class PatientRecord(StoreContext store, ParsedResources parsed, FactState factState, PatientFactStates states)
{
    private const string MedicationPrefix = "Medication/";

    /// <summary>
    /// The patient's facts from its fact state held in memory (<see cref="PatientFactStates"/>, issue 19), brought up to
    /// date by reading only the patient's rows written after the generation it holds (one indexed query), deletions
    /// and moves included; held nowhere yet (first use, evicted, another mapping version, a resource moved to another
    /// patient since, or <paramref name="rebuild"/>), it is built from all the patient's rows once. Each changed
    /// resource's facts come as kept (a few hundred bytes; a row the state already holds at its version is skipped), else
    /// (derived under another mapping version, or depending on the evaluation time or another resource) mapped from
    /// the stored resource; facts of the last kind are mapped again at every evaluation. Exactly what
    /// <see cref="FactMapper.Merge"/> of every resource's facts, in order of their keys, gives; the cost is what
    /// changed, not the record.
    /// </summary>
    public Task<FactMapping> FactsAsync(string patient, DateTimeOffset asOf, CancellationToken cancellationToken, bool rebuild = false) =>
        WithStateAsync(patient, asOf, rebuild, state => state.Ledger.Build(patient), cancellationToken);

    /// <summary>
    /// Brings the patient's fact state up to date (see <see cref="FactsAsync"/>) and gives what <paramref name="use"/>
    /// makes of it, while no one else may change it (<see cref="PatientFactState.Gate"/>).
    /// </summary>
    private async Task<T> WithStateAsync<T>(string patient, DateTimeOffset asOf, bool rebuild, Func<PatientFactState, T> use, CancellationToken cancellationToken)
    {
        var state = rebuild ? new PatientFactState(factState.Version) : states.Get(patient, factState.Version);
        await state.Gate.WaitAsync(cancellationToken);
        try
        {
            // The generation first: every row of the patient up to it is committed, so the state may claim it.
            var record = await store.PatientRecords.AsNoTracking().Where(r => r.Patient == patient)
                .Select(r => new { r.Generation, r.LeftAt }).FirstOrDefaultAsync(cancellationToken);
            if (state.Generation >= 0 && record?.LeftAt > state.Generation)
            {
                // A resource of the patient now names another patient: no row of this patient says so; start again.
                state.Gate.Release();
                state = new PatientFactState(factState.Version);
                state.Gate.Wait(CancellationToken.None); // a new state no one else holds: taken at once
            }

            var since = state.Generation;
            var ofPatient = store.Resources.AsNoTracking().Where(r => r.Patient == patient);
            var rows = await (since < 0 ? ofPatient : ofPatient.Where(r => r.Generation > since))
                .Select(r => new ChangedRow(r.ResourceType, r.ResourceId, r.Version, r.Generation, !r.Deleted && r.Json != null, r.FactsVersion == factState.Version && r.Facts != null))
                .ToListAsync(cancellationToken);
            await ApplyAsync(state, patient, asOf, rows, whole: since < 0, cancellationToken);
            state.Generation = Math.Max(record?.Generation ?? 0, rows.Count == 0 ? 0 : rows.Max(r => r.Generation));
            if (record is not null || state.Ledger.Count > 0)
            {
                // A patient nothing was ever stored for (a hook call's) holds no memory.
                states.Keep(patient, state);
            }

            return use(state);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    /// <summary>
    /// Applies the changed rows, then maps the live resources again at <paramref name="asOf"/>. <paramref name="whole"/>:
    /// the rows are the whole record (a state built anew), so each type's kept facts are read in one query rather than
    /// by lists of 500 ids (a patient of 45,000 resources took 90 round trips: issue 19, Bundle lag).
    /// </summary>
    private async System.Threading.Tasks.Task ApplyAsync(PatientFactState state, string patient, DateTimeOffset asOf, List<ChangedRow> rows, bool whole, CancellationToken cancellationToken)
    {
        var mappingVersion = factState.Version;
        var toRead = new List<ChangedRow>();
        var toMap = new Dictionary<string, ChangedRow>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var key = $"{row.ResourceType}/{row.ResourceId}";
            if (!row.Present)
            {
                state.Ledger.Remove(key);
                state.Live.Remove(key);
            }
            else if (state.Ledger.TryGetVersion(key, out var version) && version == row.Version)
            {
                // Already applied (a catch-up that saw a later commit than the generation it claimed).
            }
            else if (row.Kept)
            {
                toRead.Add(row);
            }
            else
            {
                toMap[key] = row;
            }
        }

        var ofPatient = store.Resources.AsNoTracking().Where(r => r.Patient == patient && !r.Deleted && r.Json != null);
        foreach (var type in toRead.GroupBy(r => r.ResourceType))
        {
            foreach (var chunk in whole ? [type.ToArray()] : type.Chunk(500))
            {
                var ofType = ofPatient.Where(r => r.ResourceType == type.Key && r.FactsVersion == mappingVersion && r.Facts != null);
                if (!whole)
                {
                    var ids = chunk.Select(r => r.ResourceId).ToList();
                    ofType = ofType.Where(r => ids.Contains(r.ResourceId));
                }

                var kept = await ofType.Select(r => new { r.ResourceId, r.Version, r.Facts })
                    .ToDictionaryAsync(r => r.ResourceId, cancellationToken);
                foreach (var row in chunk)
                {
                    var key = $"{row.ResourceType}/{row.ResourceId}";

                    // Changed since the versions were read, or not readable: mapped from the resource below.
                    if (kept.TryGetValue(row.ResourceId, out var read) && read.Version == row.Version && TryRead(read.Facts!, out var facts))
                    {
                        Apply(state, key, read.Version, facts);
                    }
                    else
                    {
                        toMap[key] = row;
                    }
                }
            }
        }

        foreach (var key in state.Live)
        {
            toMap.TryAdd(key, default);
        }

        if (toMap.Count == 0)
        {
            return;
        }

        var toParse = toMap.Keys.Select(k => k[(k.IndexOf('/', StringComparison.Ordinal) + 1)..]).Distinct().ToList();
        var resources = await ParsedAsync(ofPatient.Where(r => toParse.Contains(r.ResourceId)), cancellationToken);
        var live = await WithMedicationsAsync([.. resources.Select(r => new SourcedResource(r.Resource, r.Key))], cancellationToken);
        var versions = resources.ToDictionary(r => r.Key, r => r.Version, StringComparer.Ordinal);
        var mapped = new HashSet<string>(StringComparer.Ordinal);
        foreach (var resource in live)
        {
            if (toMap.ContainsKey(resource.Reference) && versions.TryGetValue(resource.Reference, out var version))
            {
                var facts = factState.Mapper.MapResource(resource, patient, asOf, live);
                Apply(state, resource.Reference, version, facts);
                mapped.Add(resource.Reference);
            }
        }

        foreach (var key in toMap.Keys.Where(k => !mapped.Contains(k)))
        {
            // Deleted or moved to another patient since its row was read: its own row, read next time, says which.
            state.Ledger.Remove(key);
            state.Live.Remove(key);
        }
    }

    private static void Apply(PatientFactState state, string key, long version, ResourceFacts facts)
    {
        state.Ledger.Set(key, facts, version);
        if (facts.Live)
        {
            state.Live.Add(key);
        }
        else
        {
            state.Live.Remove(key);
        }
    }

    private readonly record struct ChangedRow(string ResourceType, string ResourceId, long Version, long Generation, bool Present, bool Kept);

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
        return await WithMedicationsAsync([.. resources.Select(r => new SourcedResource(r.Resource, r.Key))], cancellationToken);
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
            resources.AddRange(medications.Select(r => new SourcedResource(r.Resource, r.Key)));
        }

        return resources;
    }

    /// <summary>
    /// The rows' resources: versions first (a few bytes a row), then the JSON of only those not already held parsed at
    /// that version, so an event costs the database and the parser one resource, not the whole record.
    /// </summary>
    private async Task<List<HeldResource>> ParsedAsync(IQueryable<StoredResource> rows, CancellationToken cancellationToken)
    {
        var versions = await rows.Select(r => new { r.ResourceType, r.ResourceId, r.Version }).ToListAsync(cancellationToken);
        var resources = new List<HeldResource>(versions.Count);
        var missing = new List<(string Type, string Id)>();
        foreach (var row in versions)
        {
            var key = $"{row.ResourceType}/{row.ResourceId}";
            if (parsed.TryGet(key, row.Version, out var held))
            {
                if (held is not null)
                {
                    resources.Add(new HeldResource(held, key, row.Version));
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
            foreach (var row in fetched)
            {
                var key = $"{row.ResourceType}/{row.ResourceId}";
                if (parsed.Get(key, row.Version, row.Json!) is { } resource)
                {
                    resources.Add(new HeldResource(resource, key, row.Version));
                }
            }
        }

        return resources;
    }

    private sealed record HeldResource(Resource Resource, string Key, long Version);

    /// <summary>
    /// The patient's facts as a hook call sees them (issue 20): the stored record's from its fact state held in memory
    /// (caught up as <see cref="FactsAsync"/> does), and the call's resources mapped on their own (at
    /// <paramref name="asOf"/>, facts that depend on the time included) in place of the stored ones they stand for. Per
    /// resource (type/id) the newer version by meta.lastUpdated stands, the EHR's copy on a tie or when either has none
    /// (within the call likewise, the later copy on a tie); resources only one side has are kept. The held state is set
    /// to the call's facts only while the result is built, and put back before anyone else may use it. The facts are
    /// merged in ordinal order of the resources' keys, as every report of the patient is (<see cref="FactLedger"/>).
    /// </summary>
    public async Task<FactMapping> FactsWithAsync(string patient, IReadOnlyList<SourcedResource> fromCall, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fromCall);

        // The same resource twice in a call: the newer copy (or the later one) stands. A resource without an id stands alone.
        var winners = new Dictionary<string, SourcedResource>(StringComparer.Ordinal);
        for (var i = 0; i < fromCall.Count; i++)
        {
            var resource = fromCall[i];
            var key = string.IsNullOrEmpty(resource.Resource.Id) ? $"{resource.Reference}#{i}" : $"{resource.Resource.TypeName}/{resource.Resource.Id}";
            if (!winners.TryGetValue(key, out var current) || !(current.Resource.Meta?.LastUpdated > resource.Resource.Meta?.LastUpdated))
            {
                winners[key] = resource;
            }
        }

        // Mapped before the state is taken: the call's resources are all that is parsed and mapped.
        var context = await WithCallMedicationsAsync([.. winners.Values], cancellationToken);
        var facts = winners.ToDictionary(w => w.Key, w => factState.Mapper.MapResource(w.Value, patient, asOf, context), StringComparer.Ordinal);
        var storedNewer = await StoredNewerAsync(patient, winners, cancellationToken);

        return await WithStateAsync(patient, asOf, rebuild: false, state =>
        {
            var ledger = state.Ledger;
            if (ledger.Count == 0)
            {
                // Nothing stored: the call's facts alone, merged in the ledger's order.
                return FactMapper.Merge(facts.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Value), patient);
            }

            var replaced = new List<(string Key, FactLedger.Contributed? Held)>(facts.Count);
            try
            {
                foreach (var (key, mapped) in facts)
                {
                    if (ledger.TryGet(key, out var held))
                    {
                        if (storedNewer.Contains(key))
                        {
                            continue;
                        }

                        replaced.Add((key, held));
                    }
                    else
                    {
                        replaced.Add((key, null));
                    }

                    ledger.Set(key, mapped);
                }

                return ledger.Build(patient);
            }
            finally
            {
                // The shared state as it was: the call's facts were for this call only.
                for (var i = replaced.Count - 1; i >= 0; i--)
                {
                    if (replaced[i].Held is { } held)
                    {
                        ledger.Restore(held);
                    }
                    else
                    {
                        ledger.Remove(replaced[i].Key);
                    }
                }
            }
        }, cancellationToken);
    }

    /// <summary>
    /// The call's resources and the stored Medications their medication courses reference that the call does not
    /// bring, or brings in an older version (by meta.lastUpdated, the EHR's copy on a tie): what a course may refer to.
    /// </summary>
    private async Task<IReadOnlyList<SourcedResource>> WithCallMedicationsAsync(List<SourcedResource> fromCall, CancellationToken cancellationToken)
    {
        var withStored = await WithMedicationsAsync([.. fromCall], cancellationToken);
        if (withStored.Count == fromCall.Count)
        {
            return fromCall;
        }

        var brought = fromCall.Where(r => r.Resource is Medication && !string.IsNullOrEmpty(r.Resource.Id))
            .GroupBy(r => r.Resource.Id!).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var newer = new List<SourcedResource>();
        foreach (var stored in withStored.Skip(fromCall.Count))
        {
            if (!brought.TryGetValue(stored.Resource.Id ?? "", out var own))
            {
                newer.Add(stored);
            }
            else if (stored.Resource.Meta?.LastUpdated > own.Resource.Meta?.LastUpdated)
            {
                newer.Add(stored);
                fromCall.Remove(own);
            }
        }

        return [.. fromCall, .. newer];
    }

    /// <summary>The keys of the call's resources whose stored version is newer by meta.lastUpdated (those stand).</summary>
    private async Task<HashSet<string>> StoredNewerAsync(string patient, Dictionary<string, SourcedResource> fromCall, CancellationToken cancellationToken)
    {
        var newer = new HashSet<string>(StringComparer.Ordinal);

        // Without a meta.lastUpdated in the call's copy, the call's copy stands: nothing to compare.
        var dated = fromCall.Where(w => !string.IsNullOrEmpty(w.Value.Resource.Id) && w.Value.Resource.Meta?.LastUpdated is not null)
            .GroupBy(w => w.Value.Resource.TypeName);
        var ofPatient = store.Resources.AsNoTracking().Where(r => r.Patient == patient && !r.Deleted && r.Json != null && r.LastUpdated != null);
        foreach (var type in dated)
        {
            foreach (var chunk in type.Chunk(500))
            {
                var ids = chunk.Select(w => w.Value.Resource.Id).ToList();
                var stored = await ofPatient.Where(r => r.ResourceType == type.Key && ids.Contains(r.ResourceId))
                    .Select(r => new { r.ResourceId, r.LastUpdated }).ToListAsync(cancellationToken);
                var callCopies = chunk.ToDictionary(w => w.Value.Resource.Id!, w => w, StringComparer.Ordinal);
                foreach (var row in stored)
                {
                    var (key, resource) = callCopies[row.ResourceId];
                    if (row.LastUpdated > resource.Resource.Meta!.LastUpdated)
                    {
                        newer.Add(key);
                    }
                }
            }
        }

        return newer;
    }
}

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
public sealed class PatientRecord(StoreContext store, ParsedResources parsed, FactState factState, PatientFactStates states, PatientWrites writes)
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
    /// changed, not the record. Null when no resource of the patient is stored (never was, or every one was deleted).
    /// </summary>
    public Task<FactMapping?> FactsAsync(string patient, DateTimeOffset asOf, CancellationToken cancellationToken, bool rebuild = false) =>
        WithStateAsync(patient, asOf, rebuild, fromHeld: false, (state, _) => state is { Ledger.Count: > 0 } ? state.Ledger.Build(patient) : null, cancellationToken);

    /// <summary>
    /// Brings the patient's fact state up to date (see <see cref="FactsAsync"/>) and gives what <paramref name="use"/>
    /// makes of it and of the stored report's bookkeeping, while no one else may change it
    /// (<see cref="PatientFactState.Gate"/>). <paramref name="fromHeld"/> (a hook call, issue 20): when this instance is
    /// the store's only writer (<see cref="PatientWrites"/>) and began no write of the patient since the state last read
    /// the store, the state is used as held, without reading the store; a patient known to have nothing stored is
    /// given as null. Otherwise the store is read: the patient's generation and report in one statement, and the rows
    /// written since the state's generation only when the generation moved on.
    /// </summary>
    private async Task<T> WithStateAsync<T>(
        string patient, DateTimeOffset asOf, bool rebuild, bool fromHeld, Func<PatientFactState?, StoredReportSummary?, T> use, CancellationToken cancellationToken)
    {
        var trustHeld = fromHeld && !rebuild && writes.SoleWriter;
        if (trustHeld && states.NothingStoredMark(patient) is { } nothing && writes.Unchanged(patient, nothing))
        {
            return use(null, null);
        }

        var state = rebuild ? new PatientFactState(factState.Version) : states.Get(patient, factState.Version);
        await state.Gate.WaitAsync(cancellationToken);
        try
        {
            // Facts that depend on the evaluation time or another resource (Live) are mapped again from the store.
            if (trustHeld && state.Generation >= 0 && state.Live.Count == 0 && state.Mark is { } mark && writes.Unchanged(patient, mark))
            {
                return use(state, state.Report);
            }

            // Taken before the store is read: a write of the patient under way now, or ending after this, makes the
            // next hook call read the store again.
            var readMark = writes.Mark(patient);

            // The generation first: every row of the patient up to it is committed, so the state may claim it.
            var record = await ReadRecordAsync(patient, cancellationToken);
            if (state.Generation >= 0 && record.LeftAt > state.Generation)
            {
                // A resource of the patient now names another patient: no row of this patient says so; start again.
                state.Gate.Release();
                state = new PatientFactState(factState.Version);
                state.Gate.Wait(CancellationToken.None); // a new state no one else holds: taken at once
            }

            var since = state.Generation;
            List<ChangedRow> rows = [];
            if (since < 0 || !(record.Generation <= since))
            {
                // At the generation the state holds no row of the patient can be newer: one patient's commits come in
                // generation order (its generation row stays locked until commit), so that read is skipped (issue 20).
                var ofPatient = store.Resources.AsNoTracking().Where(r => r.Patient == patient);
                rows = await (since < 0 ? ofPatient : ofPatient.Where(r => r.Generation > since))
                    .Select(r => new ChangedRow(r.ResourceType, r.ResourceId, r.Version, r.Generation, !r.Deleted && r.Json != null, r.FactsVersion == factState.Version && r.Facts != null, r.LastUpdated))
                    .ToListAsync(cancellationToken);
            }

            await ApplyAsync(state, patient, asOf, rows, whole: since < 0, cancellationToken);
            state.Generation = Math.Max(record.Generation ?? 0, rows.Count == 0 ? 0 : rows.Max(r => r.Generation));
            state.Report = record.Report;
            state.Mark = readMark;
            if (record.Generation is not null || state.Ledger.Count > 0)
            {
                states.Keep(patient, state);
            }
            else if (readMark is { } empty && record.Report is null)
            {
                // A patient nothing was ever stored for (a hook call's) holds no fact state: only that it has none.
                states.NothingStored(patient, empty);
            }

            return use(state, record.Report);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    /// <summary>
    /// The patient's generation (null when nothing was ever stored for it), the generation a resource last left it at,
    /// and its stored report's bookkeeping (null when none): one statement, two primary-key lookups.
    /// </summary>
    private async Task<HeldRecord> ReadRecordAsync(string patient, CancellationToken cancellationToken)
    {
        const string Sql = """
            SELECT s."Generation" AS "Generation", s."LeftAt" AS "LeftAt", r."Revision" AS "Revision", r."Statuses" AS "Statuses", r."RulesVersion" AS "RulesVersion"
            FROM (SELECT {0} AS "Patient") AS k
            LEFT JOIN patient_record_state AS s ON s."Patient" = k."Patient"
            LEFT JOIN patient_reports AS r ON r."Patient" = k."Patient"
            """;
        var rows = await store.Database.SqlQueryRaw<RecordRow>(Sql, patient).ToListAsync(cancellationToken);
        var row = rows.Count > 0 ? rows[0] : new RecordRow();
        var report = row.Revision is { } revision ? new StoredReportSummary(revision, row.Statuses ?? "", row.RulesVersion) : null;
        return new HeldRecord(row.Generation, row.LeftAt ?? 0, report);
    }

    private sealed record HeldRecord(long? Generation, long LeftAt, StoredReportSummary? Report);

    private sealed class RecordRow
    {
        public long? Generation { get; set; }

        public long? LeftAt { get; set; }

        public int? Revision { get; set; }

        public string? Statuses { get; set; }

        public string? RulesVersion { get; set; }
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
                        Apply(state, key, read.Version, row.LastUpdated, facts);
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
        var versions = resources.ToDictionary(r => r.Key, StringComparer.Ordinal);
        var mapped = new HashSet<string>(StringComparer.Ordinal);
        var toApply = live.Where(r => toMap.ContainsKey(r.Reference) && versions.ContainsKey(r.Reference)).ToList();
        var applied = factState.Mapper.MapResources(toApply, patient, asOf, live);
        for (var i = 0; i < toApply.Count; i++)
        {
            var read = versions[toApply[i].Reference];
            Apply(state, toApply[i].Reference, read.Version, read.LastUpdated, applied[i]);
            mapped.Add(toApply[i].Reference);
        }

        foreach (var key in toMap.Keys.Where(k => !mapped.Contains(k)))
        {
            // Deleted or moved to another patient since its row was read: its own row, read next time, says which.
            state.Ledger.Remove(key);
            state.Live.Remove(key);
        }
    }

    private static void Apply(PatientFactState state, string key, long version, DateTimeOffset? lastUpdated, ResourceFacts facts)
    {
        state.Ledger.Set(key, facts, version, lastUpdated);
        if (facts.Live)
        {
            state.Live.Add(key);
        }
        else
        {
            state.Live.Remove(key);
        }
    }

    private readonly record struct ChangedRow(string ResourceType, string ResourceId, long Version, long Generation, bool Present, bool Kept, DateTimeOffset? LastUpdated);

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
        var versions = await rows.Select(r => new { r.ResourceType, r.ResourceId, r.Version, r.LastUpdated }).ToListAsync(cancellationToken);
        var resources = new List<HeldResource>(versions.Count);
        var missing = new List<(string Type, string Id)>();
        foreach (var row in versions)
        {
            var key = $"{row.ResourceType}/{row.ResourceId}";
            if (parsed.TryGet(key, row.Version, out var held))
            {
                if (held is not null)
                {
                    resources.Add(new HeldResource(held, key, row.Version, row.LastUpdated));
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
                .Select(r => new { r.ResourceType, r.ResourceId, r.Version, r.LastUpdated, r.Json })
                .ToListAsync(cancellationToken);
            foreach (var row in fetched)
            {
                var key = $"{row.ResourceType}/{row.ResourceId}";
                if (parsed.Get(key, row.Version, row.Json!) is { } resource)
                {
                    resources.Add(new HeldResource(resource, key, row.Version, row.LastUpdated));
                }
            }
        }

        return resources;
    }

    private sealed record HeldResource(Resource Resource, string Key, long Version, DateTimeOffset? LastUpdated);

    /// <summary>
    /// The patient's facts as a hook call sees them (issue 20): the stored record's from its fact state held in memory
    /// (caught up as <see cref="FactsAsync"/> does), and the call's resources mapped on their own (at
    /// <paramref name="asOf"/>, facts that depend on the time included) in place of the stored ones they stand for. Per
    /// resource (type/id) the newer version by meta.lastUpdated stands, the EHR's copy on a tie or when either has none
    /// (within the call likewise, the later copy on a tie); resources only one side has are kept. The held state is set
    /// to the call's facts only while the result is built, and put back before anyone else may use it. The facts are
    /// merged in ordinal order of the resources' keys, as every report of the patient is (<see cref="FactLedger"/>).
    /// </summary>
    public async Task<FactMapping> FactsWithAsync(string patient, IReadOnlyList<SourcedResource> fromCall, DateTimeOffset asOf, CancellationToken cancellationToken) =>
        (await CallFactsAsync(patient, fromCall, asOf, cancellationToken)).Facts;

    /// <summary>
    /// <see cref="FactsWithAsync"/>, with the stored report's bookkeeping as the held state knows it (null when no
    /// report is stored): a hook call names the stored report's revision from it (issue 20). Read from the store only
    /// when this instance cannot vouch for the held state (see <see cref="WithStateAsync"/>); the stored versions the
    /// call's resources are compared with are the held state's.
    /// </summary>
    public async Task<CallFacts> CallFactsAsync(string patient, IReadOnlyList<SourcedResource> fromCall, DateTimeOffset asOf, CancellationToken cancellationToken)
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
        var calls = winners.ToList();
        var mapped = factState.Mapper.MapResources([.. calls.Select(w => w.Value)], patient, asOf, context);
        var facts = new Dictionary<string, ResourceFacts>(calls.Count, StringComparer.Ordinal);
        for (var i = 0; i < calls.Count; i++)
        {
            facts[calls[i].Key] = mapped[i];
        }

        return await WithStateAsync(patient, asOf, rebuild: false, fromHeld: true, (state, report) => new CallFacts(Overlaid(state), report), cancellationToken);

        FactMapping Overlaid(PatientFactState? state)
        {
            if (state is null || state.Ledger.Count == 0)
            {
                // Nothing stored: the call's facts alone, merged in the ledger's order.
                return FactMapper.Merge(facts.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Value), patient);
            }

            var ledger = state.Ledger;
            var replaced = new List<(string Key, FactLedger.Contributed? Held)>(facts.Count);
            try
            {
                foreach (var (key, mapped) in facts)
                {
                    if (ledger.TryGetLastUpdated(key, out var storedAt))
                    {
                        // The stored copy is newer by meta.lastUpdated: it stands (without one on either side, the call's).
                        if (storedAt > winners[key].Resource.Meta?.LastUpdated)
                        {
                            continue;
                        }

                        ledger.TryGet(key, out var held);
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
        }
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
}

/// <summary>What a recompute stored last for the patient, as a hook call names it (issue 20): never the report's text.</summary>
public sealed record StoredReportSummary(int Revision, string Statuses, string? RulesVersion);

/// <summary>A hook call's facts (the held state with the call's resources over it) and the stored report's bookkeeping.</summary>
public sealed record CallFacts(FactMapping Facts, StoredReportSummary? Report);

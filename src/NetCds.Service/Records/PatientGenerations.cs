using Microsoft.EntityFrameworkCore;
using NetCds.Service.Storage;

namespace NetCds.Service.Records;

/// <summary>
/// The per-patient change counter (<see cref="PatientRecordState"/>). An ingestion transaction bumps it for every
/// patient it touches in one atomic statement (insert or increment, returning the new values), so two transactions
/// can never hand out the same generation and the row stays locked until commit (patients in a fixed order: no
/// deadlock between two writers). Plain SQL because an atomic "increment and tell me the value" is what matters here;
/// the statement is the same for PostgreSQL and SQLite (both have UPSERT and RETURNING).
/// Coalescing at the source: a bump says whether the caller must queue the patient's recompute
/// (<see cref="PatientRecordState.PendingSince"/>): only when none is queued and not yet taken up.
/// </summary>
public static class PatientGenerations
{
    /// <summary>One patient's new generation, and whether this commit must queue its recompute.</summary>
    public sealed record Bump(string Patient, long Generation, bool QueueRecompute);

    public static Task<IReadOnlyList<Bump>> BumpAsync(StoreContext store, IReadOnlyCollection<string> patients, CancellationToken cancellationToken) =>
        UpsertAsync(store, patients, newPending: 1, """
            "Generation" = patient_record_state."Generation" + 1,
            "PendingSince" = CASE WHEN patient_record_state."PendingSince" = 0 THEN patient_record_state."Generation" + 1 ELSE patient_record_state."PendingSince" END
            """, row => row.PendingSince == row.Generation, cancellationToken);

    /// <summary>
    /// Stamps every row this transaction writes with its patient's new generation (<see cref="StoredResource.Generation"/>),
    /// and marks the patients a row moved away from (<see cref="PatientRecordState.LeftAt"/>; <paramref name="written"/>
    /// pairs each row with the patient it named before, null for a new row), so a patient's fact state catches up by
    /// reading only the rows written after the generation it holds (issue 19). Called after <see cref="BumpAsync"/> in
    /// the same transaction, before the rows are written: the patients' generation rows are locked until commit, so one
    /// patient's rows are stamped in commit order.
    /// </summary>
    public static async Task StampAsync(
        StoreContext store, IReadOnlyList<Bump> bumps, IEnumerable<(StoredResource Row, string? PatientBefore)> written, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(bumps);
        ArgumentNullException.ThrowIfNull(written);
        var generations = bumps.ToDictionary(b => b.Patient, b => b.Generation, StringComparer.Ordinal);
        var left = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (row, before) in written)
        {
            if (row.Patient is not null && generations.TryGetValue(row.Patient, out var generation))
            {
                row.Generation = generation;
            }

            if (before is not null && before != row.Patient)
            {
                left.Add(before);
            }
        }

        foreach (var chunk in left.Chunk(500))
        {
            // Bumped above (the ingestion touches the patient a row leaves), so the rows exist and are locked already.
            var sql = $"""UPDATE patient_record_state SET "LeftAt" = "Generation" WHERE "Patient" IN ({string.Join(", ", chunk.Select((_, i) => $"{{{i}}}"))})""";
            await store.Database.ExecuteSqlRawAsync(sql, [.. chunk], cancellationToken);
        }
    }

    /// <summary>
    /// A backfill's bump (issue 19, deliverable 8): the generation moves on but no recompute is marked as queued, so
    /// the patient is left stale (record ahead of report) for <see cref="StaleAsync"/> to find once the import window
    /// closes, and a live commit meanwhile still queues its own recompute.
    /// </summary>
    public static Task<IReadOnlyList<Bump>> BumpDeferredAsync(StoreContext store, IReadOnlyCollection<string> patients, CancellationToken cancellationToken) =>
        UpsertAsync(store, patients, newPending: 0, "\"Generation\" = patient_record_state.\"Generation\" + 1", _ => false, cancellationToken);

    /// <summary>
    /// Inserts or updates every patient's generation row in one statement per 500 (in patient order: no deadlock
    /// between two writers), returning the new values; <paramref name="onConflict"/> is the SET clause for rows that exist.
    /// </summary>
    private static async Task<IReadOnlyList<Bump>> UpsertAsync(
        StoreContext store, IReadOnlyCollection<string> patients, int newPending, string onConflict, Func<GenerationRow, bool> queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(patients);
        var bumped = new List<Bump>(patients.Count);
        foreach (var chunk in patients.Order(StringComparer.Ordinal).Chunk(500))
        {
            var values = string.Join(", ", chunk.Select((_, i) => $"({{{i}}}, 1, {newPending})"));
            var sql = $"""
                INSERT INTO patient_record_state ("Patient", "Generation", "PendingSince") VALUES {values}
                ON CONFLICT ("Patient") DO UPDATE SET {onConflict}
                RETURNING "Patient", "Generation", "PendingSince"
                """;
            var rows = await store.Database.SqlQueryRaw<GenerationRow>(sql, [.. chunk]).ToListAsync(cancellationToken);
            bumped.AddRange(rows.Select(r => new Bump(r.Patient, r.Generation, queue(r))));
        }

        return bumped;
    }

    /// <summary>
    /// Patients whose record is ahead of their report and whose recompute nobody queued (a backfill's deferred
    /// writes), in patient order after <paramref name="after"/>, at most <paramref name="limit"/>, with the
    /// generation they are at. A patient whose record yields no report (no Patient resource) stays on this list: the
    /// caller pages with <paramref name="after"/> so each is visited once per pass.
    /// </summary>
    public static async Task<IReadOnlyList<(string Patient, long Generation)>> StaleAsync(StoreContext store, string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var from = after ?? "";
        var rows = await store.PatientRecords.AsNoTracking()
            .Where(s => s.PendingSince == 0 && string.Compare(s.Patient, from) > 0)
            .Where(s => !store.Reports.Any(r => r.Patient == s.Patient && r.Generation >= s.Generation))
            .OrderBy(s => s.Patient).Take(limit)
            .Select(s => new { s.Patient, s.Generation })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => (r.Patient, r.Generation))];
    }

    /// <summary>
    /// Takes up the patient's queued recompute (no recompute is queued afterwards) and returns the generation the
    /// record is at, with the generation its stored report was computed from (null without a report), in one
    /// statement: everything committed before this is seen by a read after it; a commit after it queues anew.
    /// Auto-committed on its own, so no ingestion waits for a recompute's transaction. Generation 0 when nothing was
    /// ever stored.
    /// </summary>
    public static async Task<(long Generation, long? ReportGeneration)> TakeUpAsync(StoreContext store, string patient, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        const string Sql = """
            UPDATE patient_record_state SET "PendingSince" = 0 WHERE "Patient" = {0}
            RETURNING "Generation", (SELECT r."Generation" FROM patient_reports AS r WHERE r."Patient" = {0}) AS "ReportGeneration"
            """;
        var rows = await store.Database.SqlQueryRaw<TakeUpRow>(Sql, patient).ToListAsync(cancellationToken);
        return rows.Count > 0 ? (rows[0].Generation, rows[0].ReportGeneration) : (0, null);
    }

    /// <summary>The generation the patient's stored resources are at now (0 when nothing was ever stored).</summary>
    public static async Task<long> CurrentAsync(StoreContext store, string patient, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return await store.PatientRecords.AsNoTracking().Where(r => r.Patient == patient).Select(r => r.Generation).FirstOrDefaultAsync(cancellationToken);
    }

    private sealed class GenerationRow
    {
        public string Patient { get; set; } = "";

        public long Generation { get; set; }

        public long PendingSince { get; set; }
    }

    private sealed class TakeUpRow
    {
        public long Generation { get; set; }

        public long? ReportGeneration { get; set; }
    }
}

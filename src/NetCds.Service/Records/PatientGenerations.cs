using Microsoft.EntityFrameworkCore;
using NetCds.Service.Storage;

namespace NetCds.Service.Records;

/// <summary>
/// The per-patient change counter (<see cref="PatientRecordState"/>). An ingestion transaction bumps it for every
/// patient it touches in one atomic statement (insert or increment, returning the new values), so two transactions
/// can never hand out the same generation and the row stays locked until commit (patients in a fixed order: no
/// deadlock between two writers). Plain SQL because an atomic "increment and tell me the value" is what matters here;
/// the statement is the same for PostgreSQL and SQLite (both have UPSERT and RETURNING).
/// </summary>
public static class PatientGenerations
{
    public static async Task<IReadOnlyList<(string Patient, long Generation)>> BumpAsync(StoreContext store, IReadOnlyCollection<string> patients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(patients);
        var bumped = new List<(string, long)>(patients.Count);
        foreach (var chunk in patients.Order(StringComparer.Ordinal).Chunk(500))
        {
            var values = string.Join(", ", chunk.Select((_, i) => $"({{{i}}}, 1)"));
            var sql = $"""
                INSERT INTO patient_record_state ("Patient", "Generation") VALUES {values}
                ON CONFLICT ("Patient") DO UPDATE SET "Generation" = patient_record_state."Generation" + 1
                RETURNING "Patient", "Generation"
                """;
            var rows = await store.Database.SqlQueryRaw<GenerationRow>(sql, [.. chunk]).ToListAsync(cancellationToken);
            bumped.AddRange(rows.Select(r => (r.Patient, r.Generation)));
        }

        return bumped;
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
    }
}

using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace NetCds.Service.Storage;

/// <summary>
/// One row an ingestion transaction writes: the row as it is to be stored, and the version it was read at
/// (<see cref="ExpectedVersion"/>; null for a row that was not stored), which is what the write checks, so a row
/// another writer changed or created since it was read fails the transaction and it starts again from what is stored.
/// </summary>
public sealed record ResourceWrite(StoredResource Row, long? ExpectedVersion);

/// <summary>
/// The <c>fhir_resources</c> reads and writes of an ingestion transaction, in as few statements as the provider allows
/// (issue 19, deliverable 8: a backfill part of thousands of resources must cost a few statements, not one per
/// resource). On PostgreSQL the rows go as arrays (one binary parameter per column) into one
/// <c>INSERT ... SELECT FROM unnest(...)</c> for the new rows and one <c>UPDATE ... FROM unnest(...)</c> for the rest,
/// which checks every row's version as EF Core's concurrency token did; on SQLite (embedded, one writer, no round trip)
/// EF Core's change tracker writes them, with the same checks.
/// </summary>
public static class ResourceRows
{
    private const int ReadChunk = 500;

    private const string Columns = """
        "ResourceType", "ResourceId", "Version", "VersionId", "LastUpdated", "Patient", "Json", "Deleted", "ReceivedAt", "Facts", "FactsVersion", "Generation"
        """;

    private const string Unnest = """
        unnest(@t, @i, @v, @vi, @lu, @p, @j, @d, @ra, @f, @fv, @g, @e) AS s(t, i, v, vi, lu, p, j, d, ra, f, fv, g, e)
        """;

    /// <summary>
    /// The stored rows of these resources (deleted ones included), keyed type/id, untracked and without their kept
    /// facts (never compared, always written anew): one query per resource type and 500 ids, not one per entry. (A join
    /// of the keys to the primary key on PostgreSQL, tried for the backfill, halved the RabbitMQ + PostgreSQL Bundle
    /// load and doubled its lag, measured on a quiet machine, and was taken out again: issue 19, docs/performance.md.)
    /// </summary>
    public static async Task<Dictionary<string, StoredResource>> ReadAsync(StoreContext store, IEnumerable<(string Type, string Id)> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keys);
        var stored = new Dictionary<string, StoredResource>(StringComparer.Ordinal);
        foreach (var type in keys.GroupBy(k => k.Type, k => k.Id, StringComparer.Ordinal))
        {
            foreach (var chunk in type.Distinct(StringComparer.Ordinal).Chunk(ReadChunk))
            {
                var rows = await store.Resources.AsNoTracking()
                    .Where(r => r.ResourceType == type.Key && chunk.Contains(r.ResourceId))
                    .Select(Unkept)
                    .ToListAsync(cancellationToken);
                foreach (var row in rows)
                {
                    stored[Key(row.ResourceType, row.ResourceId)] = row;
                }
            }
        }

        return stored;
    }

    /// <summary>A stored row without its kept facts (never compared, always written anew: the largest column not needed).</summary>
    private static readonly System.Linq.Expressions.Expression<Func<StoredResource, StoredResource>> Unkept = r => new StoredResource
    {
        ResourceType = r.ResourceType,
        ResourceId = r.ResourceId,
        Version = r.Version,
        VersionId = r.VersionId,
        LastUpdated = r.LastUpdated,
        Patient = r.Patient,
        Json = r.Json,
        Deleted = r.Deleted,
        ReceivedAt = r.ReceivedAt,
        FactsVersion = r.FactsVersion,
        Generation = r.Generation,
    };

    /// <summary>
    /// On PostgreSQL, brings the planner's statistics of <c>fhir_resources</c> up to date when a tenth of its rows or more
    /// changed since they were taken (autovacuum's own threshold), before a backfill window's recomputes read what it
    /// wrote (issue 19, deliverable 8). A backfill fills the table faster than autovacuum analyzes it (its launcher visits
    /// each database once a minute, and other databases' work comes first): the recomputes' reads of a patient's kept
    /// facts then ran on plans priced for an empty table, four times the CPU. Waits at most 2 s for the table's lock (an
    /// autovacuum of it gives way meanwhile); otherwise leaves it to autovacuum. Nothing to do on SQLite.
    /// </summary>
    public static async Task AnalyzeIfStaleAsync(StoreContext store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (store is not PostgreSqlStoreContext)
        {
            return;
        }

        const string Stale = """
            SELECT (c.reltuples < 0 OR s.n_mod_since_analyze > 0.1 * c.reltuples + 50) AS "Value"
            FROM pg_stat_user_tables AS s JOIN pg_class AS c ON c.oid = s.relid
            WHERE s.relid = 'fhir_resources'::regclass
            """;
        if (!(await store.Database.SqlQueryRaw<bool>(Stale).ToListAsync(cancellationToken)).FirstOrDefault())
        {
            return;
        }

        // The columns queries filter on, not the JSON and the kept facts (their statistics choose no plan), from a
        // sample of 3,000 rows, not 30,000: index lookups need the table's size and the keys' spread, not a fine
        // histogram (an ANALYZE of every column at the default target took 470 ms at 250,000 rows; autovacuum takes
        // the finer statistics later).
        const string Analyze = """
            SET LOCAL lock_timeout = '2s';
            SET LOCAL default_statistics_target = 10;
            ANALYZE fhir_resources ("ResourceType", "ResourceId", "Patient", "Generation", "Deleted", "FactsVersion")
            """;
        await using var transaction = await store.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            await store.Database.ExecuteSqlRawAsync(Analyze, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (PostgresException busy) when (busy.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            await transaction.RollbackAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Writes every row (whole: each column as <see cref="ResourceWrite.Row"/> holds it) in the current transaction.
    /// A new row whose key exists by now fails on the primary key; a stored row whose version is no longer
    /// <see cref="ResourceWrite.ExpectedVersion"/> fails with <see cref="DbUpdateConcurrencyException"/>: either way the
    /// caller's transaction is rolled back and tried again.
    /// </summary>
    public static async Task WriteAsync(StoreContext store, IReadOnlyCollection<ResourceWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(writes);
        if (writes.Count == 0)
        {
            return;
        }

        if (store is PostgreSqlStoreContext)
        {
            // In key order: two transactions writing the same rows take their locks in the same order.
            var ordered = writes.OrderBy(w => w.Row.ResourceType, StringComparer.Ordinal).ThenBy(w => w.Row.ResourceId, StringComparer.Ordinal).ToList();
            await InsertAsync(store, [.. ordered.Where(w => w.ExpectedVersion is null)], cancellationToken);
            await UpdateAsync(store, [.. ordered.Where(w => w.ExpectedVersion is not null)], cancellationToken);
            return;
        }

        foreach (var (row, expected) in writes)
        {
            if (expected is null)
            {
                store.Resources.Add(row);
                continue;
            }

            // Every column written, the row's version as read checked (the concurrency token), as a tracked update would.
            var entry = store.Resources.Attach(row);
            entry.State = EntityState.Modified;
            entry.Property(r => r.Version).OriginalValue = expected.Value;
        }

        await store.SaveChangesAsync(cancellationToken);
    }

    private static async Task InsertAsync(StoreContext store, List<ResourceWrite> writes, CancellationToken cancellationToken)
    {
        if (writes.Count > 0)
        {
            await store.Database.ExecuteSqlRawAsync($"INSERT INTO fhir_resources ({Columns}) SELECT t, i, v, vi, lu, p, j, d, ra, f, fv, g FROM {Unnest}", Parameters(writes), cancellationToken);
        }
    }

    private static async Task UpdateAsync(StoreContext store, List<ResourceWrite> writes, CancellationToken cancellationToken)
    {
        if (writes.Count == 0)
        {
            return;
        }

        const string Sql = $"""
            UPDATE fhir_resources AS r SET "Version" = s.v, "VersionId" = s.vi, "LastUpdated" = s.lu, "Patient" = s.p, "Json" = s.j,
                "Deleted" = s.d, "ReceivedAt" = s.ra, "Facts" = s.f, "FactsVersion" = s.fv, "Generation" = s.g
            FROM {Unnest}
            WHERE r."ResourceType" = s.t AND r."ResourceId" = s.i AND r."Version" = s.e
            """;
        var updated = await store.Database.ExecuteSqlRawAsync(Sql, Parameters(writes), cancellationToken);
        if (updated != writes.Count)
        {
            throw new DbUpdateConcurrencyException($"{writes.Count - updated} of {writes.Count} stored resources changed since they were read.");
        }
    }

    /// <summary>One array per column, in <see cref="Unnest"/>'s order; times in UTC (timestamptz takes no other offset).</summary>
    private static NpgsqlParameter[] Parameters(List<ResourceWrite> writes) =>
    [
        Array("t", NpgsqlDbType.Text, writes.Select(w => w.Row.ResourceType).ToArray()),
        Array("i", NpgsqlDbType.Text, writes.Select(w => w.Row.ResourceId).ToArray()),
        Array("v", NpgsqlDbType.Bigint, writes.Select(w => w.Row.Version).ToArray()),
        Array("vi", NpgsqlDbType.Text, writes.Select(w => w.Row.VersionId).ToArray()),
        Array("lu", NpgsqlDbType.TimestampTz, writes.Select(w => w.Row.LastUpdated?.ToUniversalTime()).ToArray()),
        Array("p", NpgsqlDbType.Text, writes.Select(w => w.Row.Patient).ToArray()),
        Array("j", NpgsqlDbType.Text, writes.Select(w => w.Row.Json).ToArray()),
        Array("d", NpgsqlDbType.Boolean, writes.Select(w => w.Row.Deleted).ToArray()),
        Array("ra", NpgsqlDbType.TimestampTz, writes.Select(w => w.Row.ReceivedAt.ToUniversalTime()).ToArray()),
        Array("f", NpgsqlDbType.Text, writes.Select(w => w.Row.Facts).ToArray()),
        Array("fv", NpgsqlDbType.Text, writes.Select(w => w.Row.FactsVersion).ToArray()),
        Array("g", NpgsqlDbType.Bigint, writes.Select(w => w.Row.Generation).ToArray()),
        Array("e", NpgsqlDbType.Bigint, writes.Select(w => w.ExpectedVersion).ToArray()),
    ];

    private static NpgsqlParameter Array(string name, NpgsqlDbType type, object values) =>
        new(name, NpgsqlDbType.Array | type) { Value = values };

    private static string Key(string type, string id) => $"{type}/{id}";
}

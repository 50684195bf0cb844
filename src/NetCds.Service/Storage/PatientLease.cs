using Microsoft.EntityFrameworkCore;

namespace NetCds.Service.Storage;

/// <summary>
/// One recompute of a patient at a time, across every instance sharing the store: on PostgreSQL a transaction-scoped
/// advisory lock keyed by the patient (released by commit or rollback, and by the server if the instance dies), so a
/// second instance waits instead of computing the same report and losing a conflict. SQLite is one process's file:
/// its write transaction already admits one writer at a time.
/// </summary>
public static class PatientLease
{
    /// <summary>Call inside a transaction: held until it ends.</summary>
    public static async Task AcquireAsync(StoreContext store, string patient, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (store is PostgreSqlStoreContext)
        {
            await store.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(hashtextextended({0}, 0))", [patient], cancellationToken);
        }
    }
}

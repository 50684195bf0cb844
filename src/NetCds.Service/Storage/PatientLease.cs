using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace NetCds.Service.Storage;

/// <summary>
/// One recompute of a patient at a time. On PostgreSQL, across every instance sharing the store: a transaction with
/// an advisory lock keyed by the patient (released by commit or rollback, and by the server if the instance dies), so
/// a second instance waits instead of computing the same report and losing a conflict. SQLite is one process's file
/// with a single writer: an in-process lock per patient (striped) is enough, and no write transaction is held while
/// the record is read and evaluated, so ingestion is not blocked behind a recompute.
/// </summary>
public sealed class PatientLease : IAsyncDisposable
{
    private static readonly SemaphoreSlim[] Stripes = [.. Enumerable.Range(0, 256).Select(_ => new SemaphoreSlim(1, 1))];

    private readonly IDbContextTransaction? _transaction;
    private readonly SemaphoreSlim? _stripe;

    private PatientLease(IDbContextTransaction? transaction, SemaphoreSlim? stripe)
    {
        _transaction = transaction;
        _stripe = stripe;
    }

    public static async Task<PatientLease> AcquireAsync(StoreContext store, string patient, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(patient);
        if (store is PostgreSqlStoreContext)
        {
            var transaction = await store.Database.BeginTransactionAsync(cancellationToken);
            await store.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(hashtextextended({0}, 0))", [patient], cancellationToken);
            return new PatientLease(transaction, null);
        }

        var stripe = Stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(patient) % (uint)Stripes.Length)];
        await stripe.WaitAsync(cancellationToken);
        return new PatientLease(null, stripe);
    }

    /// <summary>Commits what was saved under the lease (PostgreSQL); SQLite's SaveChanges already committed.</summary>
    public Task CommitAsync(CancellationToken cancellationToken) => _transaction?.CommitAsync(cancellationToken) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync();
        }

        _stripe?.Release();
    }
}

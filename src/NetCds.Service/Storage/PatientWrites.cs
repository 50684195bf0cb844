using Microsoft.Extensions.Options;

namespace NetCds.Service.Storage;

/// <summary>
/// What this instance knows of its own writes to patients' stored records and reports (issue 20, deliverable 1): a
/// hook call answers from the patient's held fact state without reading the store only when this instance is the
/// store's sole writer (<see cref="StorageOptions.SoleWriter"/>) and no write of the patient began or ended since
/// the state last read the store.
/// Every writer of a patient's rows, generation or report brackets its transaction with <see cref="Begin"/> (before
/// its first write) and disposes the result after its commit or rollback. A reader takes a <see cref="Mark"/> before
/// it reads the store and keeps it with what it read; what it read is still current while <see cref="Unchanged"/>.
/// Why that is enough: a write committed before the check either ended before the mark was taken (so it committed
/// before the read and the read saw it), or ended after (its count moved: not unchanged), or has not ended (it is
/// still counted as under way: not unchanged). A write that began before the mark and is still under way makes no
/// mark at all. Counted per stripe of patients (a fixed array, whatever the number of patients): two patients
/// sharing a stripe only cost each other a read of the store, never a stale answer. A restart starts with nothing
/// held, so every state reads the store first. Not bracketed, because a held state already holds what they write: the
/// fact-state re-derivation (kept facts rewritten under the current mapping version, which the held state mapped
/// itself) and a recompute that only moves the generation its unchanged report covers. Medications belong to no
/// patient: the facts that depend on one are live and always read from the store.
/// </summary>
public sealed class PatientWrites(IOptions<StorageOptions> options)
{
    private const int Stripes = 4096;

    private readonly long[] _ended = new long[Stripes];
    private readonly int[] _underWay = new int[Stripes];

    /// <summary>
    /// Whether a held state may be trusted without reading the store (see the class remarks): as configured, else on
    /// SQLite only (the embedded store; instances scale out on PostgreSQL).
    /// </summary>
    public bool SoleWriter { get; } = options.Value.SoleWriter ?? options.Value.Provider == StorageProvider.Sqlite;

    /// <summary>Counts the patients' write as under way until the result is disposed (after the commit or rollback).</summary>
    public Writing Begin(IEnumerable<string> patients)
    {
        ArgumentNullException.ThrowIfNull(patients);
        var stripes = patients.Select(Stripe).Distinct().ToArray();
        foreach (var stripe in stripes)
        {
            Interlocked.Increment(ref _underWay[stripe]);
        }

        return new Writing(this, stripes);
    }

    /// <summary>Taken before a read of the patient's store; null while a write of the patient is under way.</summary>
    public long? Mark(string patient)
    {
        var stripe = Stripe(patient);
        return Volatile.Read(ref _underWay[stripe]) == 0 ? Volatile.Read(ref _ended[stripe]) : null;
    }

    /// <summary>No write of the patient began or ended since <paramref name="mark"/> was taken.</summary>
    public bool Unchanged(string patient, long mark)
    {
        var stripe = Stripe(patient);
        return Volatile.Read(ref _underWay[stripe]) == 0 && Volatile.Read(ref _ended[stripe]) == mark;
    }

    private void End(int[] stripes)
    {
        foreach (var stripe in stripes)
        {
            // Counted as ended before it stops counting as under way: a reader never sees neither.
            Interlocked.Increment(ref _ended[stripe]);
            Interlocked.Decrement(ref _underWay[stripe]);
        }
    }

    private static int Stripe(string patient) => patient.GetHashCode(StringComparison.Ordinal) & (Stripes - 1);

    /// <summary>A write under way; disposed once its transaction has committed or rolled back.</summary>
    public sealed class Writing(PatientWrites writes, int[] stripes) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                writes.End(stripes);
            }
        }
    }
}

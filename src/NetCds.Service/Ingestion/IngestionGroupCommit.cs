using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace NetCds.Service.Ingestion;

/// <summary>
/// Group commit for ingestion. Every caller queues its entries and then takes the writer's turn: whoever holds it
/// writes everything queued so far (up to a bound) in one transaction and answers each caller with its own results.
/// Under load a transaction carries the entries of many requests or messages, so the number of commits (the cost
/// that dominates on a durable database) grows far slower than the number of events; alone, a caller writes at once.
/// A caller is answered only after the transaction holding its entries has committed.
/// </summary>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "Deliberately never disposed, as StoreWriteTurn: a release after the container is disposed must still hand the turn on.")]
public sealed class IngestionGroupCommit
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly ConcurrentQueue<Pending> _queue = new();

    public delegate Task<IReadOnlyList<EntryResult>> Writer(IReadOnlyList<IngestEntry> entries, CancellationToken cancellationToken);

    public async Task<IReadOnlyList<EntryResult>> WriteAsync(IReadOnlyList<IngestEntry> entries, Writer write, int maxEntries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(write);
        if (entries.Count == 0)
        {
            return [];
        }

        var mine = new Pending(entries);
        _queue.Enqueue(mine);
        while (!mine.Done.Task.IsCompleted)
        {
            await _turn.WaitAsync(cancellationToken);
            try
            {
                if (!mine.Done.Task.IsCompleted)
                {
                    // Not the caller's token: the group holds other callers' entries, whose requests go on.
                    await WriteGroupAsync(Take(maxEntries), write);
                }
            }
            finally
            {
                _turn.Release();
            }
        }

        return await mine.Done.Task;
    }


    /// <summary>The oldest queued callers, as many as fit in <paramref name="maxEntries"/> (always at least one).</summary>
    private List<Pending> Take(int maxEntries)
    {
        var group = new List<Pending>();
        var count = 0;
        while (_queue.TryPeek(out var next) && (group.Count == 0 || count + next.Entries.Count <= maxEntries) && _queue.TryDequeue(out next))
        {
            group.Add(next);
            count += next.Entries.Count;
        }

        return group;
    }

    private static async Task WriteGroupAsync(List<Pending> group, Writer write)
    {
        try
        {
            var results = await write([.. group.SelectMany(p => p.Entries)], CancellationToken.None);
            var next = 0;
            foreach (var pending in group)
            {
                pending.Done.TrySetResult([.. results.Skip(next).Take(pending.Entries.Count)]);
                next += pending.Entries.Count;
            }
        }
        catch (Exception) when (group.Count > 1)
        {
            // One caller's entries may be what failed (a value the database refuses): write each alone, so the others
            // are stored and only that caller sees the error.
            foreach (var pending in group)
            {
                await WriteGroupAsync([pending], write);
            }
        }
        catch (Exception failure)
        {
            group[0].Done.TrySetException(failure);
        }
    }

    private sealed class Pending(IReadOnlyList<IngestEntry> entries)
    {
        public IReadOnlyList<IngestEntry> Entries { get; } = entries;

        public TaskCompletionSource<IReadOnlyList<EntryResult>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace NetCds.Service.Records;

/// <summary>
/// When a patient's queued recompute is taken up (issue 19). Two rules, both per instance and in memory:
/// <list type="number">
/// <item>One turn per patient: a request waits for this instance's running recompute of the same patient to end
/// before it is taken up. Commits meanwhile queue nothing and are covered by it. Taking it up at once would only split
/// the work: it would wait for the patient lease anyway, and every commit after its take-up would queue one more
/// request. Under Bundles, where every commit touches every patient, that let requests pile up behind the lease as
/// soon as a recompute took longer than the gather, each recomputing what the previous one had just covered: with the
/// slow recomputes of an outgrown fact-state budget (<see cref="PatientFactStates"/>), lease waits reached 19 s
/// (RabbitMQ + PostgreSQL, Bundles of 100; docs/performance.md).</item>
/// <item>An adaptive gather (<see cref="IngestionOptions.RecomputeGather"/>): a request queued within a gather of its
/// patient's previous take-up (events come faster than the gather) waits out the rest of the gather from the commit
/// that queued it, so the patient's further commits join it (one outbox row, publish and recompute for many events);
/// a lone event's request is taken up at once, so its report follows it without the gather's wait.</item>
/// </list>
/// With several instances sharing a patient's requests, each instance keeps its own turns and take-ups: a request
/// another instance took up before is seen as lone, and the patient lease still keeps their recomputes apart.
/// </summary>
public sealed class RecomputeGathering(IOptions<IngestionOptions> options)
{
    /// <summary>Above this many remembered patients, take-ups older than a gather are forgotten (they decide nothing).</summary>
    private const int PruneAbove = 4096;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _tookUp = new(StringComparer.Ordinal);

    // Only patients with a request in hand have an entry: removed when the last one leaves.
    private readonly Dictionary<string, Turn> _turns = new(StringComparer.Ordinal);

    /// <summary>
    /// Waits until no other request of <paramref name="patient"/> is in hand in this instance; the turn is held until
    /// the returned value is disposed (after the recompute committed).
    /// </summary>
    public async Task<IAsyncDisposable> TakeTurnAsync(string patient, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patient);
        Turn turn;
        lock (_turns)
        {
            if (!_turns.TryGetValue(patient, out turn!))
            {
                _turns[patient] = turn = new Turn(patient, this);
            }

            turn.Users++;
        }

        try
        {
            await turn.Gate.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Leave(turn);
            throw;
        }

        return turn;
    }

    /// <summary>How many of <paramref name="patient"/>'s requests wait for their turn in this instance (for tests and diagnosis).</summary>
    public int Waiting(string patient)
    {
        lock (_turns)
        {
            return _turns.TryGetValue(patient, out var turn) ? turn.Users - 1 : 0;
        }
    }

    /// <summary>
    /// How long <paramref name="patient"/>'s request, queued by a commit at <paramref name="requestedAt"/>, still waits
    /// at <paramref name="now"/>: zero for a lone event (no take-up of the patient within a gather before its commit)
    /// and once the gather is over.
    /// </summary>
    public TimeSpan WaitFor(string patient, DateTimeOffset requestedAt, DateTimeOffset now)
    {
        var gather = options.Value.RecomputeGather;
        if (gather <= TimeSpan.Zero || !_tookUp.TryGetValue(patient, out var previous) || requestedAt - previous >= gather)
        {
            return TimeSpan.Zero;
        }

        var rest = requestedAt + gather - now;
        return rest <= TimeSpan.Zero ? TimeSpan.Zero : rest < gather ? rest : gather;
    }

    /// <summary>Notes that <paramref name="patient"/>'s queued recompute was taken up at <paramref name="at"/>.</summary>
    public void TookUp(string patient, DateTimeOffset at)
    {
        _tookUp.AddOrUpdate(patient, at, (_, previous) => previous > at ? previous : at);
        if (_tookUp.Count > PruneAbove)
        {
            var before = at - options.Value.RecomputeGather;
            foreach (var (key, value) in _tookUp)
            {
                if (value < before)
                {
                    _tookUp.TryRemove(new KeyValuePair<string, DateTimeOffset>(key, value));
                }
            }
        }
    }

    private void Leave(Turn turn)
    {
        lock (_turns)
        {
            if (--turn.Users == 0)
            {
                _turns.Remove(turn.Patient);
            }
        }
    }

    /// <summary>A patient's turn: its gate and how many requests hold or wait for it.</summary>
    private sealed class Turn(string patient, RecomputeGathering owner) : IAsyncDisposable
    {
        public string Patient { get; } = patient;

        // Never disposed: no wait handle is ever asked of it, so it holds nothing to release.
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int Users { get; set; }

        public ValueTask DisposeAsync()
        {
            Gate.Release();
            owner.Leave(this);
            return ValueTask.CompletedTask;
        }
    }
}

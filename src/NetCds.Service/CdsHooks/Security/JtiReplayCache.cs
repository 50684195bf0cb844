using System.Collections.Concurrent;

namespace NetCds.Service.CdsHooks.Security;

/// <summary>
/// The <c>jti</c> values already accepted, per issuer, each kept until its token could no longer pass the
/// expiry check (exp + clock skew). In memory: one instance of the service sees only its own calls.
/// </summary>
internal sealed class JtiReplayCache(TimeProvider clock)
{
    private static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<(string Issuer, string Jti), DateTimeOffset> seen = new();
    private readonly Lock sweepGate = new();
    private DateTimeOffset nextSweep = DateTimeOffset.MinValue;

    /// <summary>Records the jti; <c>false</c> if the issuer already used it in a token that may still be live.</summary>
    public bool TryRecord(string issuer, string jti, DateTimeOffset keepUntil)
    {
        var now = clock.GetUtcNow();
        Sweep(now);
        var key = (issuer, jti);
        while (true)
        {
            if (seen.TryAdd(key, keepUntil))
            {
                return true;
            }

            if (!seen.TryGetValue(key, out var until))
            {
                continue;
            }

            if (until > now)
            {
                return false;
            }

            // The earlier token has expired and the sweep has not run yet: this one is not a replay of a live token.
            if (seen.TryUpdate(key, keepUntil, until))
            {
                return true;
            }
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        lock (sweepGate)
        {
            if (now < nextSweep)
            {
                return;
            }

            nextSweep = now + SweepEvery;
        }

        foreach (var entry in seen)
        {
            if (entry.Value <= now)
            {
                seen.TryRemove(entry);
            }
        }
    }
}

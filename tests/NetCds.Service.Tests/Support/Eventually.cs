using System.Diagnostics;

namespace NetCds.Service.Tests.Support;

/// <summary>
/// The one way the service tests wait for something that happens in the background (a consumer, the outbox, a loop):
/// poll the condition itself, quickly at first, until it holds or a generous bound passes. Never a fixed sleep: a
/// fixed sleep is too short on a loaded machine and wasted on a quiet one.
/// </summary>
internal static class Eventually
{
    /// <summary>How long a condition may take, by default: generous, for a 2-core machine with both cores busy.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Longest = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Polls <paramref name="probe"/> until its value satisfies <paramref name="done"/> or <paramref name="bound"/>
    /// passes; returns the last value either way, for the caller to assert on in its own words.
    /// </summary>
    public static async Task<T> PollAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? bound = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(done);
        var limit = bound ?? Bound;
        var clock = Stopwatch.StartNew();
        var pause = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            var value = await probe();
            if (done(value) || clock.Elapsed > limit)
            {
                return value;
            }

            await Task.Delay(pause, TestContext.Current.CancellationToken);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, Longest.Ticks));
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test, naming <paramref name="what"/>, when <paramref name="bound"/> passes.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? bound = null, Func<string>? lastSeen = null)
    {
        if (!await PollAsync(condition, held => held, bound))
        {
            Assert.Fail($"Timed out after {(bound ?? Bound).TotalSeconds:0} s waiting for {what}. {lastSeen?.Invoke()}");
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds (a value the test already has in memory).</summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? bound = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, bound);
}

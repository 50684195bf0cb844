namespace NetCds.Service.Tests.CdsHooks.Support;

/// <summary>Wall-clock time that a test moves on by hand; timers (HttpClient timeouts) still run in real time.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long ticks = System.GetUtcNow().UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
}

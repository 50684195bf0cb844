namespace NetCds.Service.Tests.CdsHooks.Support;

/// <summary>The shared test clock's time, moved on by hand; timers (HttpClient timeouts) still run in real time.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long ticks = NetCds.Service.Tests.Support.TestClock.Now.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
}

using Microsoft.Extensions.DependencyInjection;
using NetCds.Service.Outbox;

namespace NetCds.Service.Tests.Pipeline;

/// <summary>
/// The outbox's wake-up signal outlives its container: a recompute that commits after its test host's container was
/// disposed still signals, as <c>StoreWriteTurn</c> still hands its turn on (eleventh session, the hung test runs).
/// </summary>
public sealed class OutboxSignalTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_commit_after_the_container_was_disposed_still_signals_the_dispatcher()
    {
        var services = new ServiceCollection().AddSingleton<OutboxSignal>().BuildServiceProvider();
        var signal = services.GetRequiredService<OutboxSignal>();

        await services.DisposeAsync();
        signal.Notify();

        (await signal.WaitAsync(TimeSpan.Zero, Token)).Should().BeTrue("the signal given after the disposal is there to take");
        (await signal.WaitAsync(TimeSpan.Zero, Token)).Should().BeFalse("one signal wakes the dispatcher once");
    }
}

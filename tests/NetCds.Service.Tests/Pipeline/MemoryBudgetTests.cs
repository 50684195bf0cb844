using NetCds.Service.Records;

namespace NetCds.Service.Tests.Pipeline;

/// <summary>
/// Issue 19, deliverable 7: the caches' budgets follow the heap the GC may use, so a container with a small memory limit
/// (256Mi: a 192 MiB heap) holds fewer fact states instead of running out of memory; a setting always wins.
/// </summary>
public sealed class MemoryBudgetTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void Unset_budgets_are_shares_of_a_small_heap()
    {
        var options = new IngestionOptions();

        options.FactStateBudget(192 * MiB).Should().Be(128 * MiB, "two thirds of the heap go to fact states");
        options.ParsedResourceBudget(192 * MiB).Should().Be(192 * MiB / 10, "a tenth to resources kept parsed");
    }

    [Fact]
    public void Unset_budgets_stop_at_their_caps_on_a_large_heap()
    {
        var options = new IngestionOptions();

        options.FactStateBudget(24L * 1024 * MiB).Should().Be(256 * MiB);
        options.ParsedResourceBudget(24L * 1024 * MiB).Should().Be(32 * MiB);
    }

    [Fact]
    public void A_configured_budget_wins_over_the_heap()
    {
        var options = new IngestionOptions { FactStateCacheBytes = 512 * MiB, ParsedResourceCacheBytes = 0 };

        options.FactStateBudget(192 * MiB).Should().Be(512 * MiB);
        options.ParsedResourceBudget(24L * 1024 * MiB).Should().Be(0);
    }

    [Fact]
    public void Fact_states_take_no_more_than_the_configured_budget()
    {
        // The budget PatientFactStates enforces is the one the options give for this process's heap.
        using var states = new PatientFactStates(Microsoft.Extensions.Options.Options.Create(new IngestionOptions { FactStateCacheBytes = 4096 }));

        states.BudgetBytes.Should().Be(4096);
    }
}

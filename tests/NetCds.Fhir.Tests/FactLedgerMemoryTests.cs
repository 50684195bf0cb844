using NetCds.Domain.Facts;
using NetCds.Fhir.Mapping;

namespace NetCds.Fhir.Tests;

/// <summary>
/// Issue 19, deliverable 7: the fact state cache is bounded in bytes by <see cref="FactLedger.EstimatedBytes"/>, so the
/// estimate must be near what a ledger really holds, measured on the heap: an underestimate lets the cache hold more
/// than its budget (the pipeline load showed RSS over 1 GB), an overestimate evicts patients it could hold. Measured
/// for the shape of the load that showed it: a long bilirubin series, one fact per Observation, each read back from
/// its kept JSON as a recompute reads it; and the size itself must stay small (the pipeline load holds 20 patients of
/// about 25,000 such resources). Alone in its collection: the heap is measured for the whole process.
/// </summary>
[Collection(nameof(HeapMeasurement))]
public sealed class FactLedgerMemoryTests
{
    private const int Resources = 10_000;
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_estimated_size_of_a_ledger_of_a_long_series_is_near_what_it_holds_on_the_heap()
    {
        // Kept facts as stored (outside the measurement): one bilirubin value per Observation, a series over time.
        var kept = Enumerable.Range(0, Resources).Select(i => FactStateJson.Serialize(Bilirubin(i))).ToList();

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var ledger = new FactLedger();
        for (var i = 0; i < kept.Count; i++)
        {
            ledger.Set($"Observation/bilirubin-{i:D6}", FactStateJson.Deserialize(kept[i]));
        }

        // Built once, as a recompute does: the settled lists it keeps are part of what is held.
        ledger.Build("Patient/p1").Facts.Bilirubin.Should().HaveCount(Resources);
        var measured = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(ledger);
        GC.KeepAlive(kept);

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{Resources} resources: measured {measured / Resources} B/resource, estimated {ledger.EstimatedBytes / Resources} B/resource");
        ((double)ledger.EstimatedBytes / measured).Should().BeInRange(0.85, 1.15,
            $"measured {measured / Resources} bytes a resource, estimated {ledger.EstimatedBytes / Resources}");

        // 162 bytes a resource measured at 10,000 (its 28-character key alone is 80): a fact object, a group or a
        // dictionary entry per fact again (425 bytes before the compact series) fails this.
        (measured / Resources).Should().BeLessThanOrEqualTo(180, "a bilirubin value is held as a compact entry, its key once");
    }

    [Fact]
    public void Short_strings_read_back_from_kept_facts_are_shared_between_facts()
    {
        var first = FactStateJson.Deserialize(FactStateJson.Serialize(Bilirubin(1))).Intervals[FactKind.Bilirubin].Single();
        var second = FactStateJson.Deserialize(FactStateJson.Serialize(Bilirubin(24))).Intervals[FactKind.Bilirubin].Single();

        second.Value.Written.Should().Be(first.Value.Written);
        ReferenceEquals(first.Unit, second.Unit).Should().BeTrue("one \"mg/dL\" serves every fact");
        ReferenceEquals(first.Value.Written, second.Value.Written).Should().BeTrue("one \"0.5\" serves every fact of that value");
        ReferenceEquals(first.Source, second.Source).Should().BeFalse();
    }

    private static ResourceFacts Bilirubin(int i)
    {
        var facts = new ResourceFacts();
        facts.Intervals[FactKind.Bilirubin] = [new Fact<Interval>(Interval.Exactly(0.4m + (i % 23 / 10m)), Start.AddHours(i), $"Observation/bilirubin-{i:D6}", "mg/dL")];
        return facts;
    }
}

/// <summary>Tests that measure the process's heap run alone, after the others.</summary>
[CollectionDefinition(nameof(HeapMeasurement), DisableParallelization = true)]
public sealed class HeapMeasurement;

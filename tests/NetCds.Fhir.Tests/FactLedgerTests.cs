using System.Collections;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using NetCds.Fhir.Input;
using NetCds.Fhir.Mapping;
using NetCds.Fhir.Terminology;
using static NetCds.Fhir.Tests.Support.FhirBuilder;

namespace NetCds.Fhir.Tests;

/// <summary>
/// Issue 19: a patient's facts kept incrementally (<see cref="FactLedger"/>) equal <see cref="FactMapper.Merge"/> of
/// every resource's facts in key order, after any sequence of events: random orders, duplicates, conflicts, deletions,
/// re-creations and versions arriving out of order (the store keeps the newest version, as ingestion does; the
/// ledger is given only the rows that changed since it last caught up, in any order, as the catch-up reads them).
/// Compared list by list, element by element (the same facts, showing the same in every way, in the same order) and
/// problem by problem.
/// </summary>
public sealed class FactLedgerTests
{
    private static readonly FhirEvaluation Evaluation = new(TerminologyMap.Default, EligibilityPolicy.Default);
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Seeds() =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "seeds"), "*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_seed_s_events_in_any_order_with_duplicates_conflicts_and_deletions_give_what_merging_the_record_gives(string file)
    {
        var parsed = FhirInput.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "seeds", file)));
        var resources = FhirInput.Resources(parsed.Resource!);
        var patient = Evaluation.Evaluate(resources, AsOf)!.Mapping.Facts.Patient!;
        var facts = resources.Select(r => (Key: r.Reference, Facts: Evaluation.Mapper.MapResource(r, patient, AsOf, resources))).ToList();

        // Every fact twice under another key (a duplicate), and every other resource's facts again with other values
        // at the same instants (conflicts), so settling has something to settle.
        var variants = facts
            .Concat(facts.Select(f => (Key: $"{f.Key}-copy", f.Facts)))
            .Concat(facts.Where((_, i) => i % 2 == 0).Select(f => (Key: $"{f.Key}-other", Facts: Conflicting(f.Facts))))
            .ToList();

        for (var seed = 0; seed < 25; seed++)
        {
            Replay(new Random(seed), patient, variants, steps: 60);
        }

        // Held whole, the report is the report of the record merged in key order (the stored record's order), and
        // its statuses are those of the record in the Bundle's order.
        var ledger = new FactLedger();
        foreach (var (key, resourceFacts) in facts.OrderBy(_ => Guid.NewGuid()))
        {
            ledger.Set(key, resourceFacts);
        }

        var held = Evaluation.Evaluate(ledger.Build(patient), AsOf)!;
        var inKeyOrder = FactMapper.Merge(facts.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Facts), patient);
        held.Document.ToJson().Should().Be(Evaluation.Evaluate(inKeyOrder, AsOf)!.Document.ToJson());
        held.Report.Assessments.Select(a => (a.Therapy, a.Status)).Should().Equal(Evaluation.Evaluate(resources, AsOf)!.Report.Assessments.Select(a => (a.Therapy, a.Status)));
    }

    [Fact]
    public void Random_facts_of_every_kind_in_random_events_give_what_merging_the_record_gives()
    {
        for (var seed = 0; seed < 300; seed++)
        {
            var random = new Random(seed);
            var keys = Enumerable.Range(0, random.Next(1, 25)).Select(i => $"{(i % 3 == 0 ? "Condition" : "Observation")}/r{random.Next(40)}").Distinct().ToList();
            var variants = keys.SelectMany(key => Enumerable.Range(0, 3).Select(_ => (Key: key, Facts: RandomFacts(random, key, keys)))).ToList();
            Replay(random, "Patient/p1", variants, steps: 80);
        }
    }

    [Fact]
    public void Values_replaced_many_times_give_what_merging_the_record_gives()
    {
        // Every version a new value (some from another source than the resource): the series' table of values is
        // made again from the facts still held, many times over, and must still give each fact as it was added.
        var random = new Random(11);
        var keys = Enumerable.Range(0, 12).Select(i => $"Observation/lab-{i}").ToList();
        var current = new Dictionary<string, ResourceFacts>(StringComparer.Ordinal);
        var ledger = new FactLedger();
        for (var step = 0; step < 600; step++)
        {
            var key = keys[random.Next(keys.Count)];
            var facts = new ResourceFacts();
            facts.Intervals[FactKind.Bilirubin] =
            [
                new Fact<Interval>(Interval.Exactly(step / 100m), Start.AddDays(random.Next(6)), random.Next(5) == 0 ? $"Observation/elsewhere-{step}" : key, "mg/dL"),
            ];
            current[key] = facts;
            ledger.Set(key, facts, step);
            if (step % 25 == 0)
            {
                ShouldBeTheSame(ledger.Build("Patient/p1"), FactMapper.Merge(current.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Value), "Patient/p1"));
            }
        }

        ShouldBeTheSame(ledger.Build("Patient/p1"), FactMapper.Merge(current.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Value), "Patient/p1"));
    }

    [Fact]
    public void Facts_set_aside_and_put_back_leave_the_ledger_as_it_was()
    {
        // A CDS Hooks call overlays its own version of held resources for one build, then puts the held ones back.
        for (var seed = 0; seed < 100; seed++)
        {
            var random = new Random(seed);
            var keys = Enumerable.Range(0, random.Next(2, 15)).Select(i => $"Observation/r{i}").ToList();
            var record = keys.ToDictionary(k => k, k => RandomFacts(random, k, keys), StringComparer.Ordinal);
            var ledger = new FactLedger();
            foreach (var (key, facts) in record)
            {
                ledger.Set(key, facts, 3);
            }

            var before = ledger.EstimatedBytes;
            var overlaid = keys.Where(_ => random.Next(2) == 0).ToList();
            var aside = new List<FactLedger.Contributed>();
            foreach (var key in overlaid)
            {
                ledger.TryGet(key, out var held).Should().BeTrue();
                aside.Add(held!);
                ledger.Set(key, RandomFacts(random, key, keys));
            }

            ledger.Set("Observation/new", RandomFacts(random, "Observation/new", keys));
            ledger.Build("Patient/p1");
            ledger.Remove("Observation/new");
            foreach (var held in Enumerable.Reverse(aside))
            {
                ledger.Restore(held);
            }

            ShouldBeTheSame(ledger.Build("Patient/p1"), FactMapper.Merge(record.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => r.Value), "Patient/p1"));
            ledger.EstimatedBytes.Should().Be(before);
            foreach (var key in keys)
            {
                ledger.TryGetVersion(key, out var version).Should().BeTrue();
                version.Should().Be(3, "the version set aside is put back");
            }
        }
    }

    [Fact]
    public void The_ledger_s_size_follows_what_it_holds()
    {
        var ledger = new FactLedger();
        var random = new Random(7);
        ledger.Set("Observation/a", RandomFacts(random, "Observation/a", ["Observation/a"]));
        var one = ledger.EstimatedBytes;
        ledger.Set("Observation/b", RandomFacts(random, "Observation/b", ["Observation/b"]));

        ledger.EstimatedBytes.Should().BeGreaterThan(one);
        ledger.Set("Observation/b", RandomFacts(random, "Observation/b", ["Observation/b"]), version: 7);
        ledger.TryGetVersion("Observation/b", out var version).Should().BeTrue();
        version.Should().Be(7, "the ledger keeps the stored version each resource's facts are of");
        ledger.Remove("Observation/b");
        ledger.TryGetVersion("Observation/b", out _).Should().BeFalse();
        ledger.EstimatedBytes.Should().Be(one);
        ledger.Remove("Observation/a");
        ledger.EstimatedBytes.Should().Be(0);
        ledger.Count.Should().Be(0);
    }

    /// <summary>
    /// Random events (a version of a resource's facts, or its deletion) delivered in random order; the store keeps the
    /// newest version of each resource; every few events the ledger catches up with what changed (in random order),
    /// sometimes a new ledger is built from the whole store (an evicted state); each time it must equal the merge.
    /// </summary>
    private static void Replay(Random random, string patient, List<(string Key, ResourceFacts Facts)> variants, int steps)
    {
        var events = new List<(string Key, long Version, ResourceFacts? Facts)>();
        for (var i = 0; i < steps; i++)
        {
            var (key, facts) = variants[random.Next(variants.Count)];
            events.Add((key, i + 1, random.Next(6) == 0 ? null : facts));
        }

        // Out of order: shuffled in windows, so late, older versions arrive after newer ones.
        var delivered = events.Chunk(8).SelectMany(window => window.OrderBy(_ => random.Next())).ToList();
        var store = new Dictionary<string, (long Version, ResourceFacts? Facts)>(StringComparer.Ordinal);
        var changed = new HashSet<string>(StringComparer.Ordinal);
        var ledger = new FactLedger();
        foreach (var (key, version, facts) in delivered)
        {
            if (!store.TryGetValue(key, out var stored) || stored.Version < version)
            {
                store[key] = (version, facts);
                changed.Add(key);
            }

            if (random.Next(3) == 0)
            {
                continue;
            }

            if (random.Next(15) == 0)
            {
                ledger = new FactLedger();
                changed = [.. store.Keys];
            }

            foreach (var key2 in changed.OrderBy(_ => random.Next()))
            {
                if (store[key2].Facts is { } current)
                {
                    ledger.Set(key2, current);
                }
                else
                {
                    ledger.Remove(key2);
                }
            }

            changed.Clear();
            var record = store.Where(s => s.Value.Facts is not null).OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => s.Value.Facts!).ToList();
            ShouldBeTheSame(ledger.Build(patient), FactMapper.Merge(record, patient));
            ledger.Count.Should().Be(record.Count);
        }
    }

    private static void ShouldBeTheSame(FactMapping actual, FactMapping expected)
    {
        actual.Problems.Should().Equal(expected.Problems);
        actual.Facts.Patient.Should().Be(expected.Facts.Patient);
        actual.Facts.BirthDate.Should().BeSameAs(expected.Facts.BirthDate);
        foreach (var property in typeof(PatientFacts).GetProperties().Where(p => p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(IReadOnlyList<>)))
        {
            var got = ((IEnumerable)property.GetValue(actual.Facts)!).Cast<object>().ToList();
            var want = ((IEnumerable)property.GetValue(expected.Facts)!).Cast<object>().ToList();
            got.Count.Should().Be(want.Count, property.Name);
            for (var i = 0; i < want.Count; i++)
            {
                ShouldBeExactly(got[i], want[i], $"{property.Name}[{i}]");
            }
        }
    }

    /// <summary>
    /// The same fact: the kinds the ledger holds as objects give the merged fact itself; the series (made again from
    /// compact entries at each build) an equal one that shows the same in every way: the instant with its offset, the
    /// value as written (an interval's bounds with their scale), the source and the unit.
    /// </summary>
    private static void ShouldBeExactly(object got, object want, string because)
    {
        if (ReferenceEquals(got, want))
        {
            return;
        }

        got.Should().Be(want, because);
        got.GetType().Should().Be(want.GetType(), because);
        var properties = want.GetType().GetProperties();
        foreach (var property in properties)
        {
            var (a, b) = (property.GetValue(got), property.GetValue(want));
            (a switch
            {
                DateTimeOffset at => at.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                Interval value => $"{value.Low}|{value.LowInclusive}|{value.High}|{value.HighInclusive}|{value.Written}",
                _ => a?.ToString(),
            }).Should().Be(b switch
            {
                DateTimeOffset at => at.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                Interval value => $"{value.Low}|{value.LowInclusive}|{value.High}|{value.HighInclusive}|{value.Written}",
                _ => b?.ToString(),
            }, $"{because}.{property.Name}");
        }
    }

    /// <summary>The same facts with other values at the same instants (and the same sources): conflicts when merged.</summary>
    private static ResourceFacts Conflicting(ResourceFacts facts) => facts with
    {
        Intervals = facts.Intervals.ToDictionary(k => k.Key, k => k.Value.Select(f => f with { Value = Interval.Exactly((f.Value.Exact ?? 0) + 1) }).ToList()),
        Integers = facts.Integers.ToDictionary(k => k.Key, k => k.Value.Select(f => f with { Value = f.Value + 1 }).ToList()),
        Ki67 = [.. facts.Ki67.Select(v => v with { Value = Interval.Exactly((v.Value.Exact ?? 0) + 1) })],
        PrimarySites = [.. facts.PrimarySites.Select(f => f with { Value = f.Value == PrimarySite.Pancreas ? PrimarySite.Colon : PrimarySite.Pancreas })],
        Problems = [],
    };

    /// <summary>A few facts of every kind, at a few instants, with a few values and sources, so they collide often.</summary>
    private static ResourceFacts RandomFacts(Random random, string key, List<string> keys)
    {
        var facts = new ResourceFacts { Live = random.Next(10) == 0 };
        // The same instant is sometimes written in another offset: one instant for settling, shown as written.
        DateTimeOffset At() => Start.AddDays(random.Next(4)).ToOffset(TimeSpan.FromHours(random.Next(3) == 0 ? random.Next(-5, 6) : 0));

        // Equal values are sometimes written with another scale (1 and 1.0): one value for settling, kept as written.
        Interval Value() => random.Next(5) switch
        {
            0 => Interval.Exactly(random.Next(3) + 0.0m),
            1 => Interval.From(random.Next(3), Comparator.GreaterThan),
            2 => Interval.Between(random.Next(2), 2),
            _ => Interval.Exactly(random.Next(3)),
        };
        string Source() => random.Next(4) == 0 ? keys[random.Next(keys.Count)] : key;
        List<T> Some<T>(Func<T> make) => [.. Enumerable.Range(0, random.Next(4) == 0 ? random.Next(1, 4) : 0).Select(_ => make())];

        if (random.Next(6) == 0)
        {
            facts.BirthDate = new Fact<DateOnly>(new DateOnly(1950 + random.Next(3), 1, 1), At(), Source());
        }

        facts.Conditions = Some(() => new Fact<ConditionKind>((ConditionKind)random.Next(3), At(), Source()));
        facts.PrimarySites = Some(() => new Fact<PrimarySite>((PrimarySite)random.Next(3), At(), Source()));
        facts.Differentiation = Some(() => new Fact<Differentiation>((Differentiation)random.Next(2), At(), Source()));
        facts.Ki67 = Some(() => new PathologyValue(Interval.Exactly(random.Next(3)), At(), Source(), random.Next(2) == 0 ? null : "s1"));
        facts.MitoticCount = Some(() => new PathologyValue(Interval.Exactly(random.Next(3)), At(), Source()));
        facts.ChromograninA = Some(() => new ChromograninMeasurement(Interval.Exactly(random.Next(3)), (ChromograninUnit)random.Next(2), null, At(), Source(), random.Next(2) == 0 ? null : "kit"));
        facts.DiseaseStatus = Some(() => new Fact<DiseaseStatus>((DiseaseStatus)random.Next(3), At(), Source()));
        facts.LesionDistribution = Some(() => new Fact<LesionDistribution>((LesionDistribution)random.Next(2), At(), Source()));
        facts.PortalVein = Some(() => new Fact<PortalVeinStatus>((PortalVeinStatus)random.Next(3), At(), Source()));
        facts.ExtrahepaticDisease = Some(() => new Fact<ExtrahepaticDisease>((ExtrahepaticDisease)random.Next(3), At(), Source()));
        facts.Procedures = Some(() => new Fact<ProcedureKind>((ProcedureKind)random.Next(3), At(), Source()));
        facts.Medications = Some(() => new Fact<MedicationUse>(new MedicationUse((MedicationKind)random.Next(2), random.Next(2) == 0), At(), Source()));

        // Kinds FactSettling reads, and one it does not (an integer bilirubin): the latter must be ignored alike.
        foreach (var kind in new[] { FactKind.Bilirubin, FactKind.Albumin, FactKind.LesionCount, FactKind.PrimaryTumourSize, FactKind.Ecog })
        {
            if (Some(() => new Fact<Interval>(Value(), At(), Source(), random.Next(3) == 0 ? null : "mg/dL")) is { Count: > 0 } list)
            {
                facts.Intervals[kind] = list;
            }
        }

        foreach (var kind in new[] { FactKind.Ecog, FactKind.Karnofsky, FactKind.SstrUptake, FactKind.Bilirubin })
        {
            if (Some(() => new Fact<int>(random.Next(3), At(), Source())) is { Count: > 0 } list)
            {
                facts.Integers[kind] = list;
            }
        }

        foreach (var kind in new[] { FactKind.BoneMetastases, FactKind.MibgUptake, FactKind.FutureLiverRemnantAdequate })
        {
            if (Some(() => new Fact<bool>(random.Next(2) == 0, At(), Source())) is { Count: > 0 } list)
            {
                facts.Booleans[kind] = list;
            }
        }

        facts.Problems = Some(() => new DataProblem(key, "Observation.value", DataProblemKind.UnusableValue, $"problem {random.Next(3)}"));
        return facts;
    }
}

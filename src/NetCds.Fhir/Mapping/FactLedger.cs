using NetCds.Domain.Facts;

namespace NetCds.Fhir.Mapping;

/// <summary>
/// A patient's facts kept incrementally (issue 19): each resource's <see cref="ResourceFacts"/> is added, replaced or
/// removed on its own, and the settled facts are held per kind, grouped by instant, so a change costs the facts of
/// the resource that changed (plus a copy of the lists of the kinds it touched), not a settling of the whole record.
/// <see cref="Build"/> gives exactly what <see cref="FactMapper.Merge"/> gives for the held resources' facts in
/// ordinal order of their keys (type/id): the same facts, the same order of every list (first occurrence in that
/// order, as <see cref="FactSettling"/> groups them), the same conflict reports, after the resources' own problems.
/// Not thread-safe: one writer at a time.
/// </summary>
public sealed class FactLedger
{
    // Measured by reasoning on the shapes held (issue 19): a kept ResourceFacts with its empty collections is most of a
    // kilobyte, each fact adds its value, source and settling group. An underestimate let the cache hold more than its
    // budget said; the pipeline load then showed RSS over 1 GB.
    private const int BytesPerResource = 900;
    private const int BytesPerFact = 300;

    private readonly Dictionary<string, ResourceFacts> _resources = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _withBirthDate = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, List<DataProblem>> _problems = new(StringComparer.Ordinal);
    private readonly Slot[] _settled;
    private readonly Slot<Fact<ConditionKind>> _conditions = Distinct(r => r.Conditions);
    private readonly Slot<Fact<ProcedureKind>> _procedures = Distinct(r => r.Procedures);
    private readonly Slot<Fact<MedicationUse>> _medications = Distinct(r => r.Medications);
    private IReadOnlyList<DataProblem>? _resourceProblems;

    public FactLedger()
    {
        // In the order FactSettling.Build settles them: conflicts are reported in this order.
        _settled =
        [
            Settle(r => r.PrimarySites, "primary site"),
            Settle(r => r.Differentiation, "differentiation"),
            Pathology(r => r.Ki67, "Ki-67"),
            Pathology(r => r.MitoticCount, "mitotic count"),
            new Slot<ChromograninMeasurement, (DateTimeOffset, ChromograninUnit, string?), Interval>(
                r => r.ChromograninA, v => (v.Effective, v.Unit, v.Assay), v => v.Value, v => v.Source, "chromogranin A"),
            Quantity(FactKind.Urinary5Hiaa),
            Quantity(FactKind.Bilirubin),
            Quantity(FactKind.Albumin),
            Quantity(FactKind.Inr),
            Quantity(FactKind.Creatinine),
            Quantity(FactKind.CreatinineClearance),
            Quantity(FactKind.Platelets),
            Quantity(FactKind.Neutrophils),
            Quantity(FactKind.Haemoglobin),
            Quantity(FactKind.WhiteCellCount),
            Integer(FactKind.Ecog),
            Integer(FactKind.Karnofsky),
            Settle(r => r.DiseaseStatus, "disease status"),
            Quantity(FactKind.LesionCount),
            Quantity(FactKind.LargestLesion),
            Quantity(FactKind.LesionDiameterSum),
            Quantity(FactKind.TumourBurden),
            Settle(r => r.LesionDistribution, "lesion distribution"),
            Settle(r => r.PortalVein, "portal vein status"),
            Settle(r => r.ExtrahepaticDisease, "extrahepatic disease"),
            Boolean(FactKind.BoneMetastases),
            Boolean(FactKind.LesionNearMajorVessel),
            Boolean(FactKind.LesionNearVitalStructure),
            Boolean(FactKind.LesionAtHilum),
            Integer(FactKind.SstrUptake),
            Boolean(FactKind.MibgUptake),
            Quantity(FactKind.LungShuntFraction),
            Quantity(FactKind.ResectableFraction),
            Boolean(FactKind.FutureLiverRemnantAdequate),
            Quantity(FactKind.PrimaryTumourSize),
        ];
    }

    /// <summary>How many resources contribute.</summary>
    public int Count => _resources.Count;

    /// <summary>A rough size of what is held, in bytes, for a cache bounded in bytes.</summary>
    public long EstimatedBytes { get; private set; }

    public bool Contains(string key) => _resources.ContainsKey(key);

    /// <summary>The facts the resource contributes now, so a caller that sets others for a while can put them back (issue 20).</summary>
    public bool TryGet(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out ResourceFacts facts) => _resources.TryGetValue(key, out facts);

    /// <summary>The resource's facts now (replacing what it contributed before).</summary>
    public void Set(string key, ResourceFacts facts)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(facts);
        Remove(key);
        _resources[key] = facts;
        if (facts.BirthDate is not null)
        {
            _withBirthDate.Add(key);
        }

        if (facts.Problems.Count > 0)
        {
            _problems[key] = facts.Problems;
            _resourceProblems = null;
        }

        var count = facts.Problems.Count;
        foreach (var slot in AllSlots())
        {
            count += slot.Add(key, facts);
        }

        EstimatedBytes += Size(key, count);
    }

    /// <summary>The resource contributes nothing any more (deleted, or about another patient now).</summary>
    public void Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_resources.Remove(key, out var facts))
        {
            return;
        }

        _withBirthDate.Remove(key);
        if (_problems.Remove(key))
        {
            _resourceProblems = null;
        }

        var count = facts.Problems.Count;
        foreach (var slot in AllSlots())
        {
            count += slot.Remove(key, facts);
        }

        EstimatedBytes -= Size(key, count);
    }

    /// <summary>What <see cref="FactMapper.Merge"/> of the held facts, in ordinal order of their keys, gives.</summary>
    public FactMapping Build(string? patient)
    {
        _resourceProblems ??= [.. _problems.Values.SelectMany(p => p)];
        var conflicts = new List<DataProblem>();
        foreach (var slot in _settled)
        {
            slot.Refresh();
            conflicts.AddRange(slot.Conflicts);
        }

        var s = _settled;
        var facts = new PatientFacts
        {
            Patient = patient,
            BirthDate = _withBirthDate.Count > 0 ? _resources[_withBirthDate.Max!].BirthDate : null,
            Conditions = _conditions.Output,
            PrimarySites = Out<Fact<PrimarySite>>(s[0]),
            Differentiation = Out<Fact<Differentiation>>(s[1]),
            Ki67 = Out<PathologyValue>(s[2]),
            MitoticCount = Out<PathologyValue>(s[3]),
            ChromograninA = Out<ChromograninMeasurement>(s[4]),
            Urinary5Hiaa = Out<Fact<Interval>>(s[5]),
            Bilirubin = Out<Fact<Interval>>(s[6]),
            Albumin = Out<Fact<Interval>>(s[7]),
            Inr = Out<Fact<Interval>>(s[8]),
            Creatinine = Out<Fact<Interval>>(s[9]),
            CreatinineClearance = Out<Fact<Interval>>(s[10]),
            Platelets = Out<Fact<Interval>>(s[11]),
            Neutrophils = Out<Fact<Interval>>(s[12]),
            Haemoglobin = Out<Fact<Interval>>(s[13]),
            WhiteCellCount = Out<Fact<Interval>>(s[14]),
            Ecog = Out<Fact<int>>(s[15]),
            Karnofsky = Out<Fact<int>>(s[16]),
            DiseaseStatus = Out<Fact<DiseaseStatus>>(s[17]),
            LesionCount = Out<Fact<Interval>>(s[18]),
            LargestLesion = Out<Fact<Interval>>(s[19]),
            LesionDiameterSum = Out<Fact<Interval>>(s[20]),
            TumourBurden = Out<Fact<Interval>>(s[21]),
            LesionDistribution = Out<Fact<LesionDistribution>>(s[22]),
            PortalVein = Out<Fact<PortalVeinStatus>>(s[23]),
            ExtrahepaticDisease = Out<Fact<ExtrahepaticDisease>>(s[24]),
            BoneMetastases = Out<Fact<bool>>(s[25]),
            LesionNearMajorVessel = Out<Fact<bool>>(s[26]),
            LesionNearVitalStructure = Out<Fact<bool>>(s[27]),
            LesionAtHilum = Out<Fact<bool>>(s[28]),
            SstrUptake = Out<Fact<int>>(s[29]),
            MibgUptake = Out<Fact<bool>>(s[30]),
            LungShuntFraction = Out<Fact<Interval>>(s[31]),
            ResectableFraction = Out<Fact<Interval>>(s[32]),
            FutureLiverRemnantAdequate = Out<Fact<bool>>(s[33]),
            PrimaryTumourSize = Out<Fact<Interval>>(s[34]),
            Procedures = _procedures.Output,
            Medications = _medications.Output,
        };
        IReadOnlyList<DataProblem> problems = conflicts.Count == 0 ? _resourceProblems : [.. _resourceProblems, .. conflicts];
        return new FactMapping(facts, problems);
    }

    private static long Size(string key, int facts) => BytesPerResource + (2L * key.Length) + ((long)BytesPerFact * facts);

    private IEnumerable<Slot> AllSlots()
    {
        yield return _conditions;
        yield return _procedures;
        yield return _medications;
        foreach (var slot in _settled)
        {
            yield return slot;
        }
    }

    private static IReadOnlyList<T> Out<T>(Slot slot)
    {
        slot.Refresh();
        return ((Slot<T>)slot).Output;
    }

    private static Slot<Fact<T>, (T, DateTimeOffset, string), int> Distinct<T>(Func<ResourceFacts, IReadOnlyList<Fact<T>>?> select) =>
        new Slot<Fact<T>, (T, DateTimeOffset, string), int>(select, f => (f.Value, f.Effective, f.Source), _ => 0, f => f.Source, "");

    private static Slot<Fact<T>, DateTimeOffset, T> Settle<T>(Func<ResourceFacts, IReadOnlyList<Fact<T>>?> select, string what) =>
        new Slot<Fact<T>, DateTimeOffset, T>(select, f => f.Effective, f => f.Value, f => f.Source, what);

    private static Slot<PathologyValue, (DateTimeOffset, string?), Interval> Pathology(Func<ResourceFacts, IReadOnlyList<PathologyValue>?> select, string what) =>
        new Slot<PathologyValue, (DateTimeOffset, string?), Interval>(select, v => (v.Effective, v.Specimen), v => v.Value, v => v.Source, what);

    private static Slot<Fact<Interval>, DateTimeOffset, Interval> Quantity(FactKind kind) => Settle(r => r.Intervals.GetValueOrDefault(kind), kind.ToString());

    private static Slot<Fact<int>, DateTimeOffset, int> Integer(FactKind kind) => Settle(r => r.Integers.GetValueOrDefault(kind), kind.ToString());

    private static Slot<Fact<bool>, DateTimeOffset, bool> Boolean(FactKind kind) => Settle(r => r.Booleans.GetValueOrDefault(kind), kind.ToString());

    /// <summary>Where a fact stands in record order: its resource's key (ordinal), then its place in the resource's list.</summary>
    private readonly record struct Position(string Resource, int Index) : IComparable<Position>
    {
        public int CompareTo(Position other)
        {
            var byResource = string.CompareOrdinal(Resource, other.Resource);
            return byResource != 0 ? byResource : Index.CompareTo(other.Index);
        }
    }

    private abstract class Slot
    {
        public IReadOnlyList<DataProblem> Conflicts { get; protected set; } = [];

        /// <summary>Adds the resource's facts of this kind; returns how many.</summary>
        public abstract int Add(string key, ResourceFacts facts);

        /// <summary>Removes the resource's facts of this kind; returns how many.</summary>
        public abstract int Remove(string key, ResourceFacts facts);

        /// <summary>Settles again what changed since the last call.</summary>
        public abstract void Refresh();
    }

    private abstract class Slot<T> : Slot
    {
        public IReadOnlyList<T> Output
        {
            get
            {
                Refresh();
                return Settled;
            }
        }

        protected IReadOnlyList<T> Settled { get; set; } = [];
    }

    /// <summary>
    /// One kind's facts grouped by instant (<typeparamref name="TKey"/>), the groups in order of their first fact, as
    /// <c>GroupBy</c> over the record gives them; a group with one value is settled to its first fact, one with more
    /// values is a conflict (FactSettling.SettleBy).
    /// </summary>
    private sealed class Slot<T, TKey, TValue> : Slot<T>
        where TKey : notnull
    {
        private readonly Func<ResourceFacts, IReadOnlyList<T>?> _select;
        private readonly Func<T, TKey> _instant;
        private readonly Func<T, TValue> _value;
        private readonly Func<T, string> _source;
        private readonly string _what;
        private readonly Dictionary<TKey, Group> _groups = [];
        private readonly SortedSet<Group> _ordered = new(Comparer<Group>.Create((a, b) => a.First.CompareTo(b.First)));
        private bool _dirty;

        public Slot(Func<ResourceFacts, IReadOnlyList<T>?> select, Func<T, TKey> instant, Func<T, TValue> value, Func<T, string> source, string what)
        {
            _select = select;
            _instant = instant;
            _value = value;
            _source = source;
            _what = what;
        }

        public override int Add(string key, ResourceFacts facts)
        {
            var items = _select(facts);
            if (items is null || items.Count == 0)
            {
                return 0;
            }

            for (var i = 0; i < items.Count; i++)
            {
                var instant = _instant(items[i]);
                if (!_groups.TryGetValue(instant, out var group))
                {
                    _groups[instant] = group = new Group();
                }
                else
                {
                    _ordered.Remove(group);
                }

                group.Members.Add(new Position(key, i), items[i]);
                group.Settle(this);
                _ordered.Add(group);
            }

            _dirty = true;
            return items.Count;
        }

        public override int Remove(string key, ResourceFacts facts)
        {
            var items = _select(facts);
            if (items is null || items.Count == 0)
            {
                return 0;
            }

            for (var i = 0; i < items.Count; i++)
            {
                var instant = _instant(items[i]);
                var group = _groups[instant];
                _ordered.Remove(group);
                group.Members.Remove(new Position(key, i));
                if (group.Members.Count == 0)
                {
                    _groups.Remove(instant);
                }
                else
                {
                    group.Settle(this);
                    _ordered.Add(group);
                }
            }

            _dirty = true;
            return items.Count;
        }

        public override void Refresh()
        {
            if (!_dirty)
            {
                return;
            }

            var settled = new List<T>(_ordered.Count);
            var conflicts = new List<DataProblem>();
            foreach (var group in _ordered)
            {
                if (group.Conflicts is null)
                {
                    settled.Add(group.Members.Values[0]);
                }
                else
                {
                    conflicts.AddRange(group.Conflicts);
                }
            }

            Settled = settled;
            Conflicts = conflicts;
            _dirty = false;
        }

        private sealed class Group
        {
            public SortedList<Position, T> Members { get; } = [];

            public Position First => Members.Keys[0];

            /// <summary>Null when the group has one value (settled to its first fact).</summary>
            public List<DataProblem>? Conflicts { get; private set; }

            public void Settle(Slot<T, TKey, TValue> slot)
            {
                var members = Members.Values;
                var values = members.DistinctBy(slot._value).ToList();
                if (values.Count == 1)
                {
                    Conflicts = null;
                    return;
                }

                // The same report, word for word, FactSettling.SettleBy gives.
                var sources = string.Join(", ", members.Select(slot._source).Distinct());
                Conflicts = [.. members.DistinctBy(slot._source).Select(item => new DataProblem(slot._source(item), null, DataProblemKind.Conflict,
                    $"conflicting {slot._what} values at the same time ({string.Join(" vs ", values.Select(slot._value))}; {sources}): none used"))];
            }
        }
    }
}

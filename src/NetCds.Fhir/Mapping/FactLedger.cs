using NetCds.Domain.Facts;

namespace NetCds.Fhir.Mapping;

/// <summary>
/// A patient's facts kept incrementally (issue 19): each resource's <see cref="ResourceFacts"/> is added, replaced or
/// removed on its own, and the settled facts are held per kind, grouped by instant, so a change costs the facts of
/// the resource that changed, not a settling of the whole record.
/// <see cref="Build"/> gives exactly what <see cref="FactMapper.Merge"/> gives for the held resources' facts in
/// ordinal order of their keys (type/id): equal facts (the same values, instants with their offsets, sources and
/// units), the same order of every list (first occurrence in that order, as <see cref="FactSettling"/> groups them),
/// the same conflict reports, after the resources' own problems. The kinds settled by instant alone (every
/// <c>Fact&lt;T&gt;</c> series: lab values, scores, statuses) are held as compact entries (<see cref="Series{TValue}"/>)
/// and their facts are made again at each <see cref="Build"/>; the rarer kinds keep their fact objects.
/// Not thread-safe: one writer at a time.
/// </summary>
public sealed partial class FactLedger
{
    // Calibrated against the heap (FactLedgerMemoryTests: 10,000 bilirubin values read back from their kept JSON, 162
    // bytes a resource measured, the estimate within 0.85-1.15x of it): per resource its key (its length counted apart)
    // and its row in the table of resources (Resources); per fact of a series its entry and its places in the two
    // orders, with the slack of arrays grown by half (values, units and sources other than the key are shared: Series);
    // per fact of another kind (and per problem) the object itself, its settling group, its place in the dictionary by
    // instant and in the ordered and settled lists.
    // A resource's row grew by 8 bytes for its stored meta.lastUpdated (issue 20: a hook call compares the call's copies
    // with it in memory); with the rows' slack, 10 bytes a resource.
    private const int BytesPerResource = 74;
    private const int BytesPerSeriesFact = 40;
    private const int BytesPerFact = 320;

    private readonly Resources _resources = new();

    /// <summary>The birth dates by resource, in key order: the last one is the patient's (FactSettling).</summary>
    private readonly SortedList<string, Fact<DateOnly>> _birthDates = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, List<DataProblem>> _problems = new(StringComparer.Ordinal);
    private readonly Slot[] _settled;
    private readonly Slot<Fact<ConditionKind>> _conditions = Distinct(r => r.Conditions);
    private readonly Slot<Fact<ProcedureKind>> _procedures = Distinct(r => r.Procedures);
    private readonly Slot<Fact<MedicationUse>> _medications = Distinct(r => r.Medications);

    /// <summary>Every slot, in the order a resource's facts are added to them.</summary>
    private readonly Slot[] _all;
    private IReadOnlyList<DataProblem>? _resourceProblems;

    public FactLedger()
    {
        // In the order FactSettling.Build settles them: conflicts are reported in this order.
        _settled =
        [
            Settle<PrimarySite>(r => r.PrimarySites, "primary site"),
            Settle<Differentiation>(r => r.Differentiation, "differentiation"),
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
            Settle<DiseaseStatus>(r => r.DiseaseStatus, "disease status"),
            Quantity(FactKind.LesionCount),
            Quantity(FactKind.LargestLesion),
            Quantity(FactKind.LesionDiameterSum),
            Quantity(FactKind.TumourBurden),
            Settle<LesionDistribution>(r => r.LesionDistribution, "lesion distribution"),
            Settle<PortalVeinStatus>(r => r.PortalVein, "portal vein status"),
            Settle<ExtrahepaticDisease>(r => r.ExtrahepaticDisease, "extrahepatic disease"),
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
        _all = [_conditions, _procedures, _medications, .. _settled];
    }

    /// <summary>How many resources contribute.</summary>
    public int Count => _resources.Count;

    /// <summary>
    /// The size of what is held, in bytes, for a cache bounded in bytes: calibrated against the heap
    /// (<c>FactLedgerMemoryTests</c>), the facts themselves included.
    /// </summary>
    public long EstimatedBytes { get; private set; }

    public bool Contains(string key) => _resources.ContainsKey(key);

    /// <summary>
    /// What the resource contributes now, set aside so that a caller that sets other facts for it for a while can put
    /// them back exactly (<see cref="Restore"/>): a CDS Hooks call overlays its own resources' facts for one build
    /// (issue 20).
    /// </summary>
    public bool TryGet(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Contributed contributed)
    {
        if (!_resources.TryGetValue(key, out var held))
        {
            contributed = null;
            return false;
        }

        var parts = Parts(held.Items).Select(part => new Contribution(part.Slot, part.Slot.Detach(key, part.Items))).ToArray();
        contributed = new Contributed(key, held.Version, held.LastUpdated, _birthDates.GetValueOrDefault(key), parts, _problems.GetValueOrDefault(key));
        return true;
    }

    /// <summary>Puts back what <see cref="TryGet"/> set aside, replacing what the resource contributes now.</summary>
    public void Restore(Contributed contributed)
    {
        ArgumentNullException.ThrowIfNull(contributed);
        var key = contributed.Key;
        Remove(key);
        var size = new Counts();
        var added = new List<Contribution>(contributed.Parts.Length);
        foreach (var part in contributed.Parts)
        {
            added.Add(Contribution.Of(part.Slot, part.Slot.Restore(key, part.Items, out var count)));
            size.Add(part.Slot, count);
        }

        _resources.Set(key, new Held(contributed.Version, contributed.LastUpdated, Compose(added)));
        if (contributed.BirthDate is { } birthDate)
        {
            _birthDates[key] = birthDate;
        }

        if (contributed.Problems is { Count: > 0 } problems)
        {
            size.Objects += problems.Count;
            _problems[key] = problems;
            _resourceProblems = null;
        }

        EstimatedBytes += Size(key, size);
    }

    /// <summary>The version <paramref name="key"/>'s facts were <see cref="Set(string, ResourceFacts, long)"/> with, when held.</summary>
    public bool TryGetVersion(string key, out long version)
    {
        var found = _resources.TryGetValue(key, out var held);
        version = held.Version;
        return found;
    }

    /// <summary>
    /// The stored meta.lastUpdated <paramref name="key"/>'s facts were <see cref="Set(string, ResourceFacts, long, DateTimeOffset?)"/>
    /// with, when held (null when it has none): a hook call compares its own copy with it (issue 20).
    /// </summary>
    public bool TryGetLastUpdated(string key, out DateTimeOffset? lastUpdated)
    {
        var found = _resources.TryGetValue(key, out var held);
        lastUpdated = found && held.LastUpdated != NoLastUpdated ? new DateTimeOffset(held.LastUpdated, TimeSpan.Zero) : null;
        return found;
    }

    /// <summary>The resource's facts now (replacing what it contributed before).</summary>
    public void Set(string key, ResourceFacts facts) => Set(key, facts, 0);

    /// <summary>The resource's facts now, of its stored <paramref name="version"/> (replacing what it contributed before).</summary>
    public void Set(string key, ResourceFacts facts, long version) => Set(key, facts, version, null);

    /// <summary>
    /// The resource's facts now, of its stored <paramref name="version"/> last updated at <paramref name="lastUpdated"/>
    /// (replacing what it contributed before).
    /// </summary>
    public void Set(string key, ResourceFacts facts, long version, DateTimeOffset? lastUpdated)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(facts);
        Remove(key);

        // The key is nearly always the facts' source too: held once, not twice for every resource.
        key = SharedKey(key, facts);
        var size = new Counts { Objects = facts.Problems.Count };
        List<Contribution>? added = null;
        foreach (var slot in _all)
        {
            if (slot.Add(key, facts, out var count) is not { } items)
            {
                continue;
            }

            (added ??= new List<Contribution>(1)).Add(Contribution.Of(slot, items));
            size.Add(slot, count);
        }

        _resources.Set(key, new Held(version, lastUpdated?.UtcTicks ?? NoLastUpdated, Compose(added)));
        if (facts.BirthDate is { } birthDate)
        {
            _birthDates[key] = birthDate;
        }

        if (facts.Problems.Count > 0)
        {
            _problems[key] = facts.Problems;
            _resourceProblems = null;
        }

        EstimatedBytes += Size(key, size);
    }

    /// <summary>The resource contributes nothing any more (deleted, or about another patient now).</summary>
    public void Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_resources.Remove(key, out var held))
        {
            return;
        }

        _birthDates.Remove(key);
        var size = new Counts();
        if (_problems.Remove(key, out var problems))
        {
            size.Objects += problems.Count;
            _resourceProblems = null;
        }

        foreach (var part in Parts(held.Items))
        {
            size.Add(part.Slot, part.Slot.Remove(key, part.Items));
        }

        EstimatedBytes -= Size(key, size);
    }

    /// <summary>What <see cref="FactMapper.Merge"/> of the held facts, in ordinal order of their keys, gives.</summary>
    public FactMapping Build(string? patient)
    {
        _resourceProblems ??= [.. _problems.Values.SelectMany(p => p)];
        var conflicts = new List<DataProblem>();
        var s = new object[_settled.Length];
        for (var i = 0; i < _settled.Length; i++)
        {
            s[i] = _settled[i].Settle(conflicts);
        }

        var facts = new PatientFacts
        {
            Patient = patient,
            BirthDate = _birthDates.Count > 0 ? _birthDates.Values[^1] : null,
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

    private static long Size(string key, Counts counts) =>
        BytesPerResource + (2L * key.Length) + ((long)BytesPerSeriesFact * counts.Series) + ((long)BytesPerFact * counts.Objects);

    /// <summary>What a resource's <see cref="Held.Items"/> holds: nothing, one contribution, or several.</summary>
    private static object? Compose(List<Contribution>? added) => added switch
    {
        null or [] => null,
        [var one] => one,
        _ => added.ToArray(),
    };

    private static Contribution[] Parts(object? items) => items switch
    {
        null => [],
        Contribution[] many => many,
        _ => ((Contribution)items).Alone,
    };

    private string SharedKey(string key, ResourceFacts facts)
    {
        foreach (var slot in _all)
        {
            if (slot.FirstSource(facts) is { } source)
            {
                return string.Equals(source, key, StringComparison.Ordinal) ? source : key;
            }
        }

        return key;
    }

    private static IReadOnlyList<T> Out<T>(object settled) => (IReadOnlyList<T>)settled;

    private static Slot<Fact<T>, (T, DateTimeOffset, string), int> Distinct<T>(Func<ResourceFacts, IReadOnlyList<Fact<T>>?> select) =>
        new Slot<Fact<T>, (T, DateTimeOffset, string), int>(select, f => (f.Value, f.Effective, f.Source), _ => 0, f => f.Source, "");

    private static Series<T> Settle<T>(Func<ResourceFacts, IReadOnlyList<Fact<T>>?> select, string what)
        where T : struct => new(select, what);

    private static Slot<PathologyValue, (DateTimeOffset, string?), Interval> Pathology(Func<ResourceFacts, IReadOnlyList<PathologyValue>?> select, string what) =>
        new Slot<PathologyValue, (DateTimeOffset, string?), Interval>(select, v => (v.Effective, v.Specimen), v => v.Value, v => v.Source, what);

    private static Series<Interval> Quantity(FactKind kind) => Settle(r => r.Intervals.GetValueOrDefault(kind), kind.ToString());

    private static Series<int> Integer(FactKind kind) => Settle(r => r.Integers.GetValueOrDefault(kind), kind.ToString());

    private static Series<bool> Boolean(FactKind kind) => Settle(r => r.Booleans.GetValueOrDefault(kind), kind.ToString());

    /// <summary>A resource's contribution set aside by <see cref="TryGet"/>, for <see cref="Restore"/>.</summary>
    public sealed class Contributed
    {
        internal Contributed(string key, long version, long lastUpdated, Fact<DateOnly>? birthDate, Contribution[] parts, List<DataProblem>? problems)
        {
            Key = key;
            Version = version;
            LastUpdated = lastUpdated;
            BirthDate = birthDate;
            Parts = parts;
            Problems = problems;
        }

        internal string Key { get; }

        internal long Version { get; }

        internal long LastUpdated { get; }

        internal Fact<DateOnly>? BirthDate { get; }

        /// <summary>Per slot the resource's facts themselves (a series' facts made again from its entries).</summary>
        internal Contribution[] Parts { get; }

        internal List<DataProblem>? Problems { get; }
    }

    /// <summary>
    /// What a resource contributed, kept only so that <see cref="Remove"/> can take it back (issue 19, deliverable 7):
    /// its version and its facts per slot: one <see cref="Contribution"/>, or an array of them for a resource that
    /// contributes to several kinds. A series finds a resource's facts by its key, so its contribution is the one the
    /// series shares between all its resources (<see cref="Series{TValue}"/>): nothing per resource.
    /// </summary>
    /// <remarks><see cref="LastUpdated"/>: the stored meta.lastUpdated in UTC ticks, <see cref="NoLastUpdated"/> when none.</remarks>
    private readonly record struct Held(long Version, long LastUpdated, object? Items);

    private const long NoLastUpdated = long.MinValue;

    /// <summary>A resource's facts in one slot: what <see cref="Slot.Add"/> returned for them.</summary>
    internal sealed class Contribution(FactLedger.Slot slot, object items)
    {
        public Slot Slot { get; } = slot;

        public object Items { get; } = items;

        /// <summary>This contribution as the only one (made once for a series' shared contribution).</summary>
        public Contribution[] Alone => field ??= [this];

        /// <summary>A series returns its shared contribution; another slot the resource's facts.</summary>
        public static Contribution Of(Slot slot, object items) => items as Contribution ?? new Contribution(slot, items);
    }

    /// <summary>How many facts of each storage a resource holds, for <see cref="EstimatedBytes"/>.</summary>
    private struct Counts
    {
        public int Series;
        public int Objects;

        public void Add(Slot slot, int count)
        {
            if (slot.IsSeries)
            {
                Series += count;
            }
            else
            {
                Objects += count;
            }
        }
    }

    /// <summary>Where a fact stands in record order: its resource's key (ordinal), then its place in the resource's list.</summary>
    private readonly record struct Position(string Resource, int Index) : IComparable<Position>
    {
        public int CompareTo(Position other)
        {
            var byResource = string.CompareOrdinal(Resource, other.Resource);
            return byResource != 0 ? byResource : Index.CompareTo(other.Index);
        }
    }

    internal abstract class Slot
    {
        /// <summary>Its facts are held as compact entries, not objects (<see cref="Series{TValue}"/>).</summary>
        public virtual bool IsSeries => false;

        /// <summary>
        /// Adds the resource's facts of this kind: returns what <see cref="Remove"/> needs to take them back, null when
        /// there are none; <paramref name="count"/> says how many.
        /// </summary>
        public abstract object? Add(string key, ResourceFacts facts, out int count);

        /// <summary>Removes the facts <see cref="Add"/> returned; returns how many.</summary>
        public abstract int Remove(string key, object items);

        /// <summary>The resource's facts themselves, from what <see cref="Add"/> returned, for <see cref="Restore"/>.</summary>
        public abstract object Detach(string key, object items);

        /// <summary>Adds again the facts <see cref="Detach"/> gave; returns what <see cref="Remove"/> needs.</summary>
        public abstract object Restore(string key, object facts, out int count);

        /// <summary>The source of the resource's first fact of this kind, if it has one.</summary>
        public abstract string? FirstSource(ResourceFacts facts);

        /// <summary>The settled facts (an <c>IReadOnlyList</c> of the kind's facts); adds the conflicts to <paramref name="conflicts"/>.</summary>
        public abstract object Settle(List<DataProblem> conflicts);
    }

    /// <summary>A slot of one kind of fact (<typeparamref name="T"/>): what every slot does with a resource's facts.</summary>
    private abstract class Kind<T>(Func<ResourceFacts, IReadOnlyList<T>?> select, Func<T, string> source) : Slot
    {
        public override string? FirstSource(ResourceFacts facts) => select(facts) is { Count: > 0 } items ? source(items[0]) : null;

        public override object? Add(string key, ResourceFacts facts, out int count)
        {
            var items = select(facts);
            count = items?.Count ?? 0;
            if (items is null || count == 0)
            {
                return null;
            }

            for (var i = 0; i < count; i++)
            {
                Insert(key, i, items[i]);
            }

            return Added(items);
        }

        /// <summary>Adds one of the resource's facts, the <paramref name="place"/>-th of its list.</summary>
        protected abstract void Insert(string key, int place, T item);

        /// <summary>What <see cref="Slot.Remove"/> needs to take back the resource's <paramref name="items"/>.</summary>
        protected abstract object Added(IReadOnlyList<T> items);
    }

    private abstract class Slot<T>(Func<ResourceFacts, IReadOnlyList<T>?> select, Func<T, string> source) : Kind<T>(select, source)
    {
        public IReadOnlyList<DataProblem> Conflicts { get; protected set; } = [];

        public IReadOnlyList<T> Output
        {
            get
            {
                Refresh();
                return Settled;
            }
        }

        protected IReadOnlyList<T> Settled { get; set; } = [];

        public override object Settle(List<DataProblem> conflicts)
        {
            Refresh();
            conflicts.AddRange(Conflicts);
            return Settled;
        }

        /// <summary>Settles again what changed since the last call.</summary>
        public abstract void Refresh();
    }

    /// <summary>
    /// One kind's facts grouped by <typeparamref name="TKey"/>, the groups in order of their first fact, as
    /// <c>GroupBy</c> over the record gives them; a group with one value is settled to its first fact, one with more
    /// values is a conflict (FactSettling.SettleBy). Holds the fact objects: used for the kinds a record has few of
    /// (conditions, procedures, courses, pathology, chromogranin A); the long series are <see cref="Series{TValue}"/>.
    /// </summary>
    private sealed class Slot<T, TKey, TValue> : Slot<T>
        where T : class
        where TKey : notnull
    {
        private readonly Func<T, TKey> _instant;
        private readonly Func<T, TValue> _value;
        private readonly Func<T, string> _source;
        private readonly string _what;
        private readonly Dictionary<TKey, Group> _groups = [];

        /// <summary>The groups in order of their first fact.</summary>
        private readonly List<Group> _ordered = [];
        private bool _dirty;

        public Slot(Func<ResourceFacts, IReadOnlyList<T>?> select, Func<T, TKey> instant, Func<T, TValue> value, Func<T, string> source, string what)
            : base(select, source)
        {
            _instant = instant;
            _value = value;
            _source = source;
            _what = what;
        }

        protected override void Insert(string key, int place, T item) => Add(new Position(key, place), item);

        protected override object Added(IReadOnlyList<T> items)
        {
            _dirty = true;
            return items.Count == 1 ? items[0] : items.ToArray();
        }

        public override object Detach(string key, object items) => items;

        public override object Restore(string key, object facts, out int count)
        {
            count = Each(key, facts, Add);
            return facts;
        }

        public override int Remove(string key, object items) => Each(key, items, Remove);

        /// <summary>Applies <paramref name="apply"/> to the facts <see cref="Kind{T}.Add"/> returned (one fact, or an array).</summary>
        private int Each(string key, object items, Action<Position, T> apply)
        {
            _dirty = true;
            if (items is T one)
            {
                apply(new Position(key, 0), one);
                return 1;
            }

            var many = (T[])items;
            for (var i = 0; i < many.Length; i++)
            {
                apply(new Position(key, i), many[i]);
            }

            return many.Length;
        }

        public override void Refresh()
        {
            if (!_dirty)
            {
                return;
            }

            // Copied at each change (a recompute's facts must not change under it), in segments below the
            // large-object threshold when the series is long.
            var settled = new SegmentedList<T>(_ordered.Count);
            var conflicts = new List<DataProblem>();
            foreach (var group in _ordered)
            {
                if (group.Conflicts is null)
                {
                    settled.Add(group.Item);
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

        private void Add(Position position, T item)
        {
            var instant = _instant(item);
            if (!_groups.TryGetValue(instant, out var group))
            {
                group = new Group(position, item);
                _groups.Add(instant, group);
                _ordered.Insert(~IndexOf(position), group);
                return;
            }

            if (group.Members is null)
            {
                group.Members = new SortedList<Position, T>(2) { { group.First, group.Item } };
            }

            group.Members.Add(position, item);
            if (position.CompareTo(group.First) < 0)
            {
                _ordered.RemoveAt(IndexOf(group.First));
                (group.First, group.Item) = (position, item);
                _ordered.Insert(~IndexOf(position), group);
            }

            group.Settle(this);
        }

        private void Remove(Position position, T item)
        {
            var instant = _instant(item);
            var group = _groups[instant];
            if (group.Members is null)
            {
                _groups.Remove(instant);
                _ordered.RemoveAt(IndexOf(group.First));
                return;
            }

            var wasFirst = position.CompareTo(group.First) == 0;
            var at = wasFirst ? IndexOf(group.First) : -1;
            group.Members.Remove(position);
            (group.First, group.Item) = (group.Members.Keys[0], group.Members.Values[0]);
            if (group.Members.Count == 1)
            {
                group.Members = null;
            }

            group.Settle(this);
            if (wasFirst)
            {
                _ordered.RemoveAt(at);
                _ordered.Insert(~IndexOf(group.First), group);
            }
        }

        /// <summary>The index of the group whose first fact is at <paramref name="position"/>, else its complement where it would go.</summary>
        private int IndexOf(Position position)
        {
            int low = 0, high = _ordered.Count - 1;
            while (low <= high)
            {
                var middle = low + ((high - low) / 2);
                var order = _ordered[middle].First.CompareTo(position);
                if (order == 0)
                {
                    return middle;
                }

                if (order < 0)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle - 1;
                }
            }

            return ~low;
        }

        /// <summary>The facts of one instant: the first (in record order) inline; all of them only when there are several.</summary>
        private sealed class Group(Position first, T item)
        {
            public Position First { get; set; } = first;

            /// <summary>The first fact: what the group settles to when it has one value.</summary>
            public T Item { get; set; } = item;

            /// <summary>Every fact of the instant, when there are more than one.</summary>
            public SortedList<Position, T>? Members { get; set; }

            /// <summary>Null when the group has one value (settled to its first fact).</summary>
            public List<DataProblem>? Conflicts { get; private set; }

            public void Settle(Slot<T, TKey, TValue> slot)
            {
                if (Members is null)
                {
                    Conflicts = null;
                    return;
                }

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

using NetCds.Domain.Facts;

namespace NetCds.Fhir.Mapping;

public sealed partial class FactLedger
{
    /// <summary>
    /// One kind of <c>Fact&lt;TValue&gt;</c> settled by instant alone (a lab value, a score, a status): the long series
    /// of a patient's record, held as 24-byte entries instead of a fact object and a group object per fact (issue 19,
    /// RSS). An entry is the resource's key (shared with the dictionary of resources), the instant as UTC ticks, the
    /// offset and the fact's place in its resource's list packed in one int, and the index of its value, unit and
    /// (when it is not the key) source in a table of the distinct ones: a bilirubin series has a few dozen values in
    /// one unit. Two orders of the entries' indexes are kept: record order (key, place), which is the order of the
    /// settled list, and instant order (instant, then record order), where the facts of one instant are neighbours,
    /// so the groups of <c>GroupBy</c> need no dictionary and no object. An entry whose instant has other facts is
    /// marked, so settling looks at groups only where there are some. The facts are made again at each
    /// <see cref="Settle"/>: what is held between recomputes is the entries only.
    /// </summary>
    private sealed class Series<TValue> : Kind<Fact<TValue>>
        where TValue : struct
    {
        private const int OffsetBias = 1024;
        private const int OffsetMask = 0x7FF;
        private const int Shared = 1 << 11;
        private const int PlaceShift = 12;
        private const int MaxPlace = int.MaxValue >> PlaceShift;

        private readonly string _what;
        private readonly Contribution _self;

        /// <summary>The entries; a free one has no key and is listed in <see cref="_free"/>.</summary>
        private Entry[] _entries = [];
        private int _used;
        private readonly Stack<int> _free = new();

        /// <summary>The entries' indexes in record order, then in instant order; <see cref="_count"/> of each.</summary>
        private int[] _byPosition = [];
        private int[] _byInstant = [];
        private int _count;

        private readonly List<Payload> _payloads = [];
        private readonly Dictionary<Payload, int> _payloadIndex = new(PayloadComparer.Instance);

        public Series(Func<ResourceFacts, IReadOnlyList<Fact<TValue>>?> select, string what)
            : base(select, fact => fact.Source)
        {
            _what = what;
            _self = new Contribution(this, this);
        }

        public override bool IsSeries => true;

        /// <summary>One contribution for every resource: the entries are found again by the key.</summary>
        protected override object Added(IReadOnlyList<Fact<TValue>> items) => _self;

        public override int Remove(string key, object items)
        {
            var (from, to) = RangeOf(key);
            for (var k = from; k < to; k++)
            {
                var entry = _byPosition[k];
                var at = InstantIndexOf(entry);
                Array.Copy(_byInstant, at + 1, _byInstant, at, _count - at - 1);
                _count--;
                UnmarkAfterRemoval(_entries[entry].UtcTicks);
                _entries[entry] = default;
                _free.Push(entry);
            }

            // _count already went down by the removed ones: the tail of the record order moves over them.
            Array.Copy(_byPosition, to, _byPosition, from, _count - from);
            ForgetUnusedPayloads();
            return to - from;
        }

        public override object Detach(string key, object items)
        {
            var (from, to) = RangeOf(key);
            var facts = new Fact<TValue>[to - from];
            for (var k = from; k < to; k++)
            {
                facts[k - from] = Make(_byPosition[k]);
            }

            return facts;
        }

        public override object Restore(string key, object facts, out int count)
        {
            var items = (Fact<TValue>[])facts;
            for (var i = 0; i < items.Length; i++)
            {
                Insert(key, i, items[i]);
            }

            count = items.Length;
            return _self;
        }

        public override object Settle(List<DataProblem> conflicts)
        {
            if (_count == 0)
            {
                return Array.Empty<Fact<TValue>>();
            }

            // A new list at each build (a recompute's facts must not change under it), in segments below the
            // large-object threshold when the series is long.
            var settled = new SegmentedList<Fact<TValue>>(_count);
            for (var k = 0; k < _count; k++)
            {
                var entry = _byPosition[k];
                if ((_entries[entry].Meta & Shared) == 0)
                {
                    settled.Add(Make(entry));
                    continue;
                }

                // A group is settled where its first fact (in record order) stands; its first in instant order.
                var (from, to) = InstantRange(_entries[entry].UtcTicks);
                if (_byInstant[from] == entry)
                {
                    SettleGroup(from, to, settled, conflicts);
                }
            }

            return settled;
        }

        /// <summary>The facts of one instant (FactSettling.SettleBy): one value settles to the first fact, more are a conflict.</summary>
        private void SettleGroup(int from, int to, SegmentedList<Fact<TValue>> settled, List<DataProblem> conflicts)
        {
            var members = new List<Fact<TValue>>(to - from);
            for (var k = from; k < to; k++)
            {
                members.Add(Make(_byInstant[k]));
            }

            var values = members.Select(m => m.Value).Distinct().ToList();
            if (values.Count == 1)
            {
                settled.Add(members[0]);
                return;
            }

            // The same report, word for word, FactSettling.SettleBy gives.
            var sources = string.Join(", ", members.Select(m => m.Source).Distinct());
            conflicts.AddRange(members.DistinctBy(m => m.Source).Select(m => new DataProblem(m.Source, null, DataProblemKind.Conflict,
                $"conflicting {_what} values at the same time ({string.Join(" vs ", values)}; {sources}): none used")));
        }

        protected override void Insert(string key, int place, Fact<TValue> fact)
        {
            if (place > MaxPlace)
            {
                throw new NotSupportedException($"more than {MaxPlace} {_what} facts in one resource");
            }

            var source = string.Equals(fact.Source, key, StringComparison.Ordinal) ? null : fact.Source;
            var offset = (int)fact.Effective.Offset.TotalMinutes + OffsetBias;
            var entry = new Entry
            {
                Key = key,
                UtcTicks = fact.Effective.UtcTicks,
                Payload = PayloadOf(new Payload(fact.Value, fact.Unit, source)),
                Meta = (place << PlaceShift) | offset,
            };

            if (_count == _byPosition.Length)
            {
                var length = Grown(_count);
                Array.Resize(ref _byPosition, length);
                Array.Resize(ref _byInstant, length);
            }

            var index = Allocate(entry);
            var byPosition = ~PositionSearch(key, place);
            var byInstant = ~InstantSearch(entry.UtcTicks, key, place);
            Array.Copy(_byPosition, byPosition, _byPosition, byPosition + 1, _count - byPosition);
            _byPosition[byPosition] = index;
            Array.Copy(_byInstant, byInstant, _byInstant, byInstant + 1, _count - byInstant);
            _byInstant[byInstant] = index;
            _count++;

            var (from, to) = InstantRange(entry.UtcTicks);
            if (to - from > 1)
            {
                for (var k = from; k < to; k++)
                {
                    _entries[_byInstant[k]].Meta |= Shared;
                }
            }
        }

        /// <summary>After a removal at <paramref name="ticks"/>: a fact left alone at its instant is no longer in a group.</summary>
        private void UnmarkAfterRemoval(long ticks)
        {
            var (from, to) = InstantRange(ticks);
            if (to - from == 1)
            {
                _entries[_byInstant[from]].Meta &= ~Shared;
            }
        }

        private int Allocate(Entry entry)
        {
            if (!_free.TryPop(out var index))
            {
                if (_used == _entries.Length)
                {
                    Array.Resize(ref _entries, Grown(_used));
                }

                index = _used++;
            }

            _entries[index] = entry;
            return index;
        }

        /// <summary>Arrays grow by half, not double: a long series is the bulk of the state, and so is its slack.</summary>
        private static int Grown(int length) => Math.Max(4, length + (length / 2));

        private Fact<TValue> Make(int index)
        {
            ref readonly var entry = ref _entries[index];
            var payload = _payloads[entry.Payload];
            var offset = TimeSpan.FromMinutes((entry.Meta & OffsetMask) - OffsetBias);
            return new Fact<TValue>(payload.Value, new DateTimeOffset(entry.UtcTicks + offset.Ticks, offset), payload.Source ?? entry.Key!, payload.Unit);
        }

        private int PayloadOf(Payload payload)
        {
            if (!_payloadIndex.TryGetValue(payload, out var index))
            {
                index = _payloads.Count;
                _payloads.Add(payload);
                _payloadIndex.Add(payload, index);
            }

            return index;
        }

        /// <summary>
        /// The table of values keeps what removed facts used until it is twice what the entries use: then it is made
        /// again from the entries, so a record whose values keep changing does not grow it for ever.
        /// </summary>
        private void ForgetUnusedPayloads()
        {
            if (_payloads.Count <= 64 || _payloads.Count <= 2 * _count)
            {
                return;
            }

            var old = _payloads.ToArray();
            _payloads.Clear();
            _payloadIndex.Clear();
            for (var k = 0; k < _count; k++)
            {
                ref var entry = ref _entries[_byPosition[k]];
                entry.Payload = PayloadOf(old[entry.Payload]);
            }

            _payloads.TrimExcess();
            _payloadIndex.TrimExcess();
        }

        /// <summary>Where the resource's entries are in record order: from (inclusive) to (exclusive).</summary>
        private (int From, int To) RangeOf(string key)
        {
            var from = ~PositionSearch(key, -1);
            var to = from;
            while (to < _count && string.Equals(_entries[_byPosition[to]].Key, key, StringComparison.Ordinal))
            {
                to++;
            }

            return (from, to);
        }

        /// <summary>Where the facts at <paramref name="ticks"/> are in instant order: from (inclusive) to (exclusive).</summary>
        private (int From, int To) InstantRange(long ticks)
        {
            int low = 0, high = _count;
            while (low < high)
            {
                var middle = low + ((high - low) / 2);
                if (_entries[_byInstant[middle]].UtcTicks < ticks)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }

            var to = low;
            while (to < _count && _entries[_byInstant[to]].UtcTicks == ticks)
            {
                to++;
            }

            return (low, to);
        }

        private int InstantIndexOf(int entry)
        {
            ref readonly var e = ref _entries[entry];
            return InstantSearch(e.UtcTicks, e.Key!, Place(e.Meta));
        }

        /// <summary>The index of the entry at (key, place) in record order, else the complement of where it would go.</summary>
        private int PositionSearch(string key, int place)
        {
            int low = 0, high = _count - 1;
            while (low <= high)
            {
                var middle = low + ((high - low) / 2);
                var order = ComparePosition(_byPosition[middle], key, place);
                if (order == 0)
                {
                    return middle;
                }

                (low, high) = order < 0 ? (middle + 1, high) : (low, middle - 1);
            }

            return ~low;
        }

        /// <summary>The index of the entry at (ticks, key, place) in instant order, else the complement of where it would go.</summary>
        private int InstantSearch(long ticks, string key, int place)
        {
            int low = 0, high = _count - 1;
            while (low <= high)
            {
                var middle = low + ((high - low) / 2);
                var index = _byInstant[middle];
                var order = _entries[index].UtcTicks.CompareTo(ticks);
                if (order == 0)
                {
                    order = ComparePosition(index, key, place);
                }

                if (order == 0)
                {
                    return middle;
                }

                (low, high) = order < 0 ? (middle + 1, high) : (low, middle - 1);
            }

            return ~low;
        }

        private int ComparePosition(int index, string key, int place)
        {
            ref readonly var entry = ref _entries[index];
            var byKey = string.CompareOrdinal(entry.Key, key);
            return byKey != 0 ? byKey : Place(entry.Meta).CompareTo(place);
        }

        private static int Place(int meta) => meta >>> PlaceShift;

        /// <summary>One fact: 24 bytes.</summary>
        private struct Entry
        {
            /// <summary>The resource's key; null for a free entry.</summary>
            public string? Key;
            public long UtcTicks;

            /// <summary>Its index in the table of values (<see cref="_payloads"/>).</summary>
            public int Payload;

            /// <summary>The place in the resource's list (high bits), <see cref="Shared"/>, and the offset in minutes plus <see cref="OffsetBias"/>.</summary>
            public int Meta;
        }

        /// <summary>What facts share: the value, the unit, and the source when it is not the resource's key.</summary>
        private readonly record struct Payload(TValue Value, string? Unit, string? Source);

        /// <summary>
        /// Payloads equal in every bit that shows: an <see cref="Interval"/>'s bounds also by their scale and sign
        /// (1.0 and 1.00 are equal values, written differently), so a fact made again is the fact that was added.
        /// </summary>
        private sealed class PayloadComparer : IEqualityComparer<Payload>
        {
            public static readonly PayloadComparer Instance = new();

            public bool Equals(Payload x, Payload y) =>
                EqualityComparer<TValue>.Default.Equals(x.Value, y.Value)
                && (x.Value is not Interval a || y.Value is not Interval b || (SameDigits(a.Low, b.Low) && SameDigits(a.High, b.High)))
                && string.Equals(x.Unit, y.Unit, StringComparison.Ordinal)
                && string.Equals(x.Source, y.Source, StringComparison.Ordinal);

            public int GetHashCode(Payload payload) => HashCode.Combine(payload.Value, payload.Unit, payload.Source);

            private static bool SameDigits(decimal? x, decimal? y) =>
                x is not { } a || y is not { } b || (a.Scale == b.Scale && decimal.IsNegative(a) == decimal.IsNegative(b));
        }
    }
}

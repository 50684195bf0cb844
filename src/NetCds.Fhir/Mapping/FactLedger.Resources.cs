namespace NetCds.Fhir.Mapping;

public sealed partial class FactLedger
{
    /// <summary>
    /// The held resources by key (ordinal): a hash table of 32-byte rows (key, version, stored meta.lastUpdated,
    /// contribution) chained by index, its arrays grown by half. A <c>Dictionary</c> of the same rows costs 36 bytes a slot and doubles: at 10,000
    /// resources it held 63 bytes a resource, a third of a bilirubin series' state (issue 19, RSS).
    /// </summary>
    private sealed class Resources
    {
        private Row[] _rows = [];

        /// <summary>Per row the next row of its chain, or of the free list, plus one; 0 ends it.</summary>
        private int[] _next = [];

        /// <summary>Per hash bucket its first row plus one; 0 when empty. A power of two long.</summary>
        private int[] _buckets = [];
        private int _used;
        private int _free;

        public int Count { get; private set; }

        public bool ContainsKey(string key) => Find(key) >= 0;

        public bool TryGetValue(string key, out Held held)
        {
            var row = Find(key);
            held = row >= 0 ? _rows[row].Held : default;
            return row >= 0;
        }

        /// <summary>Holds <paramref name="held"/> for <paramref name="key"/> (the instance kept as the key when it is new).</summary>
        public void Set(string key, Held held)
        {
            if (Find(key) is var found and >= 0)
            {
                _rows[found].Held = held;
                return;
            }

            if (Count >= _buckets.Length)
            {
                Rehash(Math.Max(4, _buckets.Length * 2));
            }

            int row;
            if (_free > 0)
            {
                row = _free - 1;
                _free = _next[row];
            }
            else
            {
                if (_used == _rows.Length)
                {
                    var length = Math.Max(4, _used + (_used / 2));
                    Array.Resize(ref _rows, length);
                    Array.Resize(ref _next, length);
                }

                row = _used++;
            }

            _rows[row] = new Row { Key = key, Held = held };
            ref var bucket = ref _buckets[Bucket(key)];
            _next[row] = bucket;
            bucket = row + 1;
            Count++;
        }

        public bool Remove(string key, out Held held)
        {
            if (_buckets.Length > 0)
            {
                ref var link = ref _buckets[Bucket(key)];
                while (link > 0)
                {
                    var row = link - 1;
                    if (string.Equals(_rows[row].Key, key, StringComparison.Ordinal))
                    {
                        held = _rows[row].Held;
                        link = _next[row];
                        _rows[row] = default;
                        _next[row] = _free;
                        _free = row + 1;
                        Count--;
                        return true;
                    }

                    link = ref _next[row];
                }
            }

            held = default;
            return false;
        }

        private int Find(string key)
        {
            if (_buckets.Length == 0)
            {
                return -1;
            }

            for (var link = _buckets[Bucket(key)]; link > 0; link = _next[link - 1])
            {
                if (string.Equals(_rows[link - 1].Key, key, StringComparison.Ordinal))
                {
                    return link - 1;
                }
            }

            return -1;
        }

        private int Bucket(string key) => key.GetHashCode(StringComparison.Ordinal) & (_buckets.Length - 1);

        private void Rehash(int buckets)
        {
            _buckets = new int[buckets];
            for (var row = 0; row < _used; row++)
            {
                if (_rows[row].Key is { } key)
                {
                    ref var bucket = ref _buckets[Bucket(key)];
                    _next[row] = bucket;
                    bucket = row + 1;
                }
            }
        }

        private struct Row
        {
            /// <summary>Null for a free row.</summary>
            public string? Key;
            public Held Held;
        }
    }
}

using System.Collections;

namespace NetCds.Fhir.Mapping;

/// <summary>
/// A read-only list kept in segments of at most <see cref="SegmentLength"/> elements, so a long series (a patient's
/// 10,000+ bilirubin values) never needs one array over the large-object heap's 85,000 bytes: settling a kind again
/// at every recompute would otherwise put a large object on that heap per event (issue 19, deliverable 7).
/// </summary>
internal sealed class SegmentedList<T> : IReadOnlyList<T>
{
    /// <summary>8,192 references: 64 KB, below the large-object threshold.</summary>
    public const int SegmentLength = 8192;

    private readonly T[][] _segments;

    /// <summary>Room for up to <paramref name="capacity"/> elements, filled by <see cref="Add"/>.</summary>
    public SegmentedList(int capacity)
    {
        _segments = new T[(capacity + SegmentLength - 1) / SegmentLength][];
        for (var i = 0; i < _segments.Length; i++)
        {
            _segments[i] = new T[Math.Min(SegmentLength, capacity - (i * SegmentLength))];
        }
    }

    public int Count { get; private set; }

    public T this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return _segments[index / SegmentLength][index % SegmentLength];
        }
    }

    /// <summary>Adds while the list is being built, before it is handed out.</summary>
    public void Add(T item)
    {
        _segments[Count / SegmentLength][Count % SegmentLength] = item;
        Count++;
    }

    public IEnumerator<T> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return _segments[i / SegmentLength][i % SegmentLength];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

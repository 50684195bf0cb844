using NetCds.Domain.Facts;

namespace NetCds.Domain.Derived;

internal static class FactSelection
{
    /// <summary>
    /// The newest value of a fact observed several times (catalogue: the newest effective time wins).
    /// Ties keep the last one given, so the result does not depend on sort stability.
    /// </summary>
    public static Fact<T>? Newest<T>(this IReadOnlyList<Fact<T>> facts)
    {
        Fact<T>? newest = null;
        foreach (var fact in facts)
        {
            if (newest is null || fact.Effective >= newest.Effective)
            {
                newest = fact;
            }
        }

        return newest;
    }

    public static PathologyValue? Newest(this IEnumerable<PathologyValue> values)
    {
        PathologyValue? newest = null;
        foreach (var value in values)
        {
            if (newest is null || value.Effective >= newest.Effective)
            {
                newest = value;
            }
        }

        return newest;
    }

    /// <summary>Whole calendar months from one instant to another (1 Jan to 1 Oct is 9), never negative.</summary>
    public static int MonthsBetween(DateTimeOffset from, DateTimeOffset to)
    {
        var months = ((to.Year - from.Year) * 12) + to.Month - from.Month;
        if (to.Day < from.Day)
        {
            months--;
        }

        return Math.Max(0, months);
    }
}

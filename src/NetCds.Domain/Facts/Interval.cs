using System.Globalization;

namespace NetCds.Domain.Facts;

/// <summary>How a reported value bounds the true one (FHIR <c>Quantity.comparator</c>, a modifier element).</summary>
public enum Comparator
{
    /// <summary>The value itself.</summary>
    Exactly,
    LessThan,
    AtMost,
    AtLeast,
    GreaterThan,
}

/// <summary>
/// A quantity as the set of values it allows (catalogue, "Quantities are intervals"): an exact value is a point,
/// "&gt; 20" is everything above 20, a FHIR <c>valueRange</c> is everything between its bounds. Threshold rules ask
/// three-valued questions: <c>true</c> when every value the interval allows is on the asked side, <c>false</c> when
/// none is, <c>null</c> when the interval straddles the threshold and so decides nothing for that rule.
/// There are deliberately no comparison operators: a rule must say which answer it needs and what an unknown means.
/// </summary>
public readonly record struct Interval
{
    private Interval(decimal? low, bool lowInclusive, decimal? high, bool highInclusive, string written)
    {
        Low = low;
        LowInclusive = lowInclusive;
        High = high;
        HighInclusive = highInclusive;
        _written = written;
    }

    private readonly string? _written;

    /// <summary>The lower bound; null when unbounded below.</summary>
    public decimal? Low { get; }

    public bool LowInclusive { get; }

    /// <summary>The upper bound; null when unbounded above.</summary>
    public decimal? High { get; }

    public bool HighInclusive { get; }

    /// <summary>The value as it was written (comparator included, in the canonical unit), for cards: "&gt; 20", "2-5", "0.8".</summary>
    public string Written => _written ?? "any value";

    /// <summary>The value when the interval is a single point; null for a comparator or a range.</summary>
    public decimal? Exact => Low is { } low && High == low && LowInclusive && HighInclusive ? low : null;

    public static Interval Exactly(decimal value) => new(value, true, value, true, Format(value));

    public static Interval From(decimal value, Comparator comparator) => comparator switch
    {
        Comparator.LessThan => new(null, false, value, false, "< " + Format(value)),
        Comparator.AtMost => new(null, false, value, true, "≤ " + Format(value)),
        Comparator.AtLeast => new(value, true, null, false, "≥ " + Format(value)),
        Comparator.GreaterThan => new(value, false, null, false, "> " + Format(value)),
        _ => Exactly(value),
    };

    /// <summary>A FHIR Range: both bounds inclusive; either may be missing (unbounded on that side).</summary>
    public static Interval Between(decimal? low, decimal? high)
    {
        if (low is { } l && high is { } h && l > h)
        {
            throw new ArgumentException($"Range low {l} is above its high {h}.", nameof(low));
        }

        if (low is { } same && high == same)
        {
            return Exactly(same);
        }

        var written = (low, high) switch
        {
            ({ } l2, { } h2) => $"{Format(l2)}-{Format(h2)}",
            ({ } l2, null) => "≥ " + Format(l2),
            (null, { } h2) => "≤ " + Format(h2),
            _ => "any value",
        };
        return new(low, low is not null, high, high is not null, written);
    }

    /// <summary>
    /// An interval as it was kept (a patient's stored fact state): the bounds, their inclusiveness and the text it was
    /// written as, exactly as <see cref="Low"/>, <see cref="LowInclusive"/>, <see cref="High"/>, <see cref="HighInclusive"/>
    /// and <see cref="Written"/> gave them.
    /// </summary>
    public static Interval Restore(decimal? low, bool lowInclusive, decimal? high, bool highInclusive, string written) =>
        new(low, lowInclusive, high, highInclusive, written);

    public static implicit operator Interval(decimal value) => Exactly(value);

    public static Interval FromDecimal(decimal value) => Exactly(value);

    /// <summary>Every allowed value is above <paramref name="threshold"/>.</summary>
    public bool? IsAbove(decimal threshold)
    {
        if (Low is { } low && (low > threshold || (low == threshold && !LowInclusive)))
        {
            return true;
        }

        return High is { } high && high <= threshold ? false : null;
    }

    /// <summary>Every allowed value is at or above <paramref name="threshold"/>.</summary>
    public bool? IsAtLeast(decimal threshold)
    {
        if (Low is { } low && low >= threshold)
        {
            return true;
        }

        return High is { } high && (high < threshold || (high == threshold && !HighInclusive)) ? false : null;
    }

    /// <summary>Every allowed value is below <paramref name="threshold"/>.</summary>
    public bool? IsBelow(decimal threshold) => !IsAtLeast(threshold);

    /// <summary>Every allowed value is at or below <paramref name="threshold"/>.</summary>
    public bool? IsAtMost(decimal threshold) => !IsAbove(threshold);

    /// <summary>Every allowed value is within [<paramref name="from"/>, <paramref name="to"/>] (both inclusive).</summary>
    public bool? IsWithin(decimal from, decimal to)
    {
        var atLeast = IsAtLeast(from);
        var atMost = IsAtMost(to);
        return atLeast == false || atMost == false ? false : atLeast == true && atMost == true ? true : null;
    }

    /// <summary>
    /// The interval in another unit, for an increasing conversion (unit factors): bounds and inclusiveness carry over.
    /// </summary>
    public Interval Convert(Func<decimal, decimal> increasing)
    {
        ArgumentNullException.ThrowIfNull(increasing);
        if (Exact is { } exact)
        {
            return Exactly(increasing(exact));
        }

        var low = Low is { } l ? increasing(l) : (decimal?)null;
        var high = High is { } h ? increasing(h) : (decimal?)null;
        var written = (Low, High) switch
        {
            (null, { }) => (HighInclusive ? "≤ " : "< ") + Format(high!.Value),
            ({ }, null) => (LowInclusive ? "≥ " : "> ") + Format(low!.Value),
            _ => $"{Format(low!.Value)}-{Format(high!.Value)}",
        };
        return new(low, LowInclusive, high, HighInclusive, written);
    }

    public override string ToString() => Written;

    internal static string Format(decimal value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>Kleene's three-valued logic for <c>bool?</c> answers, where null is unknown (never false).</summary>
public static class ThreeValued
{
    /// <summary>False when either is false, true when both are true, otherwise unknown.</summary>
    public static bool? And(bool? first, bool? second) => first == false || second == false ? false : first == true && second == true ? true : null;

    /// <summary>True when either is true, false when both are false, otherwise unknown.</summary>
    public static bool? Or(bool? first, bool? second) => first == true || second == true ? true : first == false && second == false ? false : null;
}

/// <summary>Where a value lies among three bands split at two thresholds (eligible / consider / against).</summary>
public enum Band
{
    Lower,
    Middle,
    Upper,

    /// <summary>The interval reaches over a threshold, so no band is certain.</summary>
    Undecided,
}

public static class Bands
{
    /// <summary>
    /// The band from two three-valued answers: is the whole interval in the lower band, in the upper band.
    /// The middle band needs both to be false; anything else is undecided.
    /// </summary>
    public static Band Of(bool? inLower, bool? inUpper) =>
        inUpper == true ? Band.Upper : inLower == true ? Band.Lower : inLower == false && inUpper == false ? Band.Middle : Band.Undecided;
}

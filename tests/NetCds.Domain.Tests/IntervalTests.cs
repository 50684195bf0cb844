using NetCds.Domain.Facts;

namespace NetCds.Domain.Tests;

/// <summary>Catalogue "Quantities are intervals": a threshold decides only when the whole interval is on one side.</summary>
public sealed class IntervalTests
{
    [Theory]
    [InlineData(20.1, true)]
    [InlineData(20, false)]
    [InlineData(19.9, false)]
    public void An_exact_value_is_above_a_threshold_or_not(double value, bool above) =>
        Interval.Exactly((decimal)value).IsAbove(20m).Should().Be(above);

    [Theory]
    [InlineData(Comparator.GreaterThan, 20, true)]
    [InlineData(Comparator.AtLeast, 20, null)]
    [InlineData(Comparator.AtLeast, 20.5, true)]
    [InlineData(Comparator.LessThan, 30, null)]
    [InlineData(Comparator.AtMost, 20, false)]
    [InlineData(Comparator.LessThan, 20, false)]
    public void A_bound_is_above_20_only_when_every_value_it_allows_is(Comparator comparator, double bound, bool? above) =>
        Interval.From((decimal)bound, comparator).IsAbove(20m).Should().Be(above);

    [Theory]
    [InlineData(Comparator.LessThan, 3, true)]
    [InlineData(Comparator.AtMost, 3, null)]
    [InlineData(Comparator.LessThan, 10, null)]
    [InlineData(Comparator.AtLeast, 3, false)]
    [InlineData(Comparator.GreaterThan, 2.9, null)]
    public void Below_3_is_decided_only_by_a_bound_wholly_below_it(Comparator comparator, double bound, bool? below) =>
        Interval.From((decimal)bound, comparator).IsBelow(3m).Should().Be(below);

    [Theory]
    [InlineData(2, 3, true)]
    [InlineData(2, 3.5, null)]
    [InlineData(3.5, 4, false)]
    public void A_range_is_within_a_band_when_both_bounds_are(double low, double high, bool? within) =>
        Interval.Between((decimal)low, (decimal)high).IsWithin(2m, 3m).Should().Be(within);

    [Fact]
    public void A_range_with_one_bound_is_open_on_the_other_side()
    {
        var atLeast = Interval.Between(25m, null);
        atLeast.IsAbove(20m).Should().BeTrue();
        atLeast.IsAbove(30m).Should().BeNull();
        atLeast.Written.Should().Be("≥ 25");
    }

    [Fact]
    public void A_range_whose_bounds_are_equal_is_that_value()
    {
        Interval.Between(4m, 4m).Exact.Should().Be(4m);
    }

    [Fact]
    public void A_range_upside_down_is_refused()
    {
        var act = () => Interval.Between(5m, 4m);
        act.Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData(Comparator.GreaterThan, "> 20")]
    [InlineData(Comparator.AtLeast, "≥ 20")]
    [InlineData(Comparator.LessThan, "< 20")]
    [InlineData(Comparator.AtMost, "≤ 20")]
    [InlineData(Comparator.Exactly, "20")]
    public void The_value_is_written_with_its_comparator(Comparator comparator, string written) =>
        Interval.From(20m, comparator).ToString().Should().Be(written);

    [Fact]
    public void Converting_units_keeps_the_comparator_and_its_inclusiveness()
    {
        // Bilirubin: 51.3 µmol/L is 3 mg/dL (17.1 µmol/L per mg/dL).
        var converted = Interval.From(51.3m, Comparator.GreaterThan).Convert(v => v / 17.1m);
        converted.Written.Should().Be("> 3");
        converted.IsAbove(3m).Should().BeTrue();
        Interval.From(51.3m, Comparator.AtLeast).Convert(v => v / 17.1m).IsAbove(3m).Should().BeNull();
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData(true, null, null)]
    [InlineData(false, null, false)]
    [InlineData(true, true, true)]
    public void And_is_false_when_either_is_false_and_unknown_otherwise_unless_both_hold(bool? first, bool? second, bool? expected) =>
        ThreeValued.And(first, second).Should().Be(expected);

    [Theory]
    [InlineData(true, false, Band.Lower)]
    [InlineData(false, true, Band.Upper)]
    [InlineData(false, false, Band.Middle)]
    [InlineData(null, false, Band.Undecided)]
    [InlineData(false, null, Band.Undecided)]
    public void A_band_needs_both_answers_for_the_middle(bool? inLower, bool? inUpper, Band expected) =>
        Bands.Of(inLower, inUpper).Should().Be(expected);
}

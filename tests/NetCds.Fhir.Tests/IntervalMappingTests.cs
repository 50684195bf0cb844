using Hl7.Fhir.Model;
using NetCds.Domain.Facts;
using NetCds.Fhir.Mapping;
using static NetCds.Fhir.Tests.Support.FhirBuilder;
using FhirRange = Hl7.Fhir.Model.Range;

namespace NetCds.Fhir.Tests;

/// <summary>
/// Catalogue "Quantities are intervals": <c>Quantity.comparator</c> is a modifier element and is never dropped;
/// <c>valueRange</c> is read with either bound; units are converted bound by bound; scores refuse both, reported.
/// </summary>
public sealed class IntervalMappingTests
{
    private static readonly Dictionary<string, Func<PatientFacts, IEnumerable<Interval>>> Kinds = new()
    {
        ["Ki67"] = f => f.Ki67.Select(v => v.Value),
        ["MitoticCount"] = f => f.MitoticCount.Select(v => v.Value),
        ["Bilirubin"] = f => f.Bilirubin.Select(v => v.Value),
        ["Albumin"] = f => f.Albumin.Select(v => v.Value),
        ["Inr"] = f => f.Inr.Select(v => v.Value),
        ["Creatinine"] = f => f.Creatinine.Select(v => v.Value),
        ["CreatinineClearance"] = f => f.CreatinineClearance.Select(v => v.Value),
        ["Platelets"] = f => f.Platelets.Select(v => v.Value),
        ["Haemoglobin"] = f => f.Haemoglobin.Select(v => v.Value),
        ["Urinary5Hiaa"] = f => f.Urinary5Hiaa.Select(v => v.Value),
        ["LesionCount"] = f => f.LesionCount.Select(v => v.Value),
        ["LargestLesion"] = f => f.LargestLesion.Select(v => v.Value),
        ["TumourBurden"] = f => f.TumourBurden.Select(v => v.Value),
        ["LungShuntFraction"] = f => f.LungShuntFraction.Select(v => v.Value),
        ["ResectableFraction"] = f => f.ResectableFraction.Select(v => v.Value),
        ["PrimaryTumourSize"] = f => f.PrimaryTumourSize.Select(v => v.Value),
        ["ChromograninA"] = f => f.ChromograninA.Select(v => v.Value),
    };

    private static Interval Single(string kind, Observation observation)
    {
        var mapping = Map(observation);
        mapping.Problems.Should().BeEmpty();
        return Kinds[kind](mapping.Facts).Should().ContainSingle().Subject;
    }

    private static Quantity Bounded(decimal value, string unit, Quantity.QuantityComparator comparator)
    {
        var quantity = Qty(value, unit);
        quantity.Comparator = comparator;
        return quantity;
    }

    private static FhirRange RangeOf(Quantity? low, Quantity? high) => new() { Low = low, High = high };

    /// <summary>Every threshold quantity: its code, a value and unit, and the bound in the canonical unit.</summary>
    public static TheoryData<string, string, string, decimal, string, decimal> ThresholdQuantities => new()
    {
        { "Ki67", Loinc, "29593-1", 3m, "%", 3m },
        { "MitoticCount", Findings, "mitotic-count", 20m, "/10.HPF", 20m },
        { "Bilirubin", Loinc, "14631-6", 51.3m, "umol/L", 3m },
        { "Albumin", Loinc, "61151-7", 35m, "g/L", 3.5m },
        { "Inr", Loinc, "6301-6", 1.5m, "{INR}", 1.5m },
        { "Creatinine", Loinc, "14682-9", 176.8m, "umol/L", 2m },
        { "CreatinineClearance", Loinc, "2164-2", 30m, "mL/min", 30m },
        { "Platelets", Loinc, "777-3", 50m, "10*3/uL", 50m },
        { "Haemoglobin", Loinc, "718-7", 80m, "g/L", 8m },
        { "Urinary5Hiaa", Loinc, "14573-0", 300m, "umol/(24.h)", 300m },
        { "LesionCount", Findings, "liver-lesion-count", 10m, "{lesions}", 10m },
        { "LargestLesion", Loinc, "33728-7", 50m, "mm", 5m },
        { "TumourBurden", Findings, "liver-tumor-burden", 75m, "%", 75m },
        { "LungShuntFraction", Findings, "lung-shunt-fraction", 20m, "%", 20m },
        { "ResectableFraction", Findings, "hepatic-resectable-fraction", 90m, "%", 90m },
        { "PrimaryTumourSize", Findings, "primary-tumor-size", 20m, "mm", 2m },
        { "ChromograninA", Loinc, "9811-1", 100m, "ng/mL", 100m },
    };

    [Theory]
    [MemberData(nameof(ThresholdQuantities))]
    public void Greater_than_is_everything_above_the_bound(string kind, string system, string code, decimal value, string unit, decimal canonical)
    {
        var interval = Single(kind, Obs("o", system, code, Bounded(value, unit, Quantity.QuantityComparator.GreaterThan)));

        interval.Should().Be(Interval.From(canonical, Comparator.GreaterThan));
        interval.IsAbove(canonical).Should().BeTrue();
        interval.Written.Should().StartWith("> ");
    }

    [Theory]
    [MemberData(nameof(ThresholdQuantities))]
    public void Less_than_is_everything_below_the_bound(string kind, string system, string code, decimal value, string unit, decimal canonical)
    {
        var interval = Single(kind, Obs("o", system, code, Bounded(value, unit, Quantity.QuantityComparator.LessThan)));

        interval.Should().Be(Interval.From(canonical, Comparator.LessThan));
        interval.IsBelow(canonical).Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(ThresholdQuantities))]
    public void At_least_and_at_most_keep_the_bound_itself(string kind, string system, string code, decimal value, string unit, decimal canonical)
    {
        var atLeast = Single(kind, Obs("o", system, code, Bounded(value, unit, Quantity.QuantityComparator.GreaterOrEqual)));
        var atMost = Single(kind, Obs("o", system, code, Bounded(value, unit, Quantity.QuantityComparator.LessOrEqual)));

        atLeast.Should().Be(Interval.From(canonical, Comparator.AtLeast));
        atLeast.IsAtLeast(canonical).Should().BeTrue();
        atLeast.IsAbove(canonical).Should().BeNull();
        atMost.Should().Be(Interval.From(canonical, Comparator.AtMost));
        atMost.IsAtMost(canonical).Should().BeTrue();
        atMost.IsBelow(canonical).Should().BeNull();
    }

    [Theory]
    [MemberData(nameof(ThresholdQuantities))]
    public void A_range_with_both_bounds_is_read_between_them(string kind, string system, string code, decimal value, string unit, decimal canonical)
    {
        var interval = Single(kind, Obs("o", system, code, RangeOf(Qty(value / 2, unit), Qty(value, unit))));

        interval.Should().Be(Interval.Between(canonical / 2, canonical));
        interval.IsAtMost(canonical).Should().BeTrue();
        interval.IsAbove(canonical).Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(ThresholdQuantities))]
    public void A_range_with_one_bound_is_open_on_the_other_side(string kind, string system, string code, decimal value, string unit, decimal canonical)
    {
        Single(kind, Obs("o", system, code, RangeOf(Qty(value, unit), null))).Should().Be(Interval.Between(canonical, null));
        Single(kind, Obs("o", system, code, RangeOf(null, Qty(value, unit)))).Should().Be(Interval.Between(null, canonical));
    }

    [Fact]
    public void Bilirubin_above_51_3_umol_per_L_is_above_3_mg_per_dL_as_written()
    {
        var mapping = Map(Obs("bili", Loinc, "14631-6", Bounded(51.3m, "umol/L", Quantity.QuantityComparator.GreaterThan)));

        var fact = mapping.Facts.Bilirubin.Should().ContainSingle().Subject;
        fact.Value.Written.Should().Be("> 3");
        fact.Unit.Should().Be("mg/dL");
        fact.ToString().Should().Be("> 3 mg/dL");
        fact.Value.IsAbove(3m).Should().BeTrue();
    }

    [Fact]
    public void Range_bounds_are_converted_each_in_its_own_unit()
    {
        var interval = Single("Bilirubin", Obs("bili", Loinc, "14631-6", RangeOf(Qty(2m, "mg/dL"), Qty(51.3m, "umol/L"))));

        interval.Should().Be(Interval.Between(2m, 3m));
        interval.Written.Should().Be("2-3");
        interval.IsWithin(2m, 3m).Should().BeTrue();
    }

    [Fact]
    public void Ki67_below_3_percent_is_written_with_its_comparator()
    {
        var ki67 = Map(Obs("ki67", Loinc, "29593-1", Bounded(3m, "%", Quantity.QuantityComparator.LessThan))).Facts.Ki67.Should().ContainSingle().Subject;

        ki67.Value.Written.Should().Be("< 3");
        ki67.Value.IsBelow(3m).Should().BeTrue();
    }

    [Fact]
    public void A_comparator_inside_the_imaging_panel_is_kept()
    {
        var panel = Obs("panel", Findings, "liver-imaging-panel", null);
        panel.Component.Add(Component(Findings, "liver-lesion-count", Bounded(12, "{lesions}", Quantity.QuantityComparator.GreaterThan)));

        Single("LesionCount", panel).Written.Should().Be("> 12");
    }

    [Fact]
    public void Chromogranin_A_keeps_its_comparator_and_its_reference_limit()
    {
        var cga = Obs("cga", Loinc, "9811-1", Bounded(700m, "ng/mL", Quantity.QuantityComparator.GreaterThan));
        cga.ReferenceRange.Add(new Observation.ReferenceRangeComponent { High = Qty(100m, "ng/mL") });

        var measurement = Map(cga).Facts.ChromograninA.Should().ContainSingle().Subject;

        measurement.Value.Should().Be(Interval.From(700m, Comparator.GreaterThan));
        measurement.UpperReferenceLimit.Should().Be(100m);
    }

    [Theory]
    [InlineData(0, 120, "Observation.value.high")]
    [InlineData(-1, 50, "Observation.value.low")]
    public void A_percent_range_bound_outside_0_to_100_is_unusable(int low, int high, string element)
    {
        var mapping = Map(Obs("ki67", Loinc, "29593-1", RangeOf(Qty(low, "%"), Qty(high, "%"))));

        mapping.Facts.Ki67.Should().BeEmpty();
        mapping.Problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Resource = "Observation/ki67", Element = element, Kind = DataProblemKind.UnusableValue });
    }

    [Fact]
    public void A_range_bound_in_an_unknown_unit_is_reported_on_that_bound()
    {
        var mapping = Map(Obs("bili", Loinc, "1975-2", RangeOf(Qty(2m, "mg/dL"), Qty(3m, "furlongs"))));

        mapping.Facts.Bilirubin.Should().BeEmpty();
        mapping.Problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Element = "Observation.value.high.unit", Kind = DataProblemKind.UnknownUnit });
    }

    [Fact]
    public void A_range_without_bounds_is_unusable()
    {
        var mapping = Map(Obs("shunt", Findings, "lung-shunt-fraction", new FhirRange()));

        mapping.Facts.LungShuntFraction.Should().BeEmpty();
        mapping.Problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Element = "Observation.value", Kind = DataProblemKind.UnusableValue });
    }

    [Fact]
    public void A_range_whose_low_is_above_its_high_is_unusable()
    {
        var mapping = Map(Obs("shunt", Findings, "lung-shunt-fraction", RangeOf(Qty(30m, "%"), Qty(10m, "%"))));

        mapping.Facts.LungShuntFraction.Should().BeEmpty();
        mapping.Problems.Should().ContainSingle().Which.Kind.Should().Be(DataProblemKind.UnusableValue);
    }

    [Fact]
    public void A_lesion_count_bound_that_is_not_whole_is_unusable()
    {
        var mapping = Map(Obs("count", Findings, "liver-lesion-count", Bounded(4.5m, "{lesions}", Quantity.QuantityComparator.GreaterThan)));

        mapping.Facts.LesionCount.Should().BeEmpty();
        mapping.Problems.Should().ContainSingle().Which.Kind.Should().Be(DataProblemKind.UnusableValue);
    }

    public static TheoryData<string, string> Scores => new()
    {
        { Loinc, "89247-1" },
        { Loinc, "89243-0" },
        { Findings, "sstr-uptake" },
    };

    [Theory]
    [MemberData(nameof(Scores))]
    public void A_score_with_a_comparator_is_reported_naming_the_comparator(string system, string code)
    {
        var mapping = Map(Obs("score", system, code, Bounded(2m, "{score}", Quantity.QuantityComparator.LessThan)));

        mapping.Facts.Ecog.Should().BeEmpty();
        mapping.Facts.Karnofsky.Should().BeEmpty();
        mapping.Facts.SstrUptake.Should().BeEmpty();
        var problem = mapping.Problems.Should().ContainSingle().Subject;
        problem.Should().BeEquivalentTo(new { Resource = "Observation/score", Element = "Observation.value.comparator", Kind = DataProblemKind.UnusableValue });
        problem.Message.Should().Contain("'<'");
    }

    [Theory]
    [MemberData(nameof(Scores))]
    public void A_score_given_as_a_range_is_reported(string system, string code)
    {
        var mapping = Map(Obs("score", system, code, RangeOf(Qty(1m, "{score}"), Qty(2m, "{score}"))));

        mapping.Facts.Ecog.Should().BeEmpty();
        mapping.Facts.Karnofsky.Should().BeEmpty();
        mapping.Facts.SstrUptake.Should().BeEmpty();
        mapping.Problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Resource = "Observation/score", Element = "Observation.value", Kind = DataProblemKind.UnusableValue });
    }

    [Fact]
    public void A_score_with_a_comparator_inside_a_panel_names_the_component()
    {
        var panel = Obs("panel", Findings, "liver-imaging-panel", null);
        panel.Component.Add(Component(Findings, "sstr-uptake", Bounded(2m, "{score}", Quantity.QuantityComparator.GreaterOrEqual)));

        var mapping = Map(panel);

        mapping.Facts.SstrUptake.Should().BeEmpty();
        mapping.Problems.Should().ContainSingle().Which.Element.Should().Be("Observation.component[0].value.comparator");
    }

    [Fact]
    public void Conflicting_intervals_at_the_same_instant_are_reported_as_written()
    {
        var mapping = Map(
            Obs("a", Findings, "lung-shunt-fraction", Bounded(20m, "%", Quantity.QuantityComparator.GreaterThan)),
            Obs("b", Findings, "lung-shunt-fraction", Qty(20m, "%")));

        mapping.Facts.LungShuntFraction.Should().BeEmpty();
        mapping.Problems.Should().OnlyContain(p => p.Kind == DataProblemKind.Conflict && p.Message.Contains("> 20", StringComparison.Ordinal));
    }
}

using NetCds.Domain.Derived;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Derived;

/// <summary>Catalogue "Chromogranin A trend" (002; 000 §4, 003 §4.2): response ≥ 50 % fall, progression ≥ 25 % rise (site policy).</summary>
public sealed class ChromograninTrendTests
{
    private static ChromograninTrend TrendOf(Patient patient, ChromograninPolicy? policy = null) =>
        ChromograninTrend.Derive(patient.Build(), Ago.AsOf, policy ?? new ChromograninPolicy());

    private static Patient Series(params decimal[] values)
    {
        var patient = Patient.New();
        for (var i = 0; i < values.Length; i++)
        {
            patient.ChromograninA(values[i], Ago.Months(3 * (values.Length - i)));
        }

        return patient;
    }

    [Fact]
    public void No_chromogranin_on_record_is_none()
    {
        TrendOf(Patient.New()).Trend.Should().Be(BiochemicalTrend.None);
    }

    [Fact]
    public void A_single_value_is_not_comparable()
    {
        TrendOf(Series(200m)).Trend.Should().Be(BiochemicalTrend.NotComparable);
    }

    [Fact]
    public void A_fall_of_50_percent_in_the_same_assay_is_a_biochemical_response()
    {
        var trend = TrendOf(Series(200m, 100m));

        trend.Trend.Should().Be(BiochemicalTrend.Response);
        trend.ChangeFromBaselinePercent.Should().Be(-50m);
    }

    [Fact]
    public void A_fall_of_49_9_percent_is_not_a_response()
    {
        var trend = TrendOf(Series(200m, 100.2m));

        trend.Trend.Should().Be(BiochemicalTrend.Stable);
        trend.ChangeFromBaselinePercent.Should().Be(-49.9m);
    }

    [Fact]
    public void A_fall_just_short_of_50_percent_is_not_rounded_up_into_a_response()
    {
        // 200 → 100.08 is a 49.96 % fall: shown as 50 % after rounding, but below the threshold.
        TrendOf(Series(200m, 100.08m)).Trend.Should().Be(BiochemicalTrend.Stable);
    }

    [Fact]
    public void A_rise_just_short_of_25_percent_is_not_rounded_up_into_progression()
    {
        // 100 → 124.96 is a 24.96 % rise.
        TrendOf(Series(100m, 124.96m)).Trend.Should().Be(BiochemicalTrend.Stable);
    }

    [Fact]
    public void A_rise_of_25_percent_is_biochemical_progression()
    {
        var trend = TrendOf(Series(100m, 125m));

        trend.Trend.Should().Be(BiochemicalTrend.Progression);
        trend.ChangeFromNadirPercent.Should().Be(25m);
    }

    [Fact]
    public void A_rise_of_24_9_percent_is_not_progression()
    {
        TrendOf(Series(100m, 124.9m)).Trend.Should().Be(BiochemicalTrend.Stable);
    }

    [Fact]
    public void Progression_is_measured_from_the_nadir()
    {
        // 200 → 100 → 130: still 35 % below baseline, but 30 % above the nadir.
        var trend = TrendOf(Series(200m, 100m, 130m));

        trend.Trend.Should().Be(BiochemicalTrend.Progression);
        trend.ChangeFromNadirPercent.Should().Be(30m);
    }

    [Fact]
    public void Different_units_without_reference_limits_are_not_comparable_and_never_converted()
    {
        var trend = TrendOf(Patient.New()
            .ChromograninA(100m, Ago.Months(6), ChromograninUnit.MassConcentration)
            .ChromograninA(400m, Ago.Months(1), ChromograninUnit.ArbitraryUnits));

        trend.Trend.Should().Be(BiochemicalTrend.NotComparable);
        trend.ChangeFromBaselinePercent.Should().BeNull();
        trend.ChangeFromNadirPercent.Should().BeNull();
    }

    [Fact]
    public void Different_assays_in_the_same_unit_without_reference_limits_are_not_comparable()
    {
        var trend = TrendOf(Patient.New()
            .ChromograninA(100m, Ago.Months(6), assay: "kit A")
            .ChromograninA(300m, Ago.Months(1), assay: "kit B"));

        trend.Trend.Should().Be(BiochemicalTrend.NotComparable);
    }

    [Fact]
    public void Different_assays_with_reference_limits_are_compared_as_multiples_of_the_uln()
    {
        // 200 ng/mL with ULN 100 is 2 × ULN; 30 U/L with ULN 10 is 3 × ULN: a 50 % rise.
        var trend = TrendOf(Patient.New()
            .ChromograninA(200m, Ago.Months(6), ChromograninUnit.MassConcentration, upperLimit: 100m)
            .ChromograninA(30m, Ago.Months(1), ChromograninUnit.ArbitraryUnits, upperLimit: 10m));

        trend.Trend.Should().Be(BiochemicalTrend.Progression);
        trend.ChangeFromNadirPercent.Should().Be(50m);
        trend.Basis.Should().Contain("multiples");
    }

    [Fact]
    public void A_fall_in_multiples_of_the_uln_across_assays_is_a_response()
    {
        // 4 × ULN in ng/mL, then 1.5 × ULN in U/L: a 62.5 % fall, although the raw numbers rise.
        var trend = TrendOf(Patient.New()
            .ChromograninA(400m, Ago.Months(6), ChromograninUnit.MassConcentration, upperLimit: 100m)
            .ChromograninA(600m, Ago.Months(1), ChromograninUnit.ArbitraryUnits, upperLimit: 400m));

        trend.Trend.Should().Be(BiochemicalTrend.Response);
    }

    [Fact]
    public void Values_after_the_evaluation_instant_are_ignored()
    {
        var trend = TrendOf(Series(100m, 110m).ChromograninA(500m, Ago.AsOf.AddDays(7)));

        trend.Trend.Should().Be(BiochemicalTrend.Stable);
    }

    [Fact]
    public void Comparable_values_are_cited_with_their_sources()
    {
        var trend = TrendOf(Series(200m, 100m));

        trend.Inputs.Should().HaveCount(2);
        trend.Inputs.Should().OnlyContain(i => i.Fact == FactKind.ChromograninA && !string.IsNullOrEmpty(i.Source));
    }

    [Fact]
    public void No_confounder_is_flagged_without_one()
    {
        TrendOf(Series(100m, 150m).Clearance(90m)).Confounders.Should().BeEmpty();
    }

    [Fact]
    public void Active_proton_pump_inhibitor_is_a_confounder()
    {
        TrendOf(Series(100m, 150m).Medication(MedicationKind.ProtonPumpInhibitor))
            .Confounders.Should().ContainSingle().Which.Should().Contain("proton-pump");
    }

    [Fact]
    public void A_past_proton_pump_inhibitor_course_is_not_a_confounder()
    {
        TrendOf(Series(100m, 150m).Medication(MedicationKind.ProtonPumpInhibitor, active: false)).Confounders.Should().BeEmpty();
    }

    [Fact]
    public void Renal_failure_diagnosis_is_a_confounder()
    {
        TrendOf(Series(100m, 150m).Condition(ConditionKind.RenalFailure))
            .Confounders.Should().ContainSingle().Which.Should().Contain("renal");
    }

    [Fact]
    public void Clearance_below_60_is_a_confounder()
    {
        TrendOf(Series(100m, 150m).Clearance(59m)).Confounders.Should().ContainSingle().Which.Should().Contain("renal");
        TrendOf(Series(100m, 150m).Clearance(60m)).Confounders.Should().BeEmpty();
    }

    [Fact]
    public void Atrophic_gastritis_is_a_confounder()
    {
        TrendOf(Series(100m, 150m).Condition(ConditionKind.AtrophicGastritis))
            .Confounders.Should().ContainSingle().Which.Should().Contain("atrophic gastritis");
    }

    [Fact]
    public void Confounders_are_flagged_even_when_the_trend_cannot_be_read()
    {
        var trend = TrendOf(Patient.New().Medication(MedicationKind.ProtonPumpInhibitor).Condition(ConditionKind.AtrophicGastritis));

        trend.Trend.Should().Be(BiochemicalTrend.None);
        trend.Confounders.Should().HaveCount(2);
    }
}

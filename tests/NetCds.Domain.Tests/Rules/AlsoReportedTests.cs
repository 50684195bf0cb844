using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Rules;

/// <summary>"Also reported": PRIMARY, SYNDROME, MDT, CGA-TREND and 5-HIAA items beside the therapy statuses.</summary>
public sealed class AlsoReportedTests
{
    /// <summary>Resectable liver disease, pancreatic primary still in place.</summary>
    private static Patient PrimaryInPlace() => Patient.ResectableCandidate().Without(FactKind.PrimaryResection);

    private static IReadOnlyList<ReportItem> Items(Patient patient, string topic) =>
        [.. patient.Evaluate().AlsoReported.Where(i => i.Topic == topic)];

    private static ReportItem Single(Patient patient, string topic)
    {
        var items = Items(patient, topic);
        items.Should().ContainSingle($"one {topic} item is expected");
        return items[0];
    }

    [Fact]
    public void PRIMARY_pancreatic_primary_above_2_cm_is_put_forward_for_resection()
    {
        var item = Single(PrimaryInPlace().PrimarySize(2.5m), "PRIMARY");
        item.Text.Should().Contain("resection");
        item.Inputs.Should().Contain(i => i.Fact == FactKind.PrimaryTumourSize);
    }

    [Fact]
    public void PRIMARY_pancreatic_primary_of_2_cm_is_not_put_forward_for_resection()
    {
        Single(PrimaryInPlace().PrimarySize(2m), "PRIMARY").Text.Should().NotContain("resection");
    }

    [Fact]
    public void PRIMARY_absent_when_the_primary_has_been_resected()
    {
        Items(Patient.ResectableCandidate().PrimarySize(3m), "PRIMARY").Should().BeEmpty();
    }

    [Fact]
    public void PRIMARY_absent_for_a_non_pancreatic_primary()
    {
        Items(PrimaryInPlace().Without(FactKind.PrimarySite).Primary(PrimarySite.SmallIntestine).PrimarySize(3m), "PRIMARY").Should().BeEmpty();
    }

    [Fact]
    public void PRIMARY_resection_is_not_routine_with_unresectable_liver_disease()
    {
        Single(Patient.UnresectableCandidate().Without(FactKind.PrimaryResection).PrimarySize(3m), "PRIMARY")
            .Text.Should().Contain("not routine");
    }

    [Fact]
    public void PRIMARY_resectable_liver_disease_carries_no_not_routine_caveat()
    {
        Single(PrimaryInPlace().PrimarySize(3m), "PRIMARY").Text.Should().NotContain("not routine");
    }

    [Fact]
    public void PRIMARY_MEN1_growth_above_half_a_centimetre_a_year_is_put_forward_for_resection()
    {
        var item = Single(PrimaryInPlace().Condition(ConditionKind.Men1).PrimarySize(1.0m, Ago.Months(12)).PrimarySize(1.7m, Ago.Days(0)), "PRIMARY");
        item.Text.Should().Contain("MEN1").And.Contain("resection");
        item.Inputs.Should().Contain(i => i.Fact == FactKind.Condition);
    }

    [Fact]
    public void PRIMARY_MEN1_slow_growth_under_2_cm_is_not_put_forward_for_resection()
    {
        Single(PrimaryInPlace().Condition(ConditionKind.Men1).PrimarySize(1.0m, Ago.Months(12)).PrimarySize(1.3m, Ago.Days(0)), "PRIMARY")
            .Text.Should().Contain("MEN1").And.NotContain("resection");
    }

    [Fact]
    public void SYNDROME_Zollinger_Ellison_recommends_high_dose_PPI()
    {
        var item = Single(Patient.UnresectableCandidate().Condition(ConditionKind.ZollingerEllison), "SYNDROME");
        item.Text.Should().Contain("proton-pump inhibitor");
        item.Inputs.Should().ContainSingle(i => i.Fact == FactKind.Condition);
    }

    [Fact]
    public void SYNDROME_insulinoma_recommends_diazoxide_and_feeds()
    {
        Single(Patient.UnresectableCandidate().Condition(ConditionKind.Insulinoma), "SYNDROME")
            .Text.Should().Contain("diazoxide");
    }

    [Fact]
    public void SYNDROME_absent_without_those_syndromes()
    {
        Items(Patient.UnresectableCandidate().Condition(ConditionKind.CarcinoidSyndrome), "SYNDROME").Should().BeEmpty();
    }

    [Fact]
    public void MDT_review_is_on_every_card_even_with_nothing_known()
    {
        Single(Patient.New(), "MDT").Evidence.Should().NotBeEmpty();
        Single(Patient.UnresectableCandidate(), "MDT").Text.Should().Contain("multidisciplinary");
    }

    [Fact]
    public void CGA_TREND_fall_of_half_from_baseline_in_the_same_assay_is_a_response()
    {
        var item = Single(Patient.UnresectableCandidate().ChromograninA(400m, Ago.Months(6)).ChromograninA(150m, Ago.Months(1)), "CGA-TREND");
        item.Text.Should().Contain("response").And.Contain("same assay");
        item.Inputs.Should().HaveCount(2);
    }

    [Fact]
    public void CGA_TREND_rise_of_a_quarter_over_the_nadir_is_progression()
    {
        Single(Patient.UnresectableCandidate().ChromograninA(200m, Ago.Months(9)).ChromograninA(100m, Ago.Months(5)).ChromograninA(140m, Ago.Months(1)), "CGA-TREND")
            .Text.Should().Contain("progression");
    }

    [Fact]
    public void CGA_TREND_different_units_without_reference_limits_are_not_compared()
    {
        var item = Single(Patient.UnresectableCandidate()
            .ChromograninA(400m, Ago.Months(6), ChromograninUnit.MassConcentration)
            .ChromograninA(20m, Ago.Months(1), ChromograninUnit.ArbitraryUnits), "CGA-TREND");
        item.Text.Should().Contain("not assessable").And.NotContain("response").And.NotContain("progression");
    }

    [Fact]
    public void CGA_TREND_different_assays_are_compared_as_multiples_of_the_upper_reference_limit()
    {
        // 4 x ULN (ng/mL) then 1 x ULN (U/L): a 75 % fall, never a unit conversion.
        Single(Patient.UnresectableCandidate()
            .ChromograninA(400m, Ago.Months(6), ChromograninUnit.MassConcentration, upperLimit: 100m)
            .ChromograninA(20m, Ago.Months(1), ChromograninUnit.ArbitraryUnits, upperLimit: 20m), "CGA-TREND")
            .Text.Should().Contain("multiples of the upper reference limit").And.Contain("response");
    }

    [Fact]
    public void CGA_TREND_lists_PPI_and_renal_impairment_as_confounders()
    {
        Single(Patient.UnresectableCandidate()
            .Medication(MedicationKind.ProtonPumpInhibitor)
            .Without(FactKind.CreatinineClearance).Clearance(40m)
            .ChromograninA(100m, Ago.Months(6)).ChromograninA(200m, Ago.Months(1)), "CGA-TREND")
            .Text.Should().Contain("proton-pump inhibitor").And.Contain("renal impairment");
    }

    [Fact]
    public void CGA_TREND_no_confounder_listed_without_PPI_or_renal_impairment()
    {
        Single(Patient.UnresectableCandidate().ChromograninA(100m, Ago.Months(6)).ChromograninA(200m, Ago.Months(1)), "CGA-TREND")
            .Text.Should().NotContain("false elevation");
    }

    [Fact]
    public void CGA_TREND_absent_without_chromogranin_A()
    {
        Items(Patient.UnresectableCandidate(), "CGA-TREND").Should().BeEmpty();
    }

    [Theory]
    [InlineData(300, false)]
    [InlineData(301, true)]
    public void Urinary_5HIAA_above_300_gives_a_prognostic_note(int umolPerDay, bool reported)
    {
        var items = Items(Patient.UnresectableCandidate().Urinary5Hiaa(umolPerDay), "5-HIAA");
        items.Should().HaveCount(reported ? 1 : 0);
        items.Should().AllSatisfy(i => i.Text.Should().Contain("prognostic"));
    }
}

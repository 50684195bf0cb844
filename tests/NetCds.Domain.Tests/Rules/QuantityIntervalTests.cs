using NetCds.Domain.Derived;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Rules;

/// <summary>
/// Every threshold rule reads a value reported with a comparator or as a range as the interval it allows: it decides
/// when the whole interval is on one side, and otherwise the rule is unknown (a safety rule gives insufficient-data).
/// </summary>
public sealed class QuantityIntervalTests
{
    private static Interval Gt(decimal v) => Interval.From(v, Comparator.GreaterThan);

    private static Interval Lt(decimal v) => Interval.From(v, Comparator.LessThan);

    private static Patient Candidate() => Patient.UnresectableCandidate();

    // Grade (002 Introduction; WHO)

    [Theory]
    [InlineData(Comparator.LessThan, 3, Grade.G1)]
    [InlineData(Comparator.GreaterThan, 20, Grade.G3)]
    [InlineData(Comparator.AtLeast, 3, null)]
    [InlineData(Comparator.AtMost, 3, null)]
    public void Ki67_bounds_grade_only_when_they_fit_one_grade(Comparator comparator, int bound, Grade? expected)
    {
        var derived = DerivedFacts.From(Patient.New().Differentiation(Differentiation.Well).Ki67(Interval.From(bound, comparator)).Build(), Ago.AsOf, EligibilityPolicy.Default);
        derived.Tumour.Grade.Should().Be(expected);
    }

    [Fact]
    public void Ki67_below_10_is_a_low_grade_NET_without_deciding_G1_or_G2()
    {
        var tumour = DerivedFacts.From(Patient.New().Ki67(Lt(10m)).Build(), Ago.AsOf, EligibilityPolicy.Default).Tumour;
        tumour.Class.Should().Be(TumourClass.NetLowGrade);
        tumour.IsLowGradeNet.Should().BeTrue();
        tumour.Grade.Should().BeNull();
    }

    [Fact]
    public void Ki67_above_10_could_be_G3_so_the_class_stays_unknown_asking_for_Ki67()
    {
        var tumour = DerivedFacts.From(Patient.New().Ki67(Gt(10m)).Build(), Ago.AsOf, EligibilityPolicy.Default).Tumour;
        tumour.Class.Should().BeNull();
        tumour.Missing.Should().Contain(FactKind.Ki67);
    }

    [Fact]
    public void A_mitotic_G3_outranks_a_Ki67_bound_in_the_low_range()
    {
        var tumour = DerivedFacts.From(Patient.New().Differentiation(Differentiation.Well).Ki67(Lt(10m)).Mitoses(25m).Build(), Ago.AsOf, EligibilityPolicy.Default).Tumour;
        tumour.Class.Should().Be(TumourClass.NetG3);
        tumour.ShowsG3.Should().BeTrue();
    }

    [Fact]
    public void A_low_grade_NET_by_bounds_passes_the_G1_G2_gate_of_embolization()
    {
        Candidate().Without(FactKind.Ki67).Ki67(Lt(10m)).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("EMB-IND", FindingEffect.Eligible);
    }

    [Fact]
    public void SSA_ANTIPROLIF_does_not_decide_between_G1_eligible_and_G2_consider_from_a_bound()
    {
        Candidate().Without(FactKind.Ki67).Ki67(Lt(10m)).Assess(TherapyId.Ssa)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("SSA-ANTIPROLIF", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.Ki67);
    }

    // SIRT-SHUNT (safety)

    [Fact]
    public void SIRT_SHUNT_above_20_is_contraindicated()
    {
        Candidate().Without(FactKind.LungShuntFraction).LungShunt(Gt(20m)).Assess(TherapyId.Sirt)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("SIRT-SHUNT", FindingEffect.Contraindicated);
    }

    [Fact]
    public void SIRT_SHUNT_below_30_does_not_rule_out_above_20_so_it_is_insufficient_data()
    {
        Candidate().Without(FactKind.LungShuntFraction).LungShunt(Lt(30m)).Assess(TherapyId.Sirt)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("SIRT-SHUNT", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.LungShuntFraction);
    }

    [Theory]
    [InlineData(Comparator.AtMost, 20)]
    [InlineData(Comparator.LessThan, 10)]
    public void SIRT_SHUNT_a_bound_at_or_below_20_passes(Comparator comparator, int bound)
    {
        Candidate().Without(FactKind.LungShuntFraction).LungShunt(Interval.From(bound, comparator)).Assess(TherapyId.Sirt)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("SIRT-SHUNT", FindingEffect.Eligible);
    }

    [Fact]
    public void SIRT_SHUNT_a_range_across_20_decides_nothing()
    {
        Candidate().Without(FactKind.LungShuntFraction).LungShunt(Interval.Between(15m, 25m)).Assess(TherapyId.Sirt)
            .ShouldHaveFired("SIRT-SHUNT", FindingEffect.InsufficientData);
    }

    // EMB-LIVER and SIRT-LIVER (safety): the same bands in mg/dL

    [Theory]
    [InlineData("EMB-LIVER", TherapyId.Emb)]
    [InlineData("SIRT-LIVER", TherapyId.Sirt)]
    public void LIVER_bilirubin_above_3_is_contraindicated(string rule, TherapyId therapy)
    {
        Candidate().Without(FactKind.Bilirubin).Bilirubin(Gt(3m)).Assess(therapy)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired(rule, FindingEffect.Contraindicated);
    }

    [Theory]
    [InlineData("EMB-LIVER", TherapyId.Emb)]
    [InlineData("SIRT-LIVER", TherapyId.Sirt)]
    public void LIVER_bilirubin_above_2_5_does_not_rule_out_above_3(string rule, TherapyId therapy)
    {
        Candidate().Without(FactKind.Bilirubin).Bilirubin(Gt(2.5m)).Assess(therapy)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired(rule, FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.Bilirubin);
    }

    [Theory]
    [InlineData("EMB-LIVER", TherapyId.Emb, 2.0, EligibilityStatus.Consider)]
    [InlineData("EMB-LIVER", TherapyId.Emb, 1.99, EligibilityStatus.Eligible)]
    [InlineData("EMB-LIVER", TherapyId.Emb, 3.0, EligibilityStatus.Consider)]
    [InlineData("EMB-LIVER", TherapyId.Emb, 3.01, EligibilityStatus.Contraindicated)]
    [InlineData("SIRT-LIVER", TherapyId.Sirt, 2.0, EligibilityStatus.Consider)]
    [InlineData("SIRT-LIVER", TherapyId.Sirt, 1.99, EligibilityStatus.Eligible)]
    [InlineData("SIRT-LIVER", TherapyId.Sirt, 3.0, EligibilityStatus.Consider)]
    [InlineData("SIRT-LIVER", TherapyId.Sirt, 3.01, EligibilityStatus.Contraindicated)]
    public void LIVER_bands_are_inclusive_2_to_3_mg_dL_for_both_therapies(string rule, TherapyId therapy, double bilirubin, EligibilityStatus expected)
    {
        Candidate().Without(FactKind.Bilirubin).Bilirubin((decimal)bilirubin).Assess(therapy)
            .ShouldBe(expected)
            .ShouldHaveFired(rule, expected.AsEffect());
    }

    [Fact]
    public void LIVER_a_range_inside_the_consider_band_is_consider()
    {
        Candidate().Without(FactKind.Bilirubin).Bilirubin(Interval.Between(2.2m, 2.8m)).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("EMB-LIVER", FindingEffect.Consider);
    }

    [Fact]
    public void LIVER_the_card_shows_the_bound_as_written()
    {
        var emb = Candidate().Without(FactKind.Bilirubin).Bilirubin(Gt(3m)).Assess(TherapyId.Emb);
        emb.Findings.Single(f => f.Rule == "EMB-LIVER").Inputs.Single().Value.Should().Be("> 3 mg/dL");
    }

    // EMB-COAG, PRRT-MARROW, PRRT-RENAL (safety)

    [Fact]
    public void EMB_COAG_platelets_below_100_do_not_rule_out_below_50()
    {
        Candidate().Without(FactKind.Platelets).Platelets(Lt(100m)).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("EMB-COAG", FindingEffect.InsufficientData)
            .ShouldNotHaveFired("EMB-COAG", FindingEffect.Eligible);
    }

    [Fact]
    public void EMB_COAG_INR_above_2_contraindicates()
    {
        Candidate().Without(FactKind.Inr).Inr(Gt(2m)).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("EMB-COAG", FindingEffect.Contraindicated);
    }

    [Fact]
    public void PRRT_RENAL_clearance_above_60_passes_and_below_70_does_not_decide()
    {
        Candidate().Without(FactKind.CreatinineClearance).Clearance(Gt(60m)).Assess(TherapyId.Prrt)
            .ShouldHaveFired("PRRT-RENAL", FindingEffect.Eligible);
        Candidate().Without(FactKind.CreatinineClearance).Clearance(Lt(70m)).Assess(TherapyId.Prrt)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("PRRT-RENAL", FindingEffect.InsufficientData);
    }

    [Fact]
    public void PRRT_MARROW_haemoglobin_below_10_does_not_rule_out_below_8()
    {
        Candidate().Without(FactKind.Haemoglobin).Haemoglobin(Lt(10m)).Assess(TherapyId.Prrt)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("PRRT-MARROW", FindingEffect.InsufficientData);
    }

    // ABL-SIZE, ABL-COUNT, EMB-BURDEN, SIRT-BURDEN, LT-BURDEN, RES-CUR

    [Theory]
    [InlineData(Comparator.LessThan, 5, EligibilityStatus.Eligible)]
    [InlineData(Comparator.GreaterThan, 12, EligibilityStatus.NotIndicated)]
    [InlineData(Comparator.LessThan, 8, EligibilityStatus.InsufficientData)]
    public void ABL_COUNT_on_a_reported_bound(Comparator comparator, int bound, EligibilityStatus expected)
    {
        Candidate().Without(FactKind.LesionCount).LesionCount(Interval.From(bound, comparator)).Assess(TherapyId.Abl)
            .ShouldHaveFired("ABL-COUNT", expected.AsEffect());
    }

    [Theory]
    [InlineData(Comparator.GreaterThan, 7, EligibilityStatus.NotIndicated)]
    // "< 6 cm" is under 5 cm (eligible) or 5-6 cm (consider); with the candidate's 8 lesions (ABL-COUNT consider)
    // both cases are consider, so it is decided by cases (DecidedByCasesTests has the case that asks for the size).
    [InlineData(Comparator.LessThan, 6, EligibilityStatus.Consider)]
    public void ABL_SIZE_on_a_reported_bound(Comparator comparator, int bound, EligibilityStatus expected)
    {
        Candidate().Without(FactKind.LargestLesion).LargestLesion(Interval.From(bound, comparator)).Assess(TherapyId.Abl)
            .ShouldHaveFired("ABL-SIZE", expected.AsEffect());
    }

    [Theory]
    [InlineData(Comparator.GreaterThan, 75, EligibilityStatus.Contraindicated)]
    [InlineData(Comparator.AtMost, 50, EligibilityStatus.Eligible)]
    [InlineData(Comparator.GreaterThan, 60, EligibilityStatus.InsufficientData)]
    public void EMB_BURDEN_on_a_reported_bound(Comparator comparator, int bound, EligibilityStatus expected)
    {
        Candidate().Burden(Interval.From(bound, comparator)).Assess(TherapyId.Emb)
            .ShouldHaveFired("EMB-BURDEN", expected.AsEffect());
    }

    [Theory]
    [InlineData(Comparator.GreaterThan, 75, EligibilityStatus.Consider)]
    [InlineData(Comparator.GreaterThan, 50, EligibilityStatus.InsufficientData)]
    public void SIRT_BURDEN_on_a_reported_bound(Comparator comparator, int bound, EligibilityStatus expected)
    {
        Candidate().Burden(Interval.From(bound, comparator)).Assess(TherapyId.Sirt)
            .ShouldHaveFired("SIRT-BURDEN", expected.AsEffect());
    }

    [Theory]
    [InlineData(Comparator.LessThan, 50, EligibilityStatus.Eligible)]
    [InlineData(Comparator.AtLeast, 50, EligibilityStatus.NotIndicated)]
    [InlineData(Comparator.LessThan, 60, EligibilityStatus.InsufficientData)]
    public void LT_BURDEN_on_a_reported_bound(Comparator comparator, int bound, EligibilityStatus expected)
    {
        Patient.UnresectableCandidate().BornYearsAgo(45).Burden(Interval.From(bound, comparator)).Assess(TherapyId.Lt)
            .ShouldHaveFired("LT-BURDEN", expected.AsEffect());
    }

    [Fact]
    public void RES_CUR_a_resectable_fraction_range_across_90_leaves_resectability_unknown()
    {
        var derived = DerivedFacts.From(Candidate().ResectableFraction(Interval.Between(80m, 95m)).Build(), Ago.AsOf, EligibilityPolicy.Default);
        derived.Resectability.Kind.Should().Be(ResectabilityKind.Unknown);
        Candidate().ResectableFraction(Gt(90m)).Assess(TherapyId.Res).ShouldHaveFired("RES-CUR", FindingEffect.Eligible);
    }
}

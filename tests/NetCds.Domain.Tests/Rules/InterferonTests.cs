using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Rules;

/// <summary>
/// INF-IND: consider when any one of four alternatives holds (002 Table 1, 001): (a) G1; (b) SSTR-negative
/// (Krenning 0-1) G1/G2; (c) G1/G2 pancreatic NET whatever its recorded course ("slowly progressive pNETs", revised
/// 2026-12-06); (d) SSA failure. NEC and NET G3
/// are not indicated; a G2 meeting none is not indicated; only unknowns in the way give insufficient-data.
/// </summary>
public sealed class InterferonTests
{
    /// <summary>Pancreatic NET G1 with liver metastases, SSTR Krenning 3, stable for 9 months, no SSA.</summary>
    private static Patient StableG1() => Patient.UnresectableCandidate();

    /// <summary>Small-bowel NET G2 (Ki-67 10 %), SSTR Krenning 3, stable, no SSA: none of the four alternatives holds.</summary>
    private static Patient SmallBowelG2() => StableG1().Without(FactKind.PrimarySite).Primary(PrimarySite.SmallIntestine).Without(FactKind.Ki67).Ki67(10m);

    // (a) G1

    [Fact]
    public void INF_IND_any_G1_is_consider_even_stable_SSTR_positive_and_not_pancreatic()
    {
        SmallBowelG2().Without(FactKind.Ki67).Ki67(2.9m).Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("INF-IND", FindingEffect.Consider);
    }

    [Fact]
    public void INF_IND_G2_meeting_none_of_the_alternatives_is_not_indicated()
    {
        SmallBowelG2().Without(FactKind.Ki67).Ki67(3m).Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("INF-IND", FindingEffect.NotIndicated);
    }

    [Fact]
    public void INF_IND_Ki67_reported_below_3_is_G1_and_consider()
    {
        SmallBowelG2().Without(FactKind.Ki67).Ki67(Interval.From(3m, Comparator.LessThan)).Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.Consider);
    }

    [Fact]
    public void INF_IND_Ki67_reported_below_10_does_not_decide_G1_so_it_asks_for_Ki67()
    {
        SmallBowelG2().Without(FactKind.Ki67).Ki67(Interval.From(10m, Comparator.LessThan)).Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldMiss(FactKind.Ki67);
    }

    // (b) SSTR-negative

    [Theory]
    [InlineData(0, EligibilityStatus.Consider)]
    [InlineData(1, EligibilityStatus.Consider)]
    [InlineData(2, EligibilityStatus.NotIndicated)]
    public void INF_IND_SSTR_negative_is_Krenning_0_or_1(int krenning, EligibilityStatus expected)
    {
        SmallBowelG2().Without(FactKind.SstrUptake).Sstr(krenning).Assess(TherapyId.Inf)
            .ShouldBe(expected)
            .ShouldHaveFired("INF-IND", expected.AsEffect());
    }

    [Fact]
    public void INF_IND_G2_without_SSTR_imaging_asks_for_it()
    {
        SmallBowelG2().Without(FactKind.SstrUptake).Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("INF-IND", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.SstrUptake);
    }

    // (c) well-differentiated G1/G2 pancreatic NET, whatever its recorded course

    [Fact]
    public void INF_IND_stable_pancreatic_G2_is_consider()
    {
        StableG1().Without(FactKind.Ki67).Ki67(10m).Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("INF-IND", FindingEffect.Consider);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(12)]
    [InlineData(13)]
    public void INF_IND_pancreatic_G2_is_consider_whatever_its_recorded_course(int progressedMonthsAgo)
    {
        StableG1().Without(FactKind.Ki67).Ki67(10m).Progressing(Ago.Months(progressedMonthsAgo)).Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("INF-IND", FindingEffect.Consider);
    }

    [Fact]
    public void INF_IND_pancreatic_G2_with_the_course_unknown_is_consider_the_course_does_not_matter()
    {
        StableG1().Without(FactKind.Ki67).Ki67(10m).Without(FactKind.DiseaseStatus).Without(FactKind.LargestLesion).Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("INF-IND", FindingEffect.Consider);
    }

    [Fact]
    public void INF_IND_progressing_G2_outside_the_pancreas_without_an_SSA_is_not_indicated()
    {
        SmallBowelG2().Progressing().Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("INF-IND", FindingEffect.NotIndicated);
    }

    [Fact]
    public void INF_IND_G2_with_the_primary_site_unknown_asks_for_it()
    {
        SmallBowelG2().Without(FactKind.PrimarySite).Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldMiss(FactKind.PrimarySite);
    }

    // (d) SSA failure

    [Fact]
    public void INF_IND_progression_on_an_SSA_is_consider_for_a_G2_small_bowel_NET()
    {
        SmallBowelG2().Medication(MedicationKind.SomatostatinAnalogue, at: Ago.Months(8)).Progressing().Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("INF-IND", FindingEffect.Consider);
    }

    [Fact]
    public void INF_IND_progression_during_a_past_SSA_course_is_SSA_failure()
    {
        SmallBowelG2().Medication(MedicationKind.SomatostatinAnalogue, active: false, at: Ago.Months(20), until: Ago.Months(10))
            .Progressing(Ago.Months(14)).DiseaseStatus(DiseaseStatus.Stable, Ago.Months(1))
            .Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.Consider);
    }

    [Fact]
    public void INF_IND_progression_without_an_SSA_is_not_SSA_failure()
    {
        SmallBowelG2().Progressing().Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("INF-IND", FindingEffect.NotIndicated);
    }

    [Fact]
    public void INF_IND_on_an_SSA_with_the_course_unknown_asks_for_disease_status()
    {
        SmallBowelG2().Medication(MedicationKind.SomatostatinAnalogue).Without(FactKind.DiseaseStatus).Without(FactKind.LargestLesion)
            .Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldMiss(FactKind.DiseaseStatus);
    }

    // High grade, limits

    [Fact]
    public void INF_IND_NEC_is_not_indicated_even_when_progressing_on_an_SSA()
    {
        StableG1().Without(FactKind.Differentiation).Differentiation(Differentiation.Poorly)
            .Medication(MedicationKind.SomatostatinAnalogue).Progressing()
            .Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("INF-IND", FindingEffect.NotIndicated);
    }

    [Fact]
    public void INF_IND_NET_G3_is_not_indicated_even_when_SSTR_negative()
    {
        StableG1().Without(FactKind.Ki67).Ki67(20.1m).Without(FactKind.SstrUptake).Sstr(0)
            .Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("INF-IND", FindingEffect.NotIndicated);
    }

    [Fact]
    public void INF_IND_is_never_better_than_consider()
    {
        var inf = StableG1().Progressing().Without(FactKind.SstrUptake).Sstr(0).Medication(MedicationKind.SomatostatinAnalogue)
            .Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("INF-IND", FindingEffect.Consider);
        inf.Findings.Should().NotContain(f => f.Effect == FindingEffect.Eligible);
    }

    [Fact]
    public void INF_IND_grade_unknown_asks_for_Ki67()
    {
        StableG1().Without(FactKind.Ki67).Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("INF-IND", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.Ki67);
    }

    [Fact]
    public void INF_IND_needs_liver_metastases()
    {
        StableG1().Progressing().Without(FactKind.LiverMetastases).Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("INF-IND", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.LiverMetastases);
    }
}

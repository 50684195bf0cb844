using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Rules;

/// <summary>INF-IND: interferon-alpha for G1 slowly progressive and/or SSTR-negative tumours, or after SSA failure; at most consider.</summary>
public sealed class InterferonTests
{
    /// <summary>Pancreatic NET G1 with liver metastases, SSTR Krenning 3, stable for 9 months, no SSA.</summary>
    private static Patient StableG1() => Patient.UnresectableCandidate();

    private static Patient G2(Patient patient) => patient.Without(FactKind.Ki67).Ki67(10m);

    [Fact]
    public void INF_IND_slowly_progressive_G1_is_consider()
    {
        StableG1().Progressing().Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("INF-IND", FindingEffect.Consider);
    }

    [Fact]
    public void INF_IND_SSTR_negative_G1_is_consider_even_when_stable()
    {
        StableG1().Without(FactKind.SstrUptake).Sstr(0).Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("INF-IND", FindingEffect.Consider);
    }

    [Fact]
    public void INF_IND_stable_SSTR_positive_G1_without_SSA_failure_is_not_indicated()
    {
        StableG1().Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("INF-IND", FindingEffect.NotIndicated);
    }

    [Fact]
    public void INF_IND_progression_on_an_SSA_is_consider_as_alternative_after_SSA_failure()
    {
        G2(StableG1()).Medication(MedicationKind.SomatostatinAnalogue).Progressing().Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("INF-IND", FindingEffect.Consider);
    }

    [Fact]
    public void INF_IND_progressive_G2_without_an_SSA_is_not_indicated()
    {
        G2(StableG1()).Progressing().Assess(TherapyId.Inf)
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
    public void INF_IND_NEC_is_not_indicated_even_when_progressing_on_an_SSA()
    {
        StableG1().Without(FactKind.Differentiation).Differentiation(Differentiation.Poorly)
            .Medication(MedicationKind.SomatostatinAnalogue).Progressing()
            .Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("INF-IND", FindingEffect.NotIndicated);
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
    public void INF_IND_course_unknown_for_SSTR_positive_G1_asks_for_disease_status()
    {
        StableG1().Without(FactKind.DiseaseStatus).Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("INF-IND", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.DiseaseStatus);
    }

    [Fact]
    public void INF_IND_stable_G1_without_SSTR_imaging_asks_for_it()
    {
        StableG1().Without(FactKind.SstrUptake).Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("INF-IND", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.SstrUptake);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void INF_IND_progression_inside_the_12_month_window_is_consider(int monthsAgo)
    {
        StableG1().Progressing(Ago.Months(monthsAgo)).Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("INF-IND", FindingEffect.Consider);
    }

    [Fact]
    public void INF_IND_progression_13_months_ago_then_stable_is_not_indicated()
    {
        StableG1().Progressing(Ago.Months(13)).DiseaseStatus(DiseaseStatus.Stable, Ago.Months(1)).Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("INF-IND", FindingEffect.NotIndicated);
    }

    [Fact]
    public void INF_IND_progression_13_months_ago_with_nothing_since_is_unknown_not_stable()
    {
        StableG1().Progressing(Ago.Months(13)).Without(FactKind.LargestLesion).Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("INF-IND", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.DiseaseStatus);
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

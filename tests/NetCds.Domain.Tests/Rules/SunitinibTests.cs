using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Rules;

/// <summary>SUN: sunitinib for advanced progressive well-differentiated pancreatic NET only.</summary>
public sealed class SunitinibTests
{
    /// <summary>Unresectable pancreatic NET G1 with liver metastases, progression a month ago.</summary>
    private static Patient ProgressivePnet() => Patient.UnresectableCandidate().Progressing();

    [Fact]
    public void SUN_IND_progressive_pancreatic_NET_is_eligible()
    {
        ProgressivePnet().Assess(TherapyId.Sun)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("SUN-IND", FindingEffect.Eligible);
    }

    [Fact]
    public void SUN_IND_documented_stable_disease_is_not_indicated()
    {
        Patient.UnresectableCandidate().StableFor(9).Assess(TherapyId.Sun)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("SUN-IND", FindingEffect.NotIndicated);
    }

    [Fact]
    public void SUN_IND_disease_course_unknown_is_insufficient_data()
    {
        Patient.UnresectableCandidate().Without(FactKind.DiseaseStatus).Assess(TherapyId.Sun)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("SUN-IND", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.DiseaseStatus);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void SUN_IND_progression_inside_the_12_month_window_is_eligible(int monthsAgo)
    {
        Patient.UnresectableCandidate().Progressing(Ago.Months(monthsAgo)).Assess(TherapyId.Sun)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("SUN-IND", FindingEffect.Eligible);
    }

    [Fact]
    public void SUN_IND_progression_13_months_ago_with_no_assessment_since_is_insufficient_data()
    {
        Patient.UnresectableCandidate().Progressing(Ago.Months(13)).Without(FactKind.LargestLesion).Assess(TherapyId.Sun)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("SUN-IND", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.DiseaseStatus);
    }

    [Fact]
    public void SUN_IND_progression_13_months_ago_then_stable_is_not_indicated()
    {
        Patient.UnresectableCandidate().Progressing(Ago.Months(13)).DiseaseStatus(DiseaseStatus.Stable, Ago.Months(1)).Assess(TherapyId.Sun)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("SUN-IND", FindingEffect.NotIndicated);
    }

    [Fact]
    public void SUN_FAILED_progression_while_on_sunitinib_is_not_indicated()
    {
        var sun = ProgressivePnet().Medication(MedicationKind.Sunitinib, at: Ago.Months(6)).Assess(TherapyId.Sun)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("SUN-FAILED", FindingEffect.NotIndicated);
        sun.Findings.Single(f => f.Rule == "SUN-FAILED").Reason.Should().Contain("sunitinib");
    }

    [Fact]
    public void SUN_FAILED_progression_before_sunitinib_started_is_not_failure()
    {
        ProgressivePnet().Medication(MedicationKind.Sunitinib, at: Ago.Days(5)).Assess(TherapyId.Sun)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldNotHaveFired("SUN-FAILED", FindingEffect.NotIndicated);
    }

    [Fact]
    public void SUN_FAILED_everolimus_failure_does_not_end_sunitinib()
    {
        ProgressivePnet().Medication(MedicationKind.Everolimus, at: Ago.Months(6)).Assess(TherapyId.Sun)
            .ShouldBe(EligibilityStatus.Eligible);
    }

    [Fact]
    public void SUN_SITE_NEC_is_not_indicated()
    {
        ProgressivePnet().Without(FactKind.Differentiation).Differentiation(Differentiation.Poorly).Assess(TherapyId.Sun)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("SUN-SITE", FindingEffect.NotIndicated);
    }

    [Fact]
    public void SUN_SITE_progressive_pancreatic_NET_G3_is_consider()
    {
        ProgressivePnet().Without(FactKind.Ki67).Ki67(25m).Assess(TherapyId.Sun)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("SUN-SITE", FindingEffect.Consider);
    }

    [Fact]
    public void SUN_IND_stable_NET_G3_is_not_indicated()
    {
        Patient.UnresectableCandidate().Without(FactKind.Ki67).Ki67(25m).Assess(TherapyId.Sun)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("SUN-IND", FindingEffect.NotIndicated);
    }

    [Fact]
    public void SUN_IND_grade_unknown_asks_for_Ki67()
    {
        ProgressivePnet().Without(FactKind.Ki67).Assess(TherapyId.Sun)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("SUN-IND", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.Ki67);
    }

    [Fact]
    public void SUN_IND_is_not_gated_by_resectability()
    {
        Patient.ResectableCandidate().Progressing().Assess(TherapyId.Sun)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("SUN-IND", FindingEffect.Eligible);
        ProgressivePnet().Assess(TherapyId.Sun)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("SUN-IND", FindingEffect.Eligible);
    }

    [Theory]
    [InlineData(PrimarySite.SmallIntestine)]
    [InlineData(PrimarySite.Lung)]
    [InlineData(PrimarySite.Stomach)]
    [InlineData(PrimarySite.Rectum)]
    [InlineData(PrimarySite.UnknownPrimary)]
    public void SUN_SITE_non_pancreatic_primary_is_not_indicated(PrimarySite site)
    {
        ProgressivePnet().Without(FactKind.PrimarySite).Primary(site).Assess(TherapyId.Sun)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("SUN-SITE", FindingEffect.NotIndicated)
            .ShouldNotHaveFired("SUN-IND", FindingEffect.Eligible);
    }

    [Fact]
    public void SUN_SITE_primary_site_not_recorded_is_insufficient_data()
    {
        ProgressivePnet().Without(FactKind.PrimarySite).Assess(TherapyId.Sun)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("SUN-SITE", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.PrimarySite);
    }

    [Theory]
    [InlineData(5, false)]
    [InlineData(5.1, true)]
    public void SUN_KI67_note_when_Ki67_above_5_percent_leaves_status_alone(double ki67, bool noted)
    {
        var sun = ProgressivePnet().Without(FactKind.Ki67).Ki67((decimal)ki67).Assess(TherapyId.Sun)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("SUN-IND", FindingEffect.Eligible);
        sun.Fired("SUN-KI67", FindingEffect.Note).Should().Be(noted, AssessmentAssertions.Explain(sun));
    }
}

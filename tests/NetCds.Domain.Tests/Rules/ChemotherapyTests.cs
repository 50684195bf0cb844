using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Rules;

/// <summary>CHEMO: streptozocin/CAPTEM for progressive pNET and foregut G2, platinum-etoposide for NEC, not for low-grade midgut.</summary>
public sealed class ChemotherapyTests
{
    /// <summary>Unresectable pancreatic NET G1 with liver metastases, progression a month ago.</summary>
    private static Patient ProgressivePnet() => Patient.UnresectableCandidate().Progressing();

    private static Patient At(Patient patient, PrimarySite site) => patient.Without(FactKind.PrimarySite).Primary(site);

    private static Patient Nec(Patient patient) => patient.Without(FactKind.Differentiation).Differentiation(Differentiation.Poorly).Without(FactKind.Ki67).Ki67(60m);

    [Fact]
    public void CHEMO_PNET_progressive_pancreatic_NET_G1_is_eligible()
    {
        ProgressivePnet().Assess(TherapyId.Chemo)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("CHEMO-PNET", FindingEffect.Eligible);
    }

    [Fact]
    public void CHEMO_PNET_stable_non_functioning_pNET_is_not_indicated()
    {
        Patient.UnresectableCandidate().Assess(TherapyId.Chemo)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("CHEMO-PNET", FindingEffect.NotIndicated);
    }

    [Fact]
    public void CHEMO_PNET_stable_functioning_pNET_is_consider_for_poorly_controlled_symptoms()
    {
        Patient.UnresectableCandidate().Condition(ConditionKind.Vipoma).Assess(TherapyId.Chemo)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("CHEMO-PNET", FindingEffect.Consider);
    }

    [Fact]
    public void CHEMO_PNET_disease_course_unknown_is_insufficient_data()
    {
        Patient.UnresectableCandidate().Without(FactKind.DiseaseStatus).Assess(TherapyId.Chemo)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("CHEMO-PNET", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.DiseaseStatus);
    }

    [Fact]
    public void CHEMO_PNET_progression_11_months_ago_is_eligible()
    {
        Patient.UnresectableCandidate().Progressing(Ago.Months(11)).Assess(TherapyId.Chemo)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("CHEMO-PNET", FindingEffect.Eligible);
    }

    [Fact]
    public void CHEMO_PNET_progression_13_months_ago_with_no_assessment_since_is_insufficient_data()
    {
        Patient.UnresectableCandidate().Progressing(Ago.Months(13)).Without(FactKind.LargestLesion).Assess(TherapyId.Chemo)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("CHEMO-PNET", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.DiseaseStatus);
    }

    [Fact]
    public void CHEMO_PNET_is_not_gated_by_resectability()
    {
        Patient.ResectableCandidate().Progressing().Assess(TherapyId.Chemo)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("CHEMO-PNET", FindingEffect.Eligible);
        ProgressivePnet().Assess(TherapyId.Chemo)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("CHEMO-PNET", FindingEffect.Eligible);
    }

    [Theory]
    [InlineData(PrimarySite.Stomach)]
    [InlineData(PrimarySite.Duodenum)]
    [InlineData(PrimarySite.Lung)]
    public void CHEMO_PNET_progressive_metastatic_foregut_NET_G2_is_eligible(PrimarySite site)
    {
        At(ProgressivePnet(), site).Without(FactKind.Ki67).Ki67(10m).Assess(TherapyId.Chemo)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("CHEMO-PNET", FindingEffect.Eligible);
    }

    [Fact]
    public void CHEMO_PNET_foregut_NET_G1_outside_the_pancreas_is_not_indicated()
    {
        At(ProgressivePnet(), PrimarySite.Stomach).Assess(TherapyId.Chemo)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("CHEMO-PNET", FindingEffect.NotIndicated);
    }

    [Fact]
    public void CHEMO_PNET_primary_site_unknown_for_low_grade_NET_is_insufficient_data()
    {
        ProgressivePnet().Without(FactKind.PrimarySite).Assess(TherapyId.Chemo)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("CHEMO-PNET", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.PrimarySite);
    }

    [Fact]
    public void CHEMO_PNET_grade_unknown_asks_for_Ki67()
    {
        ProgressivePnet().Without(FactKind.Ki67).Assess(TherapyId.Chemo)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("CHEMO-PNET", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.Ki67);
    }

    [Theory]
    [InlineData(PrimarySite.SmallIntestine, 2)]
    [InlineData(PrimarySite.SmallIntestine, 15)]
    [InlineData(PrimarySite.Appendix, 2)]
    public void CHEMO_MIDGUT_low_grade_midgut_NET_is_not_indicated_even_when_progressing(PrimarySite site, int ki67)
    {
        At(ProgressivePnet(), site).Without(FactKind.Ki67).Ki67(ki67).Assess(TherapyId.Chemo)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("CHEMO-MIDGUT", FindingEffect.NotIndicated);
    }

    [Theory]
    [InlineData(PrimarySite.Pancreas)]
    [InlineData(PrimarySite.SmallIntestine)]
    [InlineData(PrimarySite.Lung)]
    [InlineData(PrimarySite.UnknownPrimary)]
    public void CHEMO_NEC_platinum_etoposide_for_NEC_of_any_site_is_eligible(PrimarySite site)
    {
        Nec(At(Patient.UnresectableCandidate(), site)).Assess(TherapyId.Chemo)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("CHEMO-NEC", FindingEffect.Eligible)
            .ShouldNotHaveFired("CHEMO-MIDGUT", FindingEffect.NotIndicated);
    }

    [Fact]
    public void CHEMO_NEC_does_not_need_the_primary_site()
    {
        Nec(Patient.UnresectableCandidate().Without(FactKind.PrimarySite)).Assess(TherapyId.Chemo)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("CHEMO-NEC", FindingEffect.Eligible);
    }

    [Fact]
    public void CHEMO_G3_well_differentiated_pancreatic_NET_G3_is_consider()
    {
        ProgressivePnet().Without(FactKind.Ki67).Ki67(25m).Assess(TherapyId.Chemo)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("CHEMO-G3", FindingEffect.Consider)
            .ShouldNotHaveFired("CHEMO-NEC", FindingEffect.Consider);
    }

    [Theory]
    [InlineData(PrimarySite.SmallIntestine)]
    [InlineData(PrimarySite.Lung)]
    [InlineData(PrimarySite.Rectum)]
    public void CHEMO_G3_applies_to_NET_G3_of_any_site_where_G1_G2_would_not_be_indicated(PrimarySite site)
    {
        var g3 = ProgressivePnet().Without(FactKind.PrimarySite).Primary(site).Without(FactKind.Ki67);
        g3.Ki67(20.1m).Assess(TherapyId.Chemo)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("CHEMO-G3", FindingEffect.Consider);
    }

    [Fact]
    public void CHEMO_G3_boundary_Ki67_20_is_G2_and_not_CHEMO_G3()
    {
        ProgressivePnet().Without(FactKind.Ki67).Ki67(20m).Assess(TherapyId.Chemo)
            .ShouldNotHaveFired("CHEMO-G3", FindingEffect.Consider)
            .ShouldHaveFired("CHEMO-PNET", FindingEffect.Eligible);
    }

    [Fact]
    public void CHEMO_G3_Ki67_reported_as_above_20_is_G3()
    {
        ProgressivePnet().Without(FactKind.Ki67).Ki67(Interval.From(20m, Comparator.GreaterThan)).Assess(TherapyId.Chemo)
            .ShouldHaveFired("CHEMO-G3", FindingEffect.Consider);
    }

    [Fact]
    public void CHEMO_NEC_G3_without_reported_differentiation_asks_for_it()
    {
        ProgressivePnet().Without(FactKind.Differentiation).Without(FactKind.Ki67).Ki67(25m).Assess(TherapyId.Chemo)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("CHEMO-PNET", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.Differentiation);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CHEMO_OXALI_sinusoidal_obstruction_note_is_on_every_card_and_leaves_status_alone(bool progressing)
    {
        var patient = progressing ? ProgressivePnet() : Patient.UnresectableCandidate();
        patient.Assess(TherapyId.Chemo)
            .ShouldBe(progressing ? EligibilityStatus.Eligible : EligibilityStatus.NotIndicated)
            .ShouldHaveFired("CHEMO-OXALI", FindingEffect.Note);
    }
}

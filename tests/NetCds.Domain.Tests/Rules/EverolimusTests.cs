using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Rules;

/// <summary>EVE: everolimus for advanced progressive G1/G2 pNET; carcinoid and non-pancreatic uses are consider.</summary>
public sealed class EverolimusTests
{
    private static readonly EligibilityPolicy Enets = new() { Everolimus = new() { Line = EverolimusLinePolicy.AfterChemotherapy } };

    /// <summary>Unresectable pancreatic NET G1 with liver metastases, progression a month ago.</summary>
    private static Patient ProgressivePnet() => Patient.UnresectableCandidate().Progressing();

    private static Patient At(Patient patient, PrimarySite site) => patient.Without(FactKind.PrimarySite).Primary(site);

    // EVE-FAILED [site policy]

    [Fact]
    public void EVE_FAILED_progression_while_on_everolimus_is_not_indicated_naming_drug_start_and_progression()
    {
        var eve = ProgressivePnet().Medication(MedicationKind.Everolimus, at: Ago.Months(8)).Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("EVE-FAILED", FindingEffect.NotIndicated);
        var finding = eve.Findings.Single(f => f.Rule == "EVE-FAILED");
        finding.Reason.Should().Contain("everolimus").And.Contain(Ago.Months(8).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))
            .And.Contain(Ago.Months(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        finding.Inputs.Select(i => i.Fact).Should().Contain([FactKind.Medication, FactKind.DiseaseStatus]);
    }

    [Fact]
    public void EVE_FAILED_progression_before_the_start_is_not_failure()
    {
        ProgressivePnet().Medication(MedicationKind.Everolimus, at: Ago.Days(10)).Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldNotHaveFired("EVE-FAILED", FindingEffect.NotIndicated);
    }

    [Fact]
    public void EVE_FAILED_progression_after_the_course_ended_is_not_failure_on_it()
    {
        ProgressivePnet().Medication(MedicationKind.Everolimus, active: false, at: Ago.Months(12), until: Ago.Months(3)).Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldNotHaveFired("EVE-FAILED", FindingEffect.NotIndicated);
    }

    [Fact]
    public void EVE_FAILED_progression_on_the_last_day_of_the_course_counts()
    {
        ProgressivePnet().Medication(MedicationKind.Everolimus, active: false, at: Ago.Months(12), until: Ago.Months(1)).Assess(TherapyId.Eve)
            .ShouldHaveFired("EVE-FAILED", FindingEffect.NotIndicated);
    }

    [Fact]
    public void EVE_FAILED_is_site_policy_a_site_can_turn_into_a_note()
    {
        var policy = new EligibilityPolicy { Everolimus = new() { ProgressionOnDrugIsFailure = false } };
        var eve = ProgressivePnet().Medication(MedicationKind.Everolimus, at: Ago.Months(8)).Assess(TherapyId.Eve, policy)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("EVE-FAILED", FindingEffect.Note);
        eve.Findings.Single(f => f.Rule == "EVE-FAILED").SitePolicy.Should().Contain(s => s.Setting == "Eligibility:Everolimus:ProgressionOnDrugIsFailure");
    }

    [Fact]
    public void EVE_FAILED_sunitinib_failure_does_not_end_everolimus()
    {
        ProgressivePnet().Medication(MedicationKind.Sunitinib, at: Ago.Months(8)).Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.Eligible);
    }

    [Fact]
    public void EVE_IND_progressive_pancreatic_NET_G1_is_eligible()
    {
        ProgressivePnet().Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("EVE-IND", FindingEffect.Eligible);
    }

    [Fact]
    public void EVE_IND_progressive_pancreatic_NET_G2_is_eligible()
    {
        ProgressivePnet().Without(FactKind.Ki67).Ki67(15m).Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("EVE-IND", FindingEffect.Eligible);
    }

    [Fact]
    public void EVE_IND_documented_stable_disease_is_not_indicated()
    {
        Patient.UnresectableCandidate().StableFor(9).Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("EVE-IND", FindingEffect.NotIndicated);
    }

    [Fact]
    public void EVE_IND_disease_course_unknown_is_insufficient_data()
    {
        Patient.UnresectableCandidate().Without(FactKind.DiseaseStatus).Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("EVE-IND", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.DiseaseStatus);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void EVE_IND_progression_inside_the_12_month_window_is_eligible(int monthsAgo)
    {
        Patient.UnresectableCandidate().Progressing(Ago.Months(monthsAgo)).Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("EVE-IND", FindingEffect.Eligible);
    }

    [Fact]
    public void EVE_IND_progression_13_months_ago_with_no_assessment_since_is_insufficient_data()
    {
        Patient.UnresectableCandidate().Progressing(Ago.Months(13)).Without(FactKind.LargestLesion).Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("EVE-IND", FindingEffect.InsufficientData)
            .ShouldNotHaveFired("EVE-IND", FindingEffect.Eligible)
            .ShouldMiss(FactKind.DiseaseStatus);
    }

    [Fact]
    public void EVE_IND_progression_13_months_ago_then_stable_is_not_indicated()
    {
        Patient.UnresectableCandidate().Progressing(Ago.Months(13)).DiseaseStatus(DiseaseStatus.Stable, Ago.Months(1)).Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("EVE-IND", FindingEffect.NotIndicated);
    }

    [Fact]
    public void EVE_IND_NEC_is_not_indicated()
    {
        ProgressivePnet().Without(FactKind.Differentiation).Differentiation(Differentiation.Poorly).Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("EVE-IND", FindingEffect.NotIndicated);
    }

    [Fact]
    public void EVE_IND_progressive_well_differentiated_NET_G3_is_consider()
    {
        ProgressivePnet().Without(FactKind.Ki67).Ki67(25m).Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("EVE-IND", FindingEffect.Consider);
    }

    [Fact]
    public void EVE_IND_stable_NET_G3_is_not_indicated_as_stable_disease_outranks_consider()
    {
        Patient.UnresectableCandidate().Without(FactKind.Ki67).Ki67(25m).Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("EVE-IND", FindingEffect.Consider)
            .ShouldHaveFired("EVE-IND", FindingEffect.NotIndicated);
    }

    [Fact]
    public void EVE_IND_grade_unknown_asks_for_Ki67()
    {
        ProgressivePnet().Without(FactKind.Ki67).Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("EVE-IND", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.Ki67);
    }

    [Fact]
    public void EVE_IND_grade_and_course_unknown_name_both_missing_inputs()
    {
        Patient.UnresectableCandidate().Without(FactKind.Ki67).Without(FactKind.DiseaseStatus).Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldMiss(FactKind.Ki67)
            .ShouldMiss(FactKind.DiseaseStatus);
    }

    [Fact]
    public void EVE_IND_primary_site_unknown_is_insufficient_data()
    {
        ProgressivePnet().Without(FactKind.PrimarySite).Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("EVE-IND", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.PrimarySite);
    }

    [Fact]
    public void EVE_IND_is_not_gated_by_resectability()
    {
        Patient.ResectableCandidate().Progressing().Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("EVE-IND", FindingEffect.Eligible);
        ProgressivePnet().Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("EVE-IND", FindingEffect.Eligible);
    }

    [Fact]
    public void EVE_LINE_default_policy_accepts_first_line_and_leaves_eligible()
    {
        var eve = ProgressivePnet().Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("EVE-LINE", FindingEffect.Note)
            .ShouldNotHaveFired("EVE-LINE", FindingEffect.Consider);
        eve.Findings.Single(f => f.Rule == "EVE-LINE").SitePolicy
            .Should().Contain(PolicySetting.Of("Eligibility:Everolimus:Line", EverolimusLinePolicy.FirstLineAcceptable));
    }

    [Fact]
    public void EVE_LINE_ENETS_policy_turns_chemotherapy_naive_eligible_into_consider()
    {
        var eve = ProgressivePnet().Assess(TherapyId.Eve, Enets)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("EVE-IND", FindingEffect.Eligible)
            .ShouldHaveFired("EVE-LINE", FindingEffect.Consider);
        eve.Findings.Single(f => f.Rule == "EVE-LINE").SitePolicy
            .Should().Contain(PolicySetting.Of("Eligibility:Everolimus:Line", EverolimusLinePolicy.AfterChemotherapy));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EVE_LINE_ENETS_policy_leaves_eligible_after_chemotherapy(bool stillOnChemotherapy)
    {
        ProgressivePnet().Medication(MedicationKind.Chemotherapy, active: stillOnChemotherapy).Assess(TherapyId.Eve, Enets)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("EVE-LINE", FindingEffect.Note)
            .ShouldNotHaveFired("EVE-LINE", FindingEffect.Consider);
    }

    [Fact]
    public void EVE_LINE_ENETS_policy_does_not_soften_a_not_indicated_stable_pNET()
    {
        Patient.UnresectableCandidate().Assess(TherapyId.Eve, Enets)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("EVE-IND", FindingEffect.NotIndicated)
            .ShouldNotHaveFired("EVE-LINE", FindingEffect.Consider);
    }

    [Fact]
    public void EVE_CARCINOID_functioning_midgut_carcinoid_on_an_SSA_is_consider()
    {
        At(ProgressivePnet(), PrimarySite.SmallIntestine)
            .Condition(ConditionKind.CarcinoidSyndrome)
            .Medication(MedicationKind.SomatostatinAnalogue)
            .Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("EVE-CARCINOID", FindingEffect.Consider)
            .ShouldNotHaveFired("EVE-NONPANC", FindingEffect.Consider);
    }

    private static Patient FunctioningCarcinoidOnSsa() => At(Patient.UnresectableCandidate(), PrimarySite.SmallIntestine)
        .Condition(ConditionKind.CarcinoidSyndrome)
        .Medication(MedicationKind.SomatostatinAnalogue, at: Ago.Months(24));

    [Theory]
    [InlineData(12, EligibilityStatus.Consider)]
    [InlineData(13, EligibilityStatus.NotIndicated)]
    public void EVE_CARCINOID_needs_progression_within_12_months(int progressedMonthsAgo, EligibilityStatus expected)
    {
        FunctioningCarcinoidOnSsa().Progressing(Ago.Months(progressedMonthsAgo)).DiseaseStatus(DiseaseStatus.Stable, Ago.Months(1))
            .Assess(TherapyId.Eve)
            .ShouldBe(expected)
            .ShouldHaveFired("EVE-CARCINOID", expected.AsEffect());
    }

    [Fact]
    public void EVE_CARCINOID_documented_stable_disease_is_not_indicated()
    {
        FunctioningCarcinoidOnSsa().StableFor(9).Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("EVE-CARCINOID", FindingEffect.NotIndicated)
            .ShouldNotHaveFired("EVE-CARCINOID", FindingEffect.Consider);
    }

    [Fact]
    public void EVE_CARCINOID_course_unknown_is_insufficient_data()
    {
        FunctioningCarcinoidOnSsa().Without(FactKind.DiseaseStatus).Without(FactKind.LargestLesion).Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("EVE-CARCINOID", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.DiseaseStatus);
    }

    [Theory]
    [InlineData(PrimarySite.Lung)]
    [InlineData(PrimarySite.SmallIntestine)]
    [InlineData(PrimarySite.Stomach)]
    [InlineData(PrimarySite.Colon)]
    public void EVE_NONPANC_non_functioning_lung_or_GI_NET_is_consider_as_site_policy(PrimarySite site)
    {
        var eve = At(ProgressivePnet(), site).Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("EVE-NONPANC", FindingEffect.Consider)
            .ShouldNotHaveFired("EVE-IND", FindingEffect.Eligible);
        eve.Findings.Single(f => f.Rule == "EVE-NONPANC").SitePolicy.Should().NotBeEmpty();
    }

    [Fact]
    public void EVE_NONPANC_extra_abdominal_non_lung_primary_is_not_indicated()
    {
        At(ProgressivePnet(), PrimarySite.OtherExtraAbdominal).Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("EVE-NONPANC", FindingEffect.NotIndicated);
    }

    [Fact]
    public void EVE_NONPANC_documented_unknown_primary_is_outside_the_lung_GI_evidence()
    {
        At(ProgressivePnet(), PrimarySite.UnknownPrimary).Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("EVE-NONPANC", FindingEffect.NotIndicated);
    }

    [Fact]
    public void EVE_NONPANC_is_site_policy_a_site_can_turn_off()
    {
        var policy = new EligibilityPolicy { Everolimus = new() { NonPancreatic = false } };

        At(ProgressivePnet(), PrimarySite.SmallIntestine).Assess(TherapyId.Eve, policy)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("EVE-NONPANC", FindingEffect.NotIndicated);
    }

    [Fact]
    public void EVE_NONPANC_functioning_duodenal_gastrinoma_is_neither_non_functioning_nor_carcinoid()
    {
        At(ProgressivePnet(), PrimarySite.Duodenum).Condition(ConditionKind.ZollingerEllison).Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("EVE-NONPANC", FindingEffect.NotIndicated)
            .ShouldNotHaveFired("EVE-NONPANC", FindingEffect.Consider);
    }

    [Fact]
    public void EVE_NONPANC_NEC_of_the_lung_stays_not_indicated()
    {
        At(ProgressivePnet(), PrimarySite.Lung).Without(FactKind.Differentiation).Differentiation(Differentiation.Poorly)
            .Assess(TherapyId.Eve)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("EVE-IND", FindingEffect.NotIndicated)
            .ShouldNotHaveFired("EVE-NONPANC", FindingEffect.Consider);
    }
}

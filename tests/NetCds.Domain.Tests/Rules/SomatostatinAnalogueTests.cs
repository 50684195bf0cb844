using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Rules;

/// <summary>SSA: somatostatin analogues, symptom control and antiproliferative use (catalogue "SSA").</summary>
public sealed class SomatostatinAnalogueTests
{
    /// <summary>Non-functioning pancreatic NET G1 with liver metastases, SSTR Krenning 3, unresectable.</summary>
    private static Patient NonFunctioningG1() => Patient.UnresectableCandidate();

    private static Patient WithKi67(Patient patient, decimal ki67) => patient.Without(FactKind.Ki67).Ki67(ki67);

    private static Patient WithSstr(Patient patient, int krenning) => patient.Without(FactKind.SstrUptake).Sstr(krenning);

    [Fact]
    public void SSA_ANTIPROLIF_NET_G1_with_positive_SSTR_imaging_is_eligible()
    {
        NonFunctioningG1().Assess(TherapyId.Ssa)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("SSA-ANTIPROLIF", FindingEffect.Eligible)
            .ShouldHaveFired("SSA-SSTR", FindingEffect.Eligible)
            .ShouldNotHaveFired("SSA-SYMPTOM", FindingEffect.Eligible);
    }

    // SSA-FAILED

    [Fact]
    public void SSA_FAILED_progression_after_the_SSA_start_makes_the_antiproliferative_use_consider_and_names_drug_and_dates()
    {
        var a = NonFunctioningG1().Medication(MedicationKind.SomatostatinAnalogue, at: Ago.Months(10), drug: "octreotide LAR")
            .Progressing(Ago.Months(2)).Assess(TherapyId.Ssa)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("SSA-FAILED", FindingEffect.Consider)
            .ShouldHaveFired("SSA-ANTIPROLIF", FindingEffect.Eligible);

        var finding = a.Findings.Single(f => f.Rule == "SSA-FAILED");
        finding.Reason.Should().Contain("octreotide LAR").And.Contain(Ago.Months(10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))
            .And.Contain(Ago.Months(2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        finding.Inputs.Select(i => i.Fact).Should().Contain([FactKind.Medication, FactKind.DiseaseStatus]);
    }

    [Fact]
    public void SSA_FAILED_progression_before_the_SSA_start_is_not_failure()
    {
        NonFunctioningG1().Progressing(Ago.Months(6)).Medication(MedicationKind.SomatostatinAnalogue, at: Ago.Months(4))
            .Assess(TherapyId.Ssa)
            .ShouldBe(EligibilityStatus.Eligible)
            .Fired("SSA-FAILED").Should().BeFalse();
    }

    [Fact]
    public void SSA_FAILED_progression_after_the_SSA_ended_is_not_failure_on_it()
    {
        NonFunctioningG1().Medication(MedicationKind.SomatostatinAnalogue, active: false, at: Ago.Months(20), until: Ago.Months(8))
            .Progressing(Ago.Months(2)).Assess(TherapyId.Ssa)
            .ShouldBe(EligibilityStatus.Eligible)
            .Fired("SSA-FAILED").Should().BeFalse();
    }

    [Fact]
    public void SSA_FAILED_leaves_the_symptom_use_eligible()
    {
        NonFunctioningG1().Condition(ConditionKind.CarcinoidSyndrome).Medication(MedicationKind.SomatostatinAnalogue, at: Ago.Months(10))
            .Progressing(Ago.Months(2)).Assess(TherapyId.Ssa)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("SSA-SYMPTOM", FindingEffect.Eligible)
            .ShouldHaveFired("SSA-FAILED", FindingEffect.Consider);
    }

    [Fact]
    public void SSA_ANTIPROLIF_NET_G2_is_consider_because_data_are_lacking()
    {
        WithKi67(NonFunctioningG1(), 10m).Assess(TherapyId.Ssa)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("SSA-ANTIPROLIF", FindingEffect.Consider);
    }

    [Fact]
    public void SSA_ANTIPROLIF_non_functioning_pancreatic_NET_G3_is_not_indicated()
    {
        WithKi67(NonFunctioningG1(), 25m).Assess(TherapyId.Ssa)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("SSA-ANTIPROLIF", FindingEffect.NotIndicated);
    }

    [Fact]
    public void SSA_ANTIPROLIF_NET_G3_outside_the_pancreas_is_consider()
    {
        WithKi67(NonFunctioningG1().Without(FactKind.PrimarySite).Primary(PrimarySite.SmallIntestine), 25m).Assess(TherapyId.Ssa)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("SSA-ANTIPROLIF", FindingEffect.Consider);
    }

    [Fact]
    public void SSA_ANTIPROLIF_non_functioning_NET_G3_with_unrecorded_primary_site_is_insufficient_data_not_false()
    {
        WithKi67(NonFunctioningG1().Without(FactKind.PrimarySite), 25m).Assess(TherapyId.Ssa)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("SSA-ANTIPROLIF", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.PrimarySite);
    }

    [Fact]
    public void SSA_ANTIPROLIF_poorly_differentiated_NEC_is_not_indicated()
    {
        NonFunctioningG1().Without(FactKind.Differentiation).Differentiation(Differentiation.Poorly).Assess(TherapyId.Ssa)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("SSA-ANTIPROLIF", FindingEffect.NotIndicated);
    }

    [Fact]
    public void SSA_ANTIPROLIF_grade_unknown_asks_for_Ki67()
    {
        NonFunctioningG1().Without(FactKind.Ki67).Assess(TherapyId.Ssa)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("SSA-ANTIPROLIF", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.Ki67);
    }

    [Theory]
    [InlineData(0, EligibilityStatus.NotIndicated, FindingEffect.NotIndicated)]
    [InlineData(1, EligibilityStatus.Consider, FindingEffect.Consider)]
    [InlineData(2, EligibilityStatus.Eligible, FindingEffect.Eligible)]
    [InlineData(4, EligibilityStatus.Eligible, FindingEffect.Eligible)]
    public void SSA_SSTR_Krenning_score_decides_antiproliferative_use(int krenning, EligibilityStatus expected, FindingEffect effect)
    {
        WithSstr(NonFunctioningG1(), krenning).Assess(TherapyId.Ssa)
            .ShouldBe(expected)
            .ShouldHaveFired("SSA-SSTR", effect);
    }

    [Fact]
    public void SSA_SSTR_missing_imaging_gives_insufficient_data_for_a_non_functioning_tumour()
    {
        var ssa = NonFunctioningG1().Without(FactKind.SstrUptake).Assess(TherapyId.Ssa)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("SSA-SSTR", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.SstrUptake);
        ssa.Missing.Single(m => m.Fact == FactKind.SstrUptake).Order.Should().Be(ClinicalOrder.SstrImaging);
    }

    [Theory]
    [InlineData(ConditionKind.CarcinoidSyndrome)]
    [InlineData(ConditionKind.ZollingerEllison)]
    [InlineData(ConditionKind.Vipoma)]
    [InlineData(ConditionKind.Glucagonoma)]
    public void SSA_SYMPTOM_functioning_tumour_is_eligible_for_symptom_control_even_when_SSTR_negative(ConditionKind syndrome)
    {
        WithSstr(NonFunctioningG1().Condition(syndrome), 0).Assess(TherapyId.Ssa)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("SSA-SYMPTOM", FindingEffect.Eligible)
            .ShouldHaveFired("SSA-SSTR", FindingEffect.NotIndicated);
    }

    [Fact]
    public void SSA_SYMPTOM_without_SSTR_imaging_is_eligible_with_SSTR_imaging_as_prerequisite()
    {
        var ssa = NonFunctioningG1().Condition(ConditionKind.CarcinoidSyndrome).Without(FactKind.SstrUptake).Assess(TherapyId.Ssa)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("SSA-SYMPTOM", FindingEffect.Eligible);
        ssa.Prerequisites.Should().ContainSingle(p => p.Rule == "SSA-SYMPTOM")
            .Which.Order.Should().Be(ClinicalOrder.SstrImaging);
    }

    [Fact]
    public void SSA_SYMPTOM_with_SSTR_imaging_on_record_has_no_imaging_prerequisite()
    {
        var ssa = NonFunctioningG1().Condition(ConditionKind.CarcinoidSyndrome).Assess(TherapyId.Ssa)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("SSA-SYMPTOM", FindingEffect.Eligible);
        ssa.Prerequisites.Should().NotContain(p => p.Rule == "SSA-SYMPTOM");
    }

    [Fact]
    public void SSA_SYMPTOM_status_is_the_better_of_the_two_uses_for_a_functioning_NEC()
    {
        NonFunctioningG1().Condition(ConditionKind.CarcinoidSyndrome)
            .Without(FactKind.Differentiation).Differentiation(Differentiation.Poorly)
            .Assess(TherapyId.Ssa)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("SSA-SYMPTOM", FindingEffect.Eligible)
            .ShouldHaveFired("SSA-ANTIPROLIF", FindingEffect.NotIndicated);
    }

    [Fact]
    public void SSA_INSULINOMA_caps_symptom_control_at_consider()
    {
        NonFunctioningG1().Condition(ConditionKind.Insulinoma).Assess(TherapyId.Ssa)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("SSA-INSULINOMA", FindingEffect.Consider)
            .ShouldHaveFired("SSA-SYMPTOM", FindingEffect.Eligible);
    }

    [Fact]
    public void SSA_INSULINOMA_is_site_policy_a_site_can_turn_off()
    {
        var policy = new EligibilityPolicy { SomatostatinAnalogues = new() { InsulinomaConsider = false } };

        NonFunctioningG1().Condition(ConditionKind.Insulinoma).Assess(TherapyId.Ssa, policy)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldNotHaveFired("SSA-INSULINOMA", FindingEffect.Consider);
        NonFunctioningG1().Condition(ConditionKind.Insulinoma).Assess(TherapyId.Ssa)
            .Findings.Single(f => f.Rule == "SSA-INSULINOMA").SitePolicy.Should().ContainSingle(s => s.Setting == "Eligibility:SomatostatinAnalogues:InsulinomaConsider");
    }

    [Fact]
    public void SSA_INSULINOMA_does_not_fire_for_other_syndromes()
    {
        NonFunctioningG1().Condition(ConditionKind.ZollingerEllison).Assess(TherapyId.Ssa)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldNotHaveFired("SSA-INSULINOMA", FindingEffect.Consider);
    }

    [Theory]
    [InlineData(10, true)]
    [InlineData(10.1, false)]
    public void SSA_PROMID_note_with_liver_involvement_at_most_10_percent_and_resected_primary(double burden, bool noted)
    {
        var ssa = NonFunctioningG1().Burden((decimal)burden).Assess(TherapyId.Ssa)
            .ShouldBe(EligibilityStatus.Eligible);
        ssa.Fired("SSA-PROMID", FindingEffect.Note).Should().Be(noted, AssessmentAssertions.Explain(ssa));
    }

    [Fact]
    public void SSA_PROMID_needs_the_primary_resected()
    {
        NonFunctioningG1().Burden(5m).Without(FactKind.PrimaryResection).Assess(TherapyId.Ssa)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldNotHaveFired("SSA-PROMID", FindingEffect.Note);
    }

    [Fact]
    public void SSA_PROPHYLAXIS_functioning_tumour_needs_perioperative_octreotide_before_PRRT()
    {
        var prrt = NonFunctioningG1().Condition(ConditionKind.CarcinoidSyndrome).Assess(TherapyId.Prrt)
            .ShouldBe(EligibilityStatus.Eligible);
        prrt.Prerequisites.Should().Contain(p => p.Rule == "SSA-PROPHYLAXIS", AssessmentAssertions.Explain(prrt));
    }

    [Theory]
    [InlineData(TherapyId.Res)]
    [InlineData(TherapyId.Abl)]
    [InlineData(TherapyId.Emb)]
    [InlineData(TherapyId.Sirt)]
    [InlineData(TherapyId.Prrt)]
    public void SSA_PROPHYLAXIS_is_a_prerequisite_of_every_procedure_for_a_functioning_tumour(TherapyId procedure)
    {
        var functioning = Patient.UnresectableCandidate().Condition(ConditionKind.CarcinoidSyndrome).Assess(procedure);
        var nonFunctioning = Patient.UnresectableCandidate().Assess(procedure);

        functioning.Prerequisites.Should().Contain(p => p.Rule == "SSA-PROPHYLAXIS", AssessmentAssertions.Explain(functioning));
        nonFunctioning.Prerequisites.Should().NotContain(p => p.Rule == "SSA-PROPHYLAXIS", AssessmentAssertions.Explain(nonFunctioning));
    }

    [Theory]
    [InlineData(TherapyId.Ssa)]
    [InlineData(TherapyId.Eve)]
    [InlineData(TherapyId.Sun)]
    [InlineData(TherapyId.Chemo)]
    public void SSA_PROPHYLAXIS_is_not_asked_for_systemic_drugs(TherapyId systemic)
    {
        var assessment = Patient.UnresectableCandidate().Condition(ConditionKind.CarcinoidSyndrome).Assess(systemic);
        assessment.Prerequisites.Should().NotContain(p => p.Rule == "SSA-PROPHYLAXIS", AssessmentAssertions.Explain(assessment));
    }

    [Fact]
    public void SSA_is_not_gated_by_resectability()
    {
        Patient.ResectableCandidate().Assess(TherapyId.Ssa).Status
            .Should().Be(Patient.UnresectableCandidate().Assess(TherapyId.Ssa).Status)
            .And.Be(EligibilityStatus.Eligible);
    }
}

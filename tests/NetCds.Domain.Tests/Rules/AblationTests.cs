using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Rules;

/// <summary>ABL: thermal ablation (catalogue "ABL").</summary>
public sealed class AblationTests
{
    /// <summary>Surgically unresectable NET G1 with 3 lesions, largest 2.5 cm: eligible for ablation.</summary>
    private static Patient Candidate() => Patient.UnresectableCandidate().Lesions(3, 2.5m);

    [Fact]
    public void Few_small_lesions_in_unresectable_disease_are_eligible()
    {
        Candidate().Assess(TherapyId.Abl)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("ABL-IND", FindingEffect.Eligible)
            .ShouldHaveFired("ABL-SIZE", FindingEffect.Eligible)
            .ShouldHaveFired("ABL-COUNT", FindingEffect.Eligible);
    }

    // ABL-IND

    [Fact]
    public void ABL_IND_resectable_disease_is_consider_as_adjunct_to_resection()
    {
        Patient.ResectableCandidate().Assess(TherapyId.Abl)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("ABL-IND", FindingEffect.Consider)
            .ShouldNotHaveFired("ABL-IND", FindingEffect.Eligible);
    }

    [Fact]
    public void ABL_IND_indicated_when_resectability_is_unknown()
    {
        var patient = Patient.ResectableCandidate().Lesions(6, 2.5m);
        patient.Evaluate().Facts.Resectability.Code.Should().Be("unknown");

        patient.Assess(TherapyId.Abl)
            .ShouldHaveFired("ABL-IND", FindingEffect.Eligible)
            .ShouldNotHaveFired("ABL-IND", FindingEffect.InsufficientData);
    }

    [Fact]
    public void ABL_IND_no_liver_metastases_is_not_indicated()
    {
        Candidate().Without(FactKind.LiverMetastases).LesionCount(0).Assess(TherapyId.Abl)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("ABL-IND", FindingEffect.NotIndicated);
    }

    [Fact]
    public void ABL_IND_unknown_grade_is_insufficient_data_asking_for_ki67()
    {
        Candidate().Without(FactKind.Ki67).Assess(TherapyId.Abl)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("ABL-IND", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.Ki67);
    }

    // ABL-NEC

    [Fact]
    public void ABL_NEC_poorly_differentiated_carcinoma_is_not_indicated()
    {
        Candidate().Without(FactKind.Differentiation).Differentiation(Differentiation.Poorly).Assess(TherapyId.Abl)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("ABL-NEC", FindingEffect.NotIndicated);
    }

    [Fact]
    public void ABL_NEC_well_differentiated_NET_G3_is_consider()
    {
        Candidate().Without(FactKind.Ki67).Ki67(25m).Assess(TherapyId.Abl)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("ABL-NEC", FindingEffect.Consider);
    }

    // ABL-SIZE

    [Theory]
    [InlineData(4.9, EligibilityStatus.Eligible)]
    [InlineData(5.0, EligibilityStatus.Consider)]
    [InlineData(7.0, EligibilityStatus.Consider)]
    [InlineData(7.1, EligibilityStatus.NotIndicated)]
    public void ABL_SIZE_under_5_cm_eligible_5_to_7_consider_over_7_not_indicated_as_sole_therapy(double largestCm, EligibilityStatus expected)
    {
        Candidate().Lesions(3, (decimal)largestCm).Assess(TherapyId.Abl)
            .ShouldBe(expected)
            .ShouldHaveFired("ABL-SIZE", expected.AsEffect());
    }

    [Fact]
    public void ABL_SIZE_limits_are_configurable()
    {
        var policy = new EligibilityPolicy { Ablation = new() { SizeEligibleBelowCm = 4m } };
        var patient = Candidate().Lesions(3, 4.5m);

        patient.Assess(TherapyId.Abl).ShouldBe(EligibilityStatus.Eligible);
        patient.Assess(TherapyId.Abl, policy)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("ABL-SIZE", FindingEffect.Consider);
    }

    // ABL-COUNT

    [Theory]
    [InlineData(4, EligibilityStatus.Eligible)]
    [InlineData(5, EligibilityStatus.Consider)]
    [InlineData(12, EligibilityStatus.Consider)]
    [InlineData(13, EligibilityStatus.NotIndicated)]
    public void ABL_COUNT_fewer_than_5_eligible_5_to_12_consider_more_not_indicated(int lesions, EligibilityStatus expected)
    {
        Candidate().Lesions(lesions, 2.5m).Assess(TherapyId.Abl)
            .ShouldBe(expected)
            .ShouldHaveFired("ABL-COUNT", expected.AsEffect());
    }

    // Missing data

    [Theory]
    [InlineData(FactKind.LargestLesion, "ABL-SIZE")]
    [InlineData(FactKind.LesionCount, "ABL-COUNT")]
    public void Missing_imaging_input_is_insufficient_data_naming_it(FactKind fact, string rule)
    {
        var a = Candidate().Without(fact).Assess(TherapyId.Abl)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired(rule, FindingEffect.InsufficientData)
            .ShouldMiss(fact);

        a.Missing.Should().Contain(m => m.Fact == fact && m.Rule == rule && m.Order == ClinicalOrder.LiverImaging);
    }

    [Fact]
    public void ABL_SIZE_over_7_cm_is_a_limit_of_the_indication_not_a_harm_and_wins_over_missing_lesion_count()
    {
        Candidate().Lesions(3, 8m).Without(FactKind.LesionCount).Assess(TherapyId.Abl)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("ABL-SIZE", FindingEffect.NotIndicated)
            .ShouldNotHaveFired("ABL-SIZE", FindingEffect.Contraindicated)
            .ShouldMiss(FactKind.LesionCount);
    }

    [Fact]
    public void ABL_COUNT_not_indicated_wins_over_missing_size()
    {
        Candidate().Lesions(13, 2.5m).Without(FactKind.LargestLesion).Assess(TherapyId.Abl)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("ABL-COUNT", FindingEffect.NotIndicated)
            .ShouldMiss(FactKind.LargestLesion);
    }

    // ABL-3CM (note)

    [Theory]
    [InlineData(3.0, false)]
    [InlineData(3.1, true)]
    public void ABL_3CM_largest_over_3_cm_notes_shorter_survival_without_changing_the_status(double largestCm, bool fires)
    {
        var a = Candidate().Lesions(3, (decimal)largestCm).Assess(TherapyId.Abl)
            .ShouldBe(EligibilityStatus.Eligible);

        a.Fired("ABL-3CM", FindingEffect.Note).Should().Be(fires, AssessmentAssertions.Explain(a));
    }

    // ABL-VESSEL, ABL-SURFACE (technique)

    [Fact]
    public void ABL_VESSEL_lesion_next_to_a_major_vessel_is_a_technique_hint_only()
    {
        Candidate().NearMajorVessel().Assess(TherapyId.Abl)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("ABL-VESSEL", FindingEffect.Technique);
        Candidate().NearMajorVessel(false).Assess(TherapyId.Abl)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldNotHaveFired("ABL-VESSEL", FindingEffect.Technique);
    }

    [Fact]
    public void ABL_SURFACE_lesion_near_a_vital_structure_is_a_technique_hint_only()
    {
        Candidate().NearVitalStructure().Assess(TherapyId.Abl)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("ABL-SURFACE", FindingEffect.Technique);
        Candidate().NearVitalStructure(false).Assess(TherapyId.Abl)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldNotHaveFired("ABL-SURFACE", FindingEffect.Technique);
    }

    // ABL-CRYO (technique)

    [Theory]
    [InlineData(1.5, 50.0, false)]
    [InlineData(1.51, 220.0, true)]
    [InlineData(1.0, 49.9, true)]
    public void ABL_CRYO_coagulopathy_or_thrombocytopenia_advises_against_cryoablation(double inr, double platelets, bool fires)
    {
        var a = Candidate()
            .Without(FactKind.Inr).Inr((decimal)inr)
            .Without(FactKind.Platelets).Platelets((decimal)platelets)
            .Assess(TherapyId.Abl)
            .ShouldBe(EligibilityStatus.Eligible);

        a.Fired("ABL-CRYO", FindingEffect.Technique).Should().Be(fires, AssessmentAssertions.Explain(a));
    }

    [Fact]
    public void ABL_CRYO_recorded_coagulopathy_is_a_technique_hint_only()
    {
        Candidate().Condition(ConditionKind.Coagulopathy).Assess(TherapyId.Abl)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("ABL-CRYO", FindingEffect.Technique);
    }

    [Fact]
    public void ABL_CRYO_site_policy_INR_limit_moves_the_hint_and_is_quoted()
    {
        var policy = new EligibilityPolicy { Embolization = new() { InrContraindicatedAbove = 1.2m } };
        var patient = Candidate().Without(FactKind.Inr).Inr(1.3m);

        patient.Assess(TherapyId.Abl).ShouldNotHaveFired("ABL-CRYO", FindingEffect.Technique);
        var finding = patient.Assess(TherapyId.Abl, policy)
            .ShouldHaveFired("ABL-CRYO", FindingEffect.Technique)
            .Findings.Single(f => f.Rule == "ABL-CRYO");

        finding.SitePolicy.Should().Contain(new PolicySetting("Eligibility:Embolization:InrContraindicatedAbove", "1.2"));
        finding.Inputs.Should().Contain(i => i.Fact == FactKind.Inr);
        finding.Evidence.Should().Contain(new Evidence("000", "§3"));
    }

    // SSA-PROPHYLAXIS

    [Fact]
    public void SSA_PROPHYLAXIS_functioning_tumour_needs_octreotide_before_ablation()
    {
        Candidate().Condition(ConditionKind.CarcinoidSyndrome).Assess(TherapyId.Abl)
            .ShouldBe(EligibilityStatus.Eligible)
            .Prerequisites.Should().Contain(p => p.Rule == "SSA-PROPHYLAXIS");
        Candidate().Assess(TherapyId.Abl)
            .Prerequisites.Should().NotContain(p => p.Rule == "SSA-PROPHYLAXIS");
    }

    // Evidence and inputs

    [Fact]
    public void ABL_SIZE_finding_cites_the_largest_lesion_with_its_date_and_the_articles()
    {
        var patient = Candidate().Lesions(3, 6m, at: Ago.Days(20));
        var measurement = patient.Build().LargestLesion.Single();

        var finding = patient.Assess(TherapyId.Abl).Findings.Single(f => f.Rule == "ABL-SIZE");

        finding.Effect.Should().Be(FindingEffect.Consider);
        finding.Inputs.Should().ContainSingle(i => i.Fact == FactKind.LargestLesion && i.Source == measurement.Source && i.Date == Ago.Days(20));
        finding.Evidence.Select(e => e.Article).Should().Contain(["002", "003"]);
    }
}

using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Rules;

/// <summary>RES: liver resection, curative or cytoreductive (catalogue "RES").</summary>
public sealed class ResectionTests
{
    /// <summary>Pancreatic NET G1, resected primary, few small bilobar lesions (RES-IDEAL), no surgical assessment yet.</summary>
    private static Patient Candidate() => Patient.ResectableCandidate();

    /// <summary>As <see cref="Candidate"/>, with a surgeon's assessment that all the liver disease can be removed.</summary>
    private static Patient SurgicallyAssessed() => Candidate().ResectableFraction(100m);

    [Fact]
    public void Resectable_candidate_is_eligible()
    {
        Candidate().Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("RES-IND", FindingEffect.Eligible)
            .ShouldHaveFired("RES-EHD", FindingEffect.Eligible)
            .ShouldHaveFired("RES-BONE", FindingEffect.Eligible)
            .ShouldHaveFired("RES-CUR", FindingEffect.Eligible);
    }

    // RES-IND

    [Fact]
    public void RES_IND_no_liver_metastases_is_not_indicated()
    {
        Candidate().Without(FactKind.LiverMetastases).LesionCount(0).Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("RES-IND", FindingEffect.NotIndicated)
            .ShouldNotHaveFired("RES-IND", FindingEffect.Eligible);
    }

    [Fact]
    public void RES_IND_undocumented_liver_metastases_is_insufficient_data()
    {
        SurgicallyAssessed().Without(FactKind.LiverMetastases).Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("RES-IND", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.LiverMetastases);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(15.0)]
    public void RES_IND_well_differentiated_G1_or_G2_is_indicated(double ki67)
    {
        Candidate().Without(FactKind.Ki67).Ki67((decimal)ki67).Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("RES-IND", FindingEffect.Eligible);
    }

    [Fact]
    public void RES_IND_unknown_grade_is_insufficient_data_asking_for_ki67()
    {
        Candidate().Without(FactKind.Ki67).Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("RES-IND", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.Ki67);
    }

    // RES-NEC

    [Fact]
    public void RES_NEC_poorly_differentiated_carcinoma_is_not_indicated()
    {
        Candidate().Without(FactKind.Differentiation).Differentiation(Differentiation.Poorly).Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("RES-NEC", FindingEffect.NotIndicated);
    }

    [Fact]
    public void RES_NEC_well_differentiated_NET_G3_is_consider()
    {
        Candidate().Without(FactKind.Ki67).Ki67(25m).Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("RES-NEC", FindingEffect.Consider);
    }

    // RES-EHD

    [Theory]
    [InlineData(ExtrahepaticDisease.None, EligibilityStatus.Eligible)]
    [InlineData(ExtrahepaticDisease.LimitedStable, EligibilityStatus.Consider)]
    [InlineData(ExtrahepaticDisease.Unresectable, EligibilityStatus.Contraindicated)]
    public void RES_EHD_extrahepatic_disease_beyond_the_primary_contraindicates_limited_stable_is_consider(ExtrahepaticDisease ehd, EligibilityStatus expected)
    {
        Candidate().Without(FactKind.ExtrahepaticDisease).Extrahepatic(ehd).Assess(TherapyId.Res)
            .ShouldBe(expected)
            .ShouldHaveFired("RES-EHD", expected.AsEffect());
    }

    // RES-BONE

    [Theory]
    [InlineData(false, EligibilityStatus.Eligible)]
    [InlineData(true, EligibilityStatus.Contraindicated)]
    public void RES_BONE_bone_metastases_contraindicate(bool boneMetastases, EligibilityStatus expected)
    {
        Candidate().Without(FactKind.BoneMetastases).BoneMetastases(boneMetastases).Assess(TherapyId.Res)
            .ShouldBe(expected)
            .ShouldHaveFired("RES-BONE", expected.AsEffect());
    }

    // Missing data

    [Theory]
    [InlineData(FactKind.ExtrahepaticDisease, "RES-EHD")]
    [InlineData(FactKind.BoneMetastases, "RES-BONE")]
    public void Missing_staging_input_is_insufficient_data_naming_it(FactKind fact, string rule)
    {
        var a = Candidate().Without(fact).Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired(rule, FindingEffect.InsufficientData)
            .ShouldMiss(fact);

        a.Missing.Should().Contain(m => m.Fact == fact && m.Rule == rule);
    }

    [Fact]
    public void RES_BONE_known_contraindication_wins_over_missing_extrahepatic_staging()
    {
        Candidate().Without(FactKind.ExtrahepaticDisease).Without(FactKind.BoneMetastases).BoneMetastases(true).Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("RES-BONE", FindingEffect.Contraindicated)
            .ShouldMiss(FactKind.ExtrahepaticDisease);
    }

    [Fact]
    public void RES_NEC_not_indicated_wins_over_missing_data()
    {
        Candidate().Without(FactKind.BoneMetastases).Without(FactKind.Differentiation).Differentiation(Differentiation.Poorly).Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("RES-NEC", FindingEffect.NotIndicated)
            .ShouldMiss(FactKind.BoneMetastases);
    }

    // RES-CUR and RES-DEBULK: the resectable fraction

    [Theory]
    [InlineData(100.0, EligibilityStatus.Eligible)]
    [InlineData(90.0, EligibilityStatus.Eligible)]
    [InlineData(89.9, EligibilityStatus.NotIndicated)]
    [InlineData(50.0, EligibilityStatus.NotIndicated)]
    public void RES_CUR_at_least_90_percent_removable_is_eligible_below_is_RES_DEBULK_not_indicated(double fraction, EligibilityStatus expected)
    {
        var a = Candidate().ResectableFraction((decimal)fraction).Assess(TherapyId.Res).ShouldBe(expected);

        if (expected == EligibilityStatus.Eligible)
        {
            a.ShouldHaveFired("RES-CUR", FindingEffect.Eligible).ShouldNotHaveFired("RES-DEBULK", FindingEffect.NotIndicated);
        }
        else
        {
            a.ShouldHaveFired("RES-DEBULK", FindingEffect.NotIndicated).ShouldNotHaveFired("RES-DEBULK", FindingEffect.Contraindicated).ShouldNotHaveFired("RES-CUR", FindingEffect.Eligible);
        }
    }

    [Fact]
    public void RES_DEBULK_90_to_99_percent_removable_is_eligible_cytoreduction()
    {
        Candidate().ResectableFraction(95m).Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("RES-DEBULK", FindingEffect.Eligible);
        SurgicallyAssessed().Assess(TherapyId.Res)
            .ShouldNotHaveFired("RES-DEBULK", FindingEffect.Eligible);
    }

    [Fact]
    public void RES_DEBULK_hilar_mass_effect_makes_limited_debulking_consider()
    {
        Patient.UnresectableCandidate().AtHilum().Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("RES-DEBULK", FindingEffect.Consider)
            .ShouldNotHaveFired("RES-DEBULK", FindingEffect.NotIndicated);
    }

    [Fact]
    public void RES_DEBULK_functioning_tumour_adds_a_note_on_refractory_symptoms()
    {
        Patient.UnresectableCandidate().Condition(ConditionKind.CarcinoidSyndrome).Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("RES-DEBULK", FindingEffect.NotIndicated)
            .ShouldHaveFired("RES-DEBULK", FindingEffect.Note);
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(false, ExtrahepaticDisease.Unresectable)]
    public void RES_DEBULK_not_indicated_still_gives_way_to_a_real_contraindication(bool bone, ExtrahepaticDisease? ehd)
    {
        var patient = Patient.UnresectableCandidate().BoneMetastases(bone, Ago.Days(1));
        if (ehd is { } extrahepatic)
        {
            patient.Extrahepatic(extrahepatic, Ago.Days(1));
        }

        patient.Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("RES-DEBULK", FindingEffect.NotIndicated)
            .ShouldHaveFired(bone ? "RES-BONE" : "RES-EHD", FindingEffect.Contraindicated);
    }

    [Fact]
    public void RES_CUR_threshold_is_configurable_within_the_80_to_90_percent_of_004()
    {
        var policy = new EligibilityPolicy { Resection = new() { ResectableFractionAtLeastPercent = 80m } };
        var patient = Candidate().ResectableFraction(85m);

        patient.Assess(TherapyId.Res).ShouldBe(EligibilityStatus.NotIndicated);
        patient.Assess(TherapyId.Res, policy)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("RES-CUR", FindingEffect.Eligible);
    }

    [Fact]
    public void RES_CUR_resectable_on_imaging_needs_a_surgical_assessment_first()
    {
        var a = Candidate().Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("RES-CUR", FindingEffect.Eligible);

        a.Prerequisites.Should().ContainSingle(p => p.Rule == "RES-CUR")
            .Which.Order.Should().Be(ClinicalOrder.HepatobiliarySurgicalAssessment);
    }

    [Fact]
    public void RES_CUR_no_surgical_assessment_prerequisite_once_a_surgeon_has_assessed()
    {
        SurgicallyAssessed().Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("RES-CUR", FindingEffect.Eligible)
            .Prerequisites.Should().NotContain(p => p.Rule == "RES-CUR");
    }

    [Fact]
    public void RES_CUR_unresected_primary_is_a_prerequisite_not_a_bar()
    {
        SurgicallyAssessed().Without(FactKind.PrimaryResection).Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.Eligible)
            .Prerequisites.Should().ContainSingle(p => p.Rule == "RES-CUR" && p.Description.Contains("primary"));
    }

    [Fact]
    public void RES_CUR_inadequate_future_liver_remnant_is_consider()
    {
        SurgicallyAssessed().FutureLiverRemnantAdequate(false).Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("RES-CUR", FindingEffect.Consider);
    }

    [Theory]
    [InlineData(12, 4.0, "likely-unresectable")]
    [InlineData(8, 4.0, "unknown")]
    public void RES_CUR_likely_unresectable_or_unknown_asks_for_the_surgical_assessment(int lesions, double largestCm, string resectability)
    {
        var patient = Candidate().Lesions(lesions, (decimal)largestCm);
        patient.Evaluate().Facts.Resectability.Code.Should().Be(resectability);

        patient.Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("RES-CUR", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.ResectableFraction)
            .Missing.Single(m => m.Fact == FactKind.ResectableFraction).Order.Should().Be(ClinicalOrder.HepatobiliarySurgicalAssessment);
    }

    // RES-IDEAL (note)

    [Fact]
    public void RES_IDEAL_note_fires_for_few_small_lesions_and_does_not_change_the_status()
    {
        var ideal = SurgicallyAssessed().Assess(TherapyId.Res)
            .ShouldHaveFired("RES-IDEAL", FindingEffect.Note);
        var notIdeal = SurgicallyAssessed().Lesions(6, 2.5m).Assess(TherapyId.Res)
            .ShouldNotHaveFired("RES-IDEAL", FindingEffect.Note);

        ideal.Status.Should().Be(EligibilityStatus.Eligible);
        notIdeal.Status.Should().Be(ideal.Status);
    }

    [Fact]
    public void RES_IDEAL_single_lobe_disease_fits_whatever_the_count()
    {
        SurgicallyAssessed().Lesions(8, 6m, LesionDistribution.Unilobar).Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("RES-IDEAL", FindingEffect.Note);
    }

    [Fact]
    public void RES_IDEAL_is_silent_when_bilobar_imaging_lacks_the_lesion_size()
    {
        SurgicallyAssessed().Without(FactKind.LargestLesion).Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldNotHaveFired("RES-IDEAL", FindingEffect.Note);
    }

    [Theory]
    [InlineData(4, 4.9, true)]
    [InlineData(5, 2.9, false)]
    [InlineData(4, 5.0, false)]
    public void RES_IDEAL_oligonodular_is_fewer_than_5_lesions_under_5_cm(int lesions, double largestCm, bool fires)
    {
        var a = SurgicallyAssessed().Lesions(lesions, (decimal)largestCm).Assess(TherapyId.Res).ShouldBe(EligibilityStatus.Eligible);

        a.Fired("RES-IDEAL", FindingEffect.Note).Should().Be(fires, AssessmentAssertions.Explain(a));
    }

    // SSA-PROPHYLAXIS

    [Fact]
    public void SSA_PROPHYLAXIS_functioning_tumour_needs_octreotide_before_surgery()
    {
        Candidate().Condition(ConditionKind.CarcinoidSyndrome).Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.Eligible)
            .Prerequisites.Should().Contain(p => p.Rule == "SSA-PROPHYLAXIS");
        Candidate().Assess(TherapyId.Res)
            .Prerequisites.Should().NotContain(p => p.Rule == "SSA-PROPHYLAXIS");
    }

    // Evidence and inputs

    [Fact]
    public void RES_BONE_finding_cites_its_imaging_input_and_article_002()
    {
        var patient = Candidate().Without(FactKind.BoneMetastases).BoneMetastases(true, Ago.Days(10));
        var observation = patient.Build().BoneMetastases.Single();

        var finding = patient.Assess(TherapyId.Res).Findings.Single(f => f.Rule == "RES-BONE");

        finding.Effect.Should().Be(FindingEffect.Contraindicated);
        finding.Inputs.Should().ContainSingle(i => i.Fact == FactKind.BoneMetastases && i.Source == observation.Source && i.Date == Ago.Days(10));
        finding.Evidence.Should().Contain(e => e.Article == "002");
    }
}

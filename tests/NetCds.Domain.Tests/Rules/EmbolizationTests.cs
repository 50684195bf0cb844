using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Rules;

/// <summary>EMB: transarterial embolization / chemoembolization (catalogue "EMB").</summary>
public sealed class EmbolizationTests
{
    /// <summary>Unresectable NET G1 with a complete, reassuring work-up: eligible for embolization.</summary>
    private static Patient Candidate() => Patient.UnresectableCandidate();

    private static Finding Single(TherapyAssessment a, string rule) => a.Findings.Single(f => f.Rule == rule);

    [Fact]
    public void Unresectable_candidate_is_eligible_with_every_safety_check_passed()
    {
        var a = Candidate().Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("EMB-IND", FindingEffect.Eligible)
            .ShouldHaveFired("EMB-PV", FindingEffect.Eligible)
            .ShouldHaveFired("EMB-LIVER", FindingEffect.Eligible)
            .ShouldHaveFired("EMB-PS", FindingEffect.Eligible)
            .ShouldHaveFired("EMB-COAG", FindingEffect.Eligible)
            .ShouldHaveFired("EMB-BURDEN", FindingEffect.Eligible);

        a.Missing.Should().BeEmpty();
    }

    // EMB-IND

    [Fact]
    public void EMB_IND_resectable_disease_is_consider_because_resection_is_preferred()
    {
        Patient.ResectableCandidate().Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("EMB-IND", FindingEffect.Consider)
            .ShouldNotHaveFired("EMB-IND", FindingEffect.Eligible);
    }

    [Fact]
    public void EMB_IND_no_liver_metastases_is_not_indicated()
    {
        Candidate().Without(FactKind.LiverMetastases).LesionCount(0).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("EMB-IND", FindingEffect.NotIndicated);
    }

    [Fact]
    public void EMB_IND_unknown_grade_is_insufficient_data_asking_for_ki67()
    {
        Candidate().Without(FactKind.Ki67).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("EMB-IND", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.Ki67);
    }

    // EMB-NEC

    [Fact]
    public void EMB_NEC_poorly_differentiated_carcinoma_is_not_indicated()
    {
        Candidate().Without(FactKind.Differentiation).Differentiation(Differentiation.Poorly).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("EMB-NEC", FindingEffect.NotIndicated)
            .ShouldNotHaveFired("EMB-IND", FindingEffect.Eligible);
    }

    [Fact]
    public void EMB_NEC_well_differentiated_NET_G3_is_consider()
    {
        Candidate().Without(FactKind.Ki67).Ki67(25m).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("EMB-NEC", FindingEffect.Consider);
    }

    // EMB-PV

    [Theory]
    [InlineData(PortalVeinStatus.Patent, EligibilityStatus.Eligible)]
    [InlineData(PortalVeinStatus.PartialThrombosis, EligibilityStatus.Consider)]
    [InlineData(PortalVeinStatus.CompleteThrombosis, EligibilityStatus.Contraindicated)]
    public void EMB_PV_complete_portal_vein_thrombosis_contraindicates_partial_is_consider(PortalVeinStatus portalVein, EligibilityStatus expected)
    {
        Candidate().Without(FactKind.PortalVein).PortalVein(portalVein).Assess(TherapyId.Emb)
            .ShouldBe(expected)
            .ShouldHaveFired("EMB-PV", expected.AsEffect());
    }

    [Fact]
    public void EMB_PV_thrombosis_diagnosis_newer_than_patent_imaging_leaves_extent_unknown()
    {
        Candidate().Condition(ConditionKind.PortalVeinThrombosis, Ago.Days(5)).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("EMB-PV", FindingEffect.InsufficientData)
            .ShouldNotHaveFired("EMB-PV", FindingEffect.Eligible)
            .ShouldMiss(FactKind.PortalVein);
    }

    // EMB-LIVER

    [Theory]
    [InlineData(1.99, EligibilityStatus.Eligible)]
    [InlineData(2.0, EligibilityStatus.Consider)]
    [InlineData(3.0, EligibilityStatus.Consider)]
    [InlineData(3.01, EligibilityStatus.Contraindicated)]
    public void EMB_LIVER_bilirubin_above_3_contraindicates_and_2_to_3_is_consider(double bilirubin, EligibilityStatus expected)
    {
        Candidate().Without(FactKind.Bilirubin).Bilirubin((decimal)bilirubin).Assess(TherapyId.Emb)
            .ShouldBe(expected)
            .ShouldHaveFired("EMB-LIVER", expected.AsEffect());
    }

    [Fact]
    public void EMB_LIVER_recorded_liver_failure_contraindicates_even_with_normal_bilirubin()
    {
        Candidate().Condition(ConditionKind.LiverFailure).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("EMB-LIVER", FindingEffect.Contraindicated);
    }

    [Fact]
    public void EMB_LIVER_finding_cites_the_bilirubin_observation_with_its_date_and_article_000()
    {
        var patient = Candidate().Without(FactKind.Bilirubin).Bilirubin(3.4m, Ago.Days(3));
        var observation = patient.Build().Bilirubin.Single();

        var finding = Single(patient.Assess(TherapyId.Emb).ShouldBe(EligibilityStatus.Contraindicated), "EMB-LIVER");

        finding.Effect.Should().Be(FindingEffect.Contraindicated);
        finding.Inputs.Should().ContainSingle(i => i.Fact == FactKind.Bilirubin)
            .Which.Should().Match<InputReference>(i => i.Source == observation.Source && i.Date == Ago.Days(3));
        observation.Source.Should().StartWith("Observation/");
        finding.Evidence.Should().Contain(new Evidence("000", "§4"));
        finding.Reason.Should().NotBeNullOrWhiteSpace();
    }

    // EMB-BILIARY

    [Fact]
    public void EMB_BILIARY_biliary_enteric_anastomosis_contraindicates()
    {
        Candidate().Condition(ConditionKind.BiliaryEntericAnastomosis).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("EMB-BILIARY", FindingEffect.Contraindicated);
    }

    [Fact]
    public void EMB_BILIARY_partial_absence_of_the_pancreas_alone_is_consider_and_asks_which_operation()
    {
        var a = Candidate().Condition(ConditionKind.PartialAbsenceOfPancreas).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("EMB-BILIARY", FindingEffect.Consider)
            .ShouldNotHaveFired("EMB-BILIARY", FindingEffect.Contraindicated);

        var reason = Single(a, "EMB-BILIARY").Reason;
        reason.Should().Contain("which operation").And.Contain("Whipple").And.Contain("distal pancreatectomy");
    }

    [Fact]
    public void EMB_BILIARY_partial_absence_of_the_pancreas_with_a_recorded_anastomosis_contraindicates()
    {
        Candidate().Condition(ConditionKind.PartialAbsenceOfPancreas).Condition(ConditionKind.BiliaryEntericAnastomosis).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("EMB-BILIARY", FindingEffect.Contraindicated)
            .ShouldNotHaveFired("EMB-BILIARY", FindingEffect.Consider);
    }

    // EMB-CIRRHOSIS

    [Fact]
    public void EMB_CIRRHOSIS_active_cirrhosis_is_consider()
    {
        var a = Candidate().Condition(ConditionKind.Cirrhosis).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("EMB-CIRRHOSIS", FindingEffect.Consider);

        Single(a, "EMB-CIRRHOSIS").Evidence.Should().Contain(new Evidence("000", "§4"));
        Candidate().Assess(TherapyId.Emb).ShouldBe(EligibilityStatus.Eligible).Fired("EMB-CIRRHOSIS").Should().BeFalse();
    }

    [Fact]
    public void EMB_CIRRHOSIS_does_not_hide_a_contraindication()
    {
        Candidate().Condition(ConditionKind.Cirrhosis).Condition(ConditionKind.LiverFailure).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("EMB-CIRRHOSIS", FindingEffect.Consider)
            .ShouldHaveFired("EMB-LIVER", FindingEffect.Contraindicated);
    }

    [Fact]
    public void EMB_BURDEN_above_75_percent_quotes_the_site_policy()
    {
        var a = Candidate().Burden(80m).Assess(TherapyId.Emb).ShouldBe(EligibilityStatus.Contraindicated);

        Single(a, "EMB-BURDEN").SitePolicy.Should().ContainSingle(s => s.Setting == "Eligibility:Embolization:BurdenContraindicatedAbovePercent" && s.Value == "75");
    }

    [Fact]
    public void EMB_BILIARY_does_not_fire_without_an_anastomosis()
    {
        Candidate().Assess(TherapyId.Emb).ShouldNotHaveFired("EMB-BILIARY", FindingEffect.Contraindicated);
    }

    // EMB-PS

    [Theory]
    [InlineData(2, EligibilityStatus.Eligible)]
    [InlineData(3, EligibilityStatus.Contraindicated)]
    [InlineData(4, EligibilityStatus.Contraindicated)]
    public void EMB_PS_ECOG_3_or_worse_contraindicates(int ecog, EligibilityStatus expected)
    {
        Candidate().Without(FactKind.Ecog).Ecog(ecog).Assess(TherapyId.Emb)
            .ShouldBe(expected)
            .ShouldHaveFired("EMB-PS", expected.AsEffect());
    }

    [Fact]
    public void EMB_PS_newer_Karnofsky_40_reads_as_ECOG_3_and_contraindicates()
    {
        Candidate().Karnofsky(40, Ago.Days(2)).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("EMB-PS", FindingEffect.Contraindicated);
    }

    // EMB-COAG

    [Theory]
    [InlineData(1.5, EligibilityStatus.Eligible)]
    [InlineData(1.51, EligibilityStatus.Contraindicated)]
    public void EMB_COAG_INR_above_1_5_contraindicates(double inr, EligibilityStatus expected)
    {
        Candidate().Without(FactKind.Inr).Inr((decimal)inr).Assess(TherapyId.Emb)
            .ShouldBe(expected)
            .ShouldHaveFired("EMB-COAG", expected.AsEffect());
    }

    [Theory]
    [InlineData(50.0, EligibilityStatus.Eligible)]
    [InlineData(49.9, EligibilityStatus.Contraindicated)]
    public void EMB_COAG_platelets_below_50_contraindicate(double platelets, EligibilityStatus expected)
    {
        Candidate().Without(FactKind.Platelets).Platelets((decimal)platelets).Assess(TherapyId.Emb)
            .ShouldBe(expected)
            .ShouldHaveFired("EMB-COAG", expected.AsEffect());
    }

    [Theory]
    [InlineData(30.0, EligibilityStatus.Eligible)]
    [InlineData(29.9, EligibilityStatus.Contraindicated)]
    public void EMB_COAG_renal_failure_by_creatinine_clearance_contraindicates(double clearance, EligibilityStatus expected)
    {
        Candidate().Without(FactKind.CreatinineClearance).Clearance((decimal)clearance).Assess(TherapyId.Emb)
            .ShouldBe(expected)
            .ShouldHaveFired("EMB-COAG", expected.AsEffect());
    }

    [Theory]
    [InlineData(ConditionKind.Coagulopathy)]
    [InlineData(ConditionKind.RenalFailure)]
    public void EMB_COAG_recorded_coagulopathy_or_renal_failure_contraindicates(ConditionKind condition)
    {
        Candidate().Condition(condition).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("EMB-COAG", FindingEffect.Contraindicated)
            .ShouldNotHaveFired("EMB-COAG", FindingEffect.Eligible);
    }

    // EMB-BURDEN

    [Theory]
    [InlineData(50.0, EligibilityStatus.Eligible)]
    [InlineData(50.1, EligibilityStatus.Consider)]
    [InlineData(75.0, EligibilityStatus.Consider)]
    [InlineData(75.1, EligibilityStatus.Contraindicated)]
    public void EMB_BURDEN_over_50_percent_is_consider_and_over_75_contraindicates(double burden, EligibilityStatus expected)
    {
        Candidate().Burden((decimal)burden).Assess(TherapyId.Emb)
            .ShouldBe(expected)
            .ShouldHaveFired("EMB-BURDEN", expected.AsEffect());
    }

    [Fact]
    public void EMB_BURDEN_thresholds_are_configurable()
    {
        var policy = new EligibilityPolicy { Embolization = new() { BurdenContraindicatedAbovePercent = 60m } };

        Candidate().Burden(65m).Assess(TherapyId.Emb).ShouldBe(EligibilityStatus.Consider);
        Candidate().Burden(65m).Assess(TherapyId.Emb, policy)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("EMB-BURDEN", FindingEffect.Contraindicated);
    }

    // Missing safety data

    [Theory]
    [InlineData(FactKind.PortalVein, "EMB-PV")]
    [InlineData(FactKind.Bilirubin, "EMB-LIVER")]
    [InlineData(FactKind.Ecog, "EMB-PS")]
    [InlineData(FactKind.Inr, "EMB-COAG")]
    [InlineData(FactKind.Platelets, "EMB-COAG")]
    [InlineData(FactKind.CreatinineClearance, "EMB-COAG")]
    [InlineData(FactKind.TumourBurden, "EMB-BURDEN")]
    public void Missing_safety_input_is_insufficient_data_naming_it(FactKind fact, string rule)
    {
        var a = Candidate().Without(fact).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired(rule, FindingEffect.InsufficientData)
            .ShouldMiss(fact);

        a.Missing.Should().Contain(m => m.Fact == fact && m.Rule == rule);
        a.Missing.Single(m => m.Fact == fact).Order.Should().Be(FactOrders.OrderFor(fact));
    }

    [Fact]
    public void EMB_LIVER_known_contraindication_wins_over_missing_portal_vein()
    {
        Candidate().Without(FactKind.PortalVein).Without(FactKind.Bilirubin).Bilirubin(3.5m).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("EMB-LIVER", FindingEffect.Contraindicated)
            .ShouldHaveFired("EMB-PV", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.PortalVein);
    }

    [Fact]
    public void EMB_PV_missing_data_outranks_a_consider()
    {
        Candidate().Without(FactKind.PortalVein).Burden(60m).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("EMB-BURDEN", FindingEffect.Consider)
            .ShouldMiss(FactKind.PortalVein);
    }

    // Notes: they never change the status

    [Theory]
    [InlineData(ExtrahepaticDisease.LimitedStable)]
    [InlineData(ExtrahepaticDisease.Unresectable)]
    public void EMB_EHD_extrahepatic_disease_is_a_note_not_a_contraindication(ExtrahepaticDisease ehd)
    {
        Candidate().Without(FactKind.ExtrahepaticDisease).Extrahepatic(ehd).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("EMB-EHD", FindingEffect.Note);
    }

    [Fact]
    public void EMB_EHD_unresected_primary_is_a_note_not_a_contraindication()
    {
        Candidate().Without(FactKind.PrimaryResection).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("EMB-EHD", FindingEffect.Note);
    }

    [Fact]
    public void EMB_EHD_is_silent_with_no_extrahepatic_disease_and_a_resected_primary()
    {
        Candidate().Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldNotHaveFired("EMB-EHD", FindingEffect.Note);
    }

    [Fact]
    public void EMB_HILUM_hilar_lesion_is_a_note_only()
    {
        Candidate().AtHilum().Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("EMB-HILUM", FindingEffect.Note);
        Candidate().AtHilum(false).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldNotHaveFired("EMB-HILUM", FindingEffect.Note);
    }

    [Theory]
    [InlineData(3.9, true)]
    [InlineData(4.0, false)]
    public void EMB_DEB_largest_lesion_under_4_cm_notes_drug_eluting_beads_not_advised(double largestCm, bool fires)
    {
        var a = Candidate().Lesions(8, (decimal)largestCm).Assess(TherapyId.Emb).ShouldBe(EligibilityStatus.Eligible);

        a.Fired("EMB-DEB", FindingEffect.Note).Should().Be(fires, AssessmentAssertions.Explain(a));
    }

    [Theory]
    [InlineData(3.4, true)]
    [InlineData(3.5, false)]
    public void EMB_ALB_albumin_under_3_5_notes_poorer_survival(double albumin, bool fires)
    {
        var a = Candidate().Albumin((decimal)albumin, Ago.Days(1)).Assess(TherapyId.Emb).ShouldBe(EligibilityStatus.Eligible);

        a.Fired("EMB-ALB", FindingEffect.Note).Should().Be(fires, AssessmentAssertions.Explain(a));
    }

    // SSA-PROPHYLAXIS

    [Fact]
    public void SSA_PROPHYLAXIS_functioning_tumour_needs_octreotide_before_embolization()
    {
        Candidate().Condition(ConditionKind.CarcinoidSyndrome).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.Eligible)
            .Prerequisites.Should().Contain(p => p.Rule == "SSA-PROPHYLAXIS");
        Candidate().Assess(TherapyId.Emb)
            .Prerequisites.Should().NotContain(p => p.Rule == "SSA-PROPHYLAXIS");
    }

    // Site policy

    [Fact]
    public void EMB_LIVER_site_policy_bilirubin_limit_moves_the_outcome_and_is_quoted()
    {
        var policy = new EligibilityPolicy { Embolization = new() { BilirubinContraindicatedAboveMgDl = 2.5m } };
        var patient = Candidate().Without(FactKind.Bilirubin).Bilirubin(2.8m);

        patient.Assess(TherapyId.Emb).ShouldBe(EligibilityStatus.Consider);
        var a = patient.Assess(TherapyId.Emb, policy)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("EMB-LIVER", FindingEffect.Contraindicated);

        Single(a, "EMB-LIVER").SitePolicy.Should()
            .Contain(new PolicySetting("Eligibility:Embolization:BilirubinContraindicatedAboveMgDl", "2.5"));
    }

    [Fact]
    public void EMB_PS_and_EMB_COAG_quote_their_site_policy_thresholds()
    {
        var a = Candidate().Without(FactKind.Inr).Inr(1.8m).Without(FactKind.Ecog).Ecog(3).Assess(TherapyId.Emb);

        a.Findings.Single(f => f.Rule == "EMB-PS").SitePolicy.Select(s => s.Setting)
            .Should().Contain("Eligibility:Embolization:EcogContraindicatedFrom");
        a.Findings.Single(f => f.Rule == "EMB-COAG" && f.Effect == FindingEffect.Contraindicated).SitePolicy.Select(s => s.Setting)
            .Should().Contain("Eligibility:Embolization:InrContraindicatedAbove");
    }

    [Fact]
    public void EMB_PS_site_policy_ECOG_limit_moves_the_outcome()
    {
        var policy = new EligibilityPolicy { Embolization = new() { EcogContraindicatedFrom = 2 } };

        Candidate().Without(FactKind.Ecog).Ecog(2).Assess(TherapyId.Emb, policy)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("EMB-PS", FindingEffect.Contraindicated);
    }
}

using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Rules;

/// <summary>SIRT: radioembolization with Y-90 microspheres (catalogue "SIRT").</summary>
public sealed class RadioembolizationTests
{
    /// <summary>Unresectable NET G1, patent portal vein, lung shunt 8 %, burden 40 %: eligible for SIRT.</summary>
    private static Patient Candidate() => Patient.UnresectableCandidate();

    [Fact]
    public void Unresectable_candidate_is_eligible()
    {
        Candidate().Assess(TherapyId.Sirt)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("SIRT-IND", FindingEffect.Eligible)
            .ShouldHaveFired("SIRT-LIVER", FindingEffect.Eligible)
            .ShouldHaveFired("SIRT-PV", FindingEffect.Eligible)
            .ShouldHaveFired("SIRT-SHUNT", FindingEffect.Eligible)
            .ShouldHaveFired("SIRT-BURDEN", FindingEffect.Eligible);
    }

    // SIRT-IND

    [Fact]
    public void SIRT_IND_resectable_disease_is_consider()
    {
        Patient.ResectableCandidate().Assess(TherapyId.Sirt)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("SIRT-IND", FindingEffect.Consider);
    }

    [Fact]
    public void SIRT_IND_indicated_after_prior_embolization_and_with_extrahepatic_disease()
    {
        Candidate().Procedure(ProcedureKind.Tace, Ago.Months(6))
            .Without(FactKind.ExtrahepaticDisease).Extrahepatic(ExtrahepaticDisease.Unresectable)
            .Assess(TherapyId.Sirt)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("SIRT-IND", FindingEffect.Eligible);
    }

    [Fact]
    public void SIRT_IND_no_liver_metastases_is_not_indicated()
    {
        Candidate().Without(FactKind.LiverMetastases).LesionCount(0).Assess(TherapyId.Sirt)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("SIRT-IND", FindingEffect.NotIndicated);
    }

    [Fact]
    public void SIRT_IND_poorly_differentiated_carcinoma_is_not_indicated()
    {
        Candidate().Without(FactKind.Differentiation).Differentiation(Differentiation.Poorly).Assess(TherapyId.Sirt)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("SIRT-IND", FindingEffect.NotIndicated);
    }

    [Fact]
    public void SIRT_IND_well_differentiated_NET_G3_is_consider()
    {
        Candidate().Without(FactKind.Ki67).Ki67(25m).Assess(TherapyId.Sirt)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("SIRT-IND", FindingEffect.Consider);
    }

    // SIRT-LIVER

    [Theory]
    [InlineData(1.99, EligibilityStatus.Eligible)]
    [InlineData(2.0, EligibilityStatus.Consider)]
    [InlineData(3.0, EligibilityStatus.Consider)]
    [InlineData(3.01, EligibilityStatus.Contraindicated)]
    public void SIRT_LIVER_bilirubin_above_3_contraindicates_as_for_embolization(double bilirubin, EligibilityStatus expected)
    {
        Candidate().Without(FactKind.Bilirubin).Bilirubin((decimal)bilirubin).Assess(TherapyId.Sirt)
            .ShouldBe(expected)
            .ShouldHaveFired("SIRT-LIVER", expected.AsEffect());
    }

    [Fact]
    public void EMB_CIRRHOSIS_applies_to_SIRT_under_SIRT_LIVER_as_consider()
    {
        Candidate().Condition(ConditionKind.Cirrhosis).Assess(TherapyId.Sirt)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("SIRT-LIVER", FindingEffect.Consider)
            .Findings.Should().Contain(f => f.Rule == "SIRT-LIVER" && f.Reason.Contains("cirrhosis", StringComparison.Ordinal));
        Candidate().Assess(TherapyId.Sirt).ShouldBe(EligibilityStatus.Eligible);
    }

    [Fact]
    public void SIRT_LIVER_recorded_liver_failure_contraindicates()
    {
        Candidate().Condition(ConditionKind.LiverFailure).Assess(TherapyId.Sirt)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("SIRT-LIVER", FindingEffect.Contraindicated);
    }

    [Fact]
    public void SIRT_LIVER_site_policy_bilirubin_limit_moves_the_outcome_and_is_quoted()
    {
        var policy = new EligibilityPolicy { Embolization = new() { BilirubinContraindicatedAboveMgDl = 2.5m } };
        var patient = Candidate().Without(FactKind.Bilirubin).Bilirubin(2.8m);

        patient.Assess(TherapyId.Sirt).ShouldBe(EligibilityStatus.Consider);
        var finding = patient.Assess(TherapyId.Sirt, policy)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("SIRT-LIVER", FindingEffect.Contraindicated)
            .Findings.Single(f => f.Rule == "SIRT-LIVER");

        finding.SitePolicy.Should().Contain(new PolicySetting("Eligibility:Embolization:BilirubinContraindicatedAboveMgDl", "2.5"));
    }

    [Fact]
    public void SIRT_LIVER_finding_cites_the_bilirubin_observation_with_its_date()
    {
        var patient = Candidate().Without(FactKind.Bilirubin).Bilirubin(2.2m, Ago.Days(4));
        var observation = patient.Build().Bilirubin.Single();

        var finding = patient.Assess(TherapyId.Sirt).Findings.Single(f => f.Rule == "SIRT-LIVER");

        finding.Effect.Should().Be(FindingEffect.Consider);
        finding.Inputs.Should().ContainSingle(i => i.Fact == FactKind.Bilirubin && i.Source == observation.Source && i.Date == Ago.Days(4));
        finding.Evidence.Select(e => e.Article).Should().Contain(["001", "002"]);
        finding.SitePolicy.Select(s => s.Setting).Should().Contain("Eligibility:Embolization:BilirubinConsiderFromMgDl");
    }

    // SIRT-PV

    [Theory]
    [InlineData(PortalVeinStatus.Patent, EligibilityStatus.Eligible)]
    [InlineData(PortalVeinStatus.PartialThrombosis, EligibilityStatus.Contraindicated)]
    [InlineData(PortalVeinStatus.CompleteThrombosis, EligibilityStatus.Contraindicated)]
    public void SIRT_PV_any_portal_vein_compromise_contraindicates(PortalVeinStatus portalVein, EligibilityStatus expected)
    {
        Candidate().Without(FactKind.PortalVein).PortalVein(portalVein).Assess(TherapyId.Sirt)
            .ShouldBe(expected)
            .ShouldHaveFired("SIRT-PV", expected.AsEffect());
    }

    [Fact]
    public void SIRT_PV_thrombosis_diagnosis_of_unknown_extent_contraindicates()
    {
        Candidate().Condition(ConditionKind.PortalVeinThrombosis, Ago.Days(5)).Assess(TherapyId.Sirt)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("SIRT-PV", FindingEffect.Contraindicated);
    }

    // SIRT-SHUNT

    [Fact]
    public void SIRT_SHUNT_unknown_lung_shunt_is_a_prerequisite_MAA_study_not_a_bar()
    {
        var a = Candidate().Without(FactKind.LungShuntFraction).Assess(TherapyId.Sirt)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldNotHaveFired("SIRT-SHUNT", FindingEffect.Eligible);

        a.Prerequisites.Should().ContainSingle(p => p.Rule == "SIRT-SHUNT")
            .Which.Order.Should().Be(ClinicalOrder.MaaShuntStudy);
    }

    [Fact]
    public void SIRT_SHUNT_no_prerequisite_once_the_shunt_is_measured()
    {
        Candidate().Assess(TherapyId.Sirt)
            .Prerequisites.Should().NotContain(p => p.Rule == "SIRT-SHUNT");
    }

    [Theory]
    [InlineData(20.0, EligibilityStatus.Eligible)]
    [InlineData(20.1, EligibilityStatus.Contraindicated)]
    public void SIRT_SHUNT_lung_shunt_over_20_percent_contraindicates(double shunt, EligibilityStatus expected)
    {
        Candidate().Without(FactKind.LungShuntFraction).LungShunt((decimal)shunt).Assess(TherapyId.Sirt)
            .ShouldBe(expected)
            .ShouldHaveFired("SIRT-SHUNT", expected.AsEffect());
    }

    [Fact]
    public void SIRT_SHUNT_site_policy_limit_moves_the_outcome_and_is_quoted()
    {
        var policy = new EligibilityPolicy { Radioembolization = new() { LungShuntContraindicatedAbovePercent = 15m } };
        var patient = Candidate().Without(FactKind.LungShuntFraction).LungShunt(18m);

        patient.Assess(TherapyId.Sirt).ShouldBe(EligibilityStatus.Eligible);
        var finding = patient.Assess(TherapyId.Sirt, policy)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .Findings.Single(f => f.Rule == "SIRT-SHUNT");

        finding.Effect.Should().Be(FindingEffect.Contraindicated);
        finding.SitePolicy.Should().Contain(new PolicySetting("Eligibility:Radioembolization:LungShuntContraindicatedAbovePercent", "15"));
    }

    // SIRT-BURDEN

    [Theory]
    [InlineData(75.0, EligibilityStatus.Eligible)]
    [InlineData(75.1, EligibilityStatus.Consider)]
    [InlineData(95.0, EligibilityStatus.Consider)]
    public void SIRT_BURDEN_over_75_percent_is_consider_not_contraindicated(double burden, EligibilityStatus expected)
    {
        var finding = Candidate().Burden((decimal)burden).Assess(TherapyId.Sirt)
            .ShouldBe(expected)
            .ShouldHaveFired("SIRT-BURDEN", expected.AsEffect())
            .Findings.Single(f => f.Rule == "SIRT-BURDEN");

        finding.Evidence.Select(e => e.Article).Should().Contain(["001", "002"]);
    }

    // Missing safety data

    [Theory]
    [InlineData(FactKind.Bilirubin, "SIRT-LIVER")]
    [InlineData(FactKind.PortalVein, "SIRT-PV")]
    [InlineData(FactKind.TumourBurden, "SIRT-BURDEN")]
    public void Missing_safety_input_is_insufficient_data_naming_it(FactKind fact, string rule)
    {
        var a = Candidate().Without(fact).Assess(TherapyId.Sirt)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired(rule, FindingEffect.InsufficientData)
            .ShouldMiss(fact);

        a.Missing.Should().Contain(m => m.Fact == fact && m.Rule == rule);
    }

    [Fact]
    public void SIRT_PV_known_contraindication_wins_over_missing_bilirubin()
    {
        Candidate().Without(FactKind.Bilirubin).Without(FactKind.PortalVein).PortalVein(PortalVeinStatus.PartialThrombosis).Assess(TherapyId.Sirt)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("SIRT-PV", FindingEffect.Contraindicated)
            .ShouldMiss(FactKind.Bilirubin);
    }

    // SIRT-LONG (note)

    [Fact]
    public void SIRT_LONG_long_term_hepatotoxicity_note_is_always_given_and_never_changes_the_status()
    {
        var eligible = Candidate().Assess(TherapyId.Sirt)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("SIRT-LONG", FindingEffect.Note);
        var consider = Candidate().Burden(80m).Assess(TherapyId.Sirt)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("SIRT-LONG", FindingEffect.Note);

        eligible.Findings.Single(f => f.Rule == "SIRT-LONG").Evidence.Should().Contain(new Evidence("000", "§5"));
        consider.Findings.Where(f => f.Rule == "SIRT-LONG").Should().OnlyContain(f => f.Effect == FindingEffect.Note);
    }

    // SSA-PROPHYLAXIS

    [Fact]
    public void SSA_PROPHYLAXIS_functioning_tumour_needs_octreotide_before_radioembolization()
    {
        Candidate().Condition(ConditionKind.CarcinoidSyndrome).Assess(TherapyId.Sirt)
            .ShouldBe(EligibilityStatus.Eligible)
            .Prerequisites.Should().Contain(p => p.Rule == "SSA-PROPHYLAXIS");
        Candidate().Assess(TherapyId.Sirt)
            .Prerequisites.Should().NotContain(p => p.Rule == "SSA-PROPHYLAXIS");
    }
}

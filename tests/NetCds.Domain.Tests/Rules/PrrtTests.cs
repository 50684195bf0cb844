using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Rules;

/// <summary>PRRT: SSTR uptake at least normal liver, well-differentiated metastatic NET, marrow and renal reserve.</summary>
public sealed class PrrtTests
{
    private const string ClearanceSetting = "Eligibility:Prrt:ClearanceContraindicatedBelow";
    private const string HaemoglobinSetting = "Eligibility:Prrt:HaemoglobinContraindicatedBelowGdl";
    private const string PlateletsSetting = "Eligibility:Prrt:PlateletsContraindicatedBelow";

    /// <summary>Unresectable pancreatic NET G1, Krenning 3, clearance 90, Hb 13, platelets 220.</summary>
    private static Patient Candidate() => Patient.UnresectableCandidate();

    [Fact]
    public void PRRT_IND_unresectable_well_differentiated_NET_with_adequate_reserve_is_eligible()
    {
        Candidate().Assess(TherapyId.Prrt)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("PRRT-IND", FindingEffect.Eligible)
            .ShouldHaveFired("PRRT-SSTR", FindingEffect.Eligible)
            .ShouldHaveFired("PRRT-MARROW", FindingEffect.Eligible)
            .ShouldHaveFired("PRRT-RENAL", FindingEffect.Eligible);
    }

    [Fact]
    public void PRRT_IND_resectable_disease_is_consider_because_resection_is_preferred()
    {
        Patient.ResectableCandidate().Assess(TherapyId.Prrt)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("PRRT-IND", FindingEffect.Consider)
            .ShouldNotHaveFired("PRRT-IND", FindingEffect.Eligible);
    }

    [Fact]
    public void PRRT_IND_NEC_is_not_indicated()
    {
        Candidate().Without(FactKind.Differentiation).Differentiation(Differentiation.Poorly).Assess(TherapyId.Prrt)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("PRRT-IND", FindingEffect.NotIndicated);
    }

    [Fact]
    public void PRRT_IND_well_differentiated_NET_G3_is_consider()
    {
        Candidate().Without(FactKind.Ki67).Ki67(25m).Assess(TherapyId.Prrt)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("PRRT-IND", FindingEffect.Consider);
    }

    [Fact]
    public void PRRT_IND_grade_unknown_asks_for_Ki67()
    {
        Candidate().Without(FactKind.Ki67).Assess(TherapyId.Prrt)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("PRRT-IND", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.Ki67);
    }

    [Theory]
    [InlineData(0, EligibilityStatus.NotIndicated, FindingEffect.NotIndicated)]
    [InlineData(1, EligibilityStatus.NotIndicated, FindingEffect.NotIndicated)]
    [InlineData(2, EligibilityStatus.Eligible, FindingEffect.Eligible)]
    [InlineData(4, EligibilityStatus.Eligible, FindingEffect.Eligible)]
    public void PRRT_SSTR_needs_uptake_at_least_normal_liver_Krenning_2(int krenning, EligibilityStatus expected, FindingEffect effect)
    {
        Candidate().Without(FactKind.SstrUptake).Sstr(krenning).Assess(TherapyId.Prrt)
            .ShouldBe(expected)
            .ShouldHaveFired("PRRT-SSTR", effect);
    }

    [Fact]
    public void PRRT_SSTR_no_imaging_is_insufficient_data()
    {
        Candidate().Without(FactKind.SstrUptake).Assess(TherapyId.Prrt)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("PRRT-SSTR", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.SstrUptake);
    }

    [Theory]
    [InlineData(49.9, EligibilityStatus.Contraindicated, FindingEffect.Contraindicated)]
    [InlineData(50, EligibilityStatus.Eligible, FindingEffect.Eligible)]
    public void PRRT_RENAL_clearance_below_50_contraindicates(double clearance, EligibilityStatus expected, FindingEffect effect)
    {
        Candidate().Without(FactKind.CreatinineClearance).Clearance((decimal)clearance).Assess(TherapyId.Prrt)
            .ShouldBe(expected)
            .ShouldHaveFired("PRRT-RENAL", effect);
    }

    [Fact]
    public void PRRT_RENAL_recorded_renal_failure_contraindicates()
    {
        Candidate().Condition(ConditionKind.RenalFailure).Assess(TherapyId.Prrt)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("PRRT-RENAL", FindingEffect.Contraindicated);
    }

    [Fact]
    public void PRRT_RENAL_missing_clearance_is_insufficient_data_not_a_pass()
    {
        var prrt = Candidate().Without(FactKind.CreatinineClearance).Assess(TherapyId.Prrt)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("PRRT-RENAL", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.CreatinineClearance);
        prrt.Missing.Single(m => m.Fact == FactKind.CreatinineClearance).Order.Should().Be(ClinicalOrder.RenalFunction);
    }

    [Theory]
    [InlineData(7.9, EligibilityStatus.Contraindicated, FindingEffect.Contraindicated)]
    [InlineData(8, EligibilityStatus.Eligible, FindingEffect.Eligible)]
    public void PRRT_MARROW_haemoglobin_below_8_contraindicates(double haemoglobin, EligibilityStatus expected, FindingEffect effect)
    {
        Candidate().Without(FactKind.Haemoglobin).Haemoglobin((decimal)haemoglobin).Assess(TherapyId.Prrt)
            .ShouldBe(expected)
            .ShouldHaveFired("PRRT-MARROW", effect);
    }

    [Theory]
    [InlineData(74, EligibilityStatus.Contraindicated, FindingEffect.Contraindicated)]
    [InlineData(75, EligibilityStatus.Eligible, FindingEffect.Eligible)]
    public void PRRT_MARROW_platelets_below_75_contraindicate(int platelets, EligibilityStatus expected, FindingEffect effect)
    {
        Candidate().Without(FactKind.Platelets).Platelets(platelets).Assess(TherapyId.Prrt)
            .ShouldBe(expected)
            .ShouldHaveFired("PRRT-MARROW", effect);
    }

    [Theory]
    [InlineData(FactKind.Haemoglobin)]
    [InlineData(FactKind.Platelets)]
    public void PRRT_MARROW_missing_blood_count_is_insufficient_data_not_a_pass(FactKind missing)
    {
        var prrt = Candidate().Without(missing).Assess(TherapyId.Prrt)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("PRRT-MARROW", FindingEffect.InsufficientData)
            .ShouldNotHaveFired("PRRT-MARROW", FindingEffect.Eligible)
            .ShouldMiss(missing);
        prrt.Missing.Single(m => m.Fact == missing).Order.Should().Be(ClinicalOrder.BloodCount);
    }

    [Fact]
    public void PRRT_MARROW_known_contraindication_is_reported_even_when_renal_function_is_missing()
    {
        Candidate().Without(FactKind.Haemoglobin).Haemoglobin(7m).Without(FactKind.CreatinineClearance).Assess(TherapyId.Prrt)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("PRRT-MARROW", FindingEffect.Contraindicated)
            .ShouldMiss(FactKind.CreatinineClearance);
    }

    [Fact]
    public void PRRT_RENAL_and_PRRT_MARROW_findings_quote_their_site_policy_thresholds()
    {
        var policy = EligibilityPolicy.Default.Prrt;
        var prrt = Candidate().Assess(TherapyId.Prrt);

        prrt.Findings.Single(f => f.Rule == "PRRT-RENAL").SitePolicy
            .Should().ContainSingle().Which.Should().Be(PolicySetting.Of(ClearanceSetting, policy.ClearanceContraindicatedBelow));
        prrt.Findings.Single(f => f.Rule == "PRRT-MARROW").SitePolicy.Should().BeEquivalentTo(
        [
            PolicySetting.Of(HaemoglobinSetting, policy.HaemoglobinContraindicatedBelowGdl),
            PolicySetting.Of(PlateletsSetting, policy.PlateletsContraindicatedBelow),
        ]);
    }

    [Fact]
    public void PRRT_RENAL_site_policy_clearance_threshold_moves_the_outcome()
    {
        var lowered = new EligibilityPolicy { Prrt = new() { ClearanceContraindicatedBelow = 40m } };
        var patient = Candidate().Without(FactKind.CreatinineClearance).Clearance(45m);

        var underDefault = patient.Assess(TherapyId.Prrt)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("PRRT-RENAL", FindingEffect.Contraindicated);
        underDefault.Findings.Single(f => f.Rule == "PRRT-RENAL").SitePolicy
            .Should().ContainSingle().Which.Should().Be(PolicySetting.Of(ClearanceSetting, EligibilityPolicy.Default.Prrt.ClearanceContraindicatedBelow));
        var underSitePolicy = patient.Assess(TherapyId.Prrt, lowered)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("PRRT-RENAL", FindingEffect.Eligible);
        underSitePolicy.Findings.Single(f => f.Rule == "PRRT-RENAL").SitePolicy
            .Should().ContainSingle().Which.Should().Be(new PolicySetting(ClearanceSetting, "40"));
    }

    [Fact]
    public void PRRT_MARROW_site_policy_platelet_threshold_moves_the_outcome()
    {
        var stricter = new EligibilityPolicy { Prrt = new() { PlateletsContraindicatedBelow = 100m } };
        var patient = Candidate().Without(FactKind.Platelets).Platelets(90m);

        patient.Assess(TherapyId.Prrt)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("PRRT-MARROW", FindingEffect.Eligible);
        var underSitePolicy = patient.Assess(TherapyId.Prrt, stricter)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("PRRT-MARROW", FindingEffect.Contraindicated);
        underSitePolicy.Findings.Single(f => f.Rule == "PRRT-MARROW" && f.Effect == FindingEffect.Contraindicated).SitePolicy
            .Should().Contain(new PolicySetting(PlateletsSetting, "100"));
    }

    [Fact]
    public void PRRT_site_policy_thresholds_are_listed_on_the_report()
    {
        Candidate().Evaluate().SitePolicy.Select(s => s.Setting)
            .Should().Contain([ClearanceSetting, HaemoglobinSetting, PlateletsSetting]);
    }
}

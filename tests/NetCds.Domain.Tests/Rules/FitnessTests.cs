using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Rules;

/// <summary>FIT: fitness before any therapy [site policy] (catalogue "FIT"): FIT-PS and FIT-HEART.</summary>
public sealed class FitnessTests
{
    /// <summary>
    /// Unresectable pancreatic NET G1, progressing, on an SSA for a year, MIBG-avid: eligible for SIRT, PRRT, EVE, SUN
    /// and CHEMO (and LT once stable), consider for INF and MIBG.
    /// </summary>
    private static Patient Progressing() => Patient.UnresectableCandidate()
        .Medication(MedicationKind.SomatostatinAnalogue, at: Ago.Months(24), until: Ago.Months(12), active: false)
        .Without(FactKind.MibgUptake).Mibg(true)
        .Progressing(Ago.Months(2));

    /// <summary>As <see cref="Progressing"/> but stable for 9 months: every Milan criterion met (LT eligible).</summary>
    private static Patient Stable() => Progressing().StableFor(9);

    private static Patient WithEcog(Patient patient, int ecog) => patient.Without(FactKind.Ecog).Ecog(ecog);

    public static TheoryData<TherapyId> ConsiderWhenPoor =>
        [TherapyId.Res, TherapyId.Abl, TherapyId.Sirt, TherapyId.Prrt, TherapyId.Mibg, TherapyId.Inf, TherapyId.Eve, TherapyId.Sun, TherapyId.Chemo];

    // FIT-PS

    [Theory]
    [MemberData(nameof(ConsiderWhenPoor))]
    public void FIT_PS_ECOG_3_is_consider_for_the_therapy_and_ECOG_2_a_note(TherapyId therapy)
    {
        WithEcog(Progressing(), 3).Assess(therapy)
            .ShouldHaveFired("FIT-PS", FindingEffect.Consider);
        WithEcog(Progressing(), 2).Assess(therapy)
            .ShouldHaveFired("FIT-PS", FindingEffect.Note)
            .ShouldNotHaveFired("FIT-PS", FindingEffect.Consider);
    }

    [Theory]
    [InlineData(TherapyId.Sirt)]
    [InlineData(TherapyId.Prrt)]
    [InlineData(TherapyId.Eve)]
    [InlineData(TherapyId.Sun)]
    [InlineData(TherapyId.Chemo)]
    public void FIT_PS_turns_an_eligible_therapy_into_consider_at_ECOG_3(TherapyId therapy)
    {
        WithEcog(Progressing(), 2).Assess(therapy).ShouldBe(EligibilityStatus.Eligible);
        WithEcog(Progressing(), 3).Assess(therapy).ShouldBe(EligibilityStatus.Consider);
    }

    [Fact]
    public void FIT_PS_resection_of_resectable_disease_is_consider_at_ECOG_3()
    {
        WithEcog(Patient.ResectableCandidate(), 2).Assess(TherapyId.Res).ShouldBe(EligibilityStatus.Eligible);
        WithEcog(Patient.ResectableCandidate(), 3).Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("FIT-PS", FindingEffect.Consider);
    }

    [Fact]
    public void FIT_PS_transplant_is_not_indicated_at_ECOG_3()
    {
        WithEcog(Stable(), 2).Assess(TherapyId.Lt).ShouldBe(EligibilityStatus.Eligible);
        WithEcog(Stable(), 3).Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("FIT-PS", FindingEffect.NotIndicated);
    }

    [Theory]
    [InlineData(50, EligibilityStatus.Eligible)]
    [InlineData(40, EligibilityStatus.Consider)]
    public void FIT_PS_Karnofsky_40_or_less_counts_as_ECOG_3(int karnofsky, EligibilityStatus expected)
    {
        Progressing().Without(FactKind.Ecog).Karnofsky(karnofsky).Assess(TherapyId.Prrt).ShouldBe(expected);
    }

    [Fact]
    public void FIT_PS_the_newest_performance_status_wins_whichever_scale()
    {
        var recovered = Progressing().Without(FactKind.Ecog).Ecog(3, Ago.Months(3)).Karnofsky(80, Ago.Months(1));
        var declined = Progressing().Without(FactKind.Ecog).Karnofsky(80, Ago.Months(3)).Ecog(3, Ago.Months(1));

        recovered.Assess(TherapyId.Prrt).ShouldBe(EligibilityStatus.Eligible).ShouldHaveFired("FIT-PS", FindingEffect.Note);
        declined.Assess(TherapyId.Prrt).ShouldBe(EligibilityStatus.Consider).ShouldHaveFired("FIT-PS", FindingEffect.Consider);
    }

    [Fact]
    public void FIT_PS_thresholds_are_site_policy_configurable_and_quoted()
    {
        var policy = new EligibilityPolicy { Fitness = new() { EcogPoorFrom = 2, KarnofskyPoorAtMost = 60 } };

        var a = WithEcog(Progressing(), 2).Assess(TherapyId.Prrt, policy).ShouldBe(EligibilityStatus.Consider);
        Progressing().Without(FactKind.Ecog).Karnofsky(60).Assess(TherapyId.Prrt, policy).ShouldBe(EligibilityStatus.Consider);
        Progressing().Without(FactKind.Ecog).Karnofsky(70).Assess(TherapyId.Prrt, policy).ShouldBe(EligibilityStatus.Eligible);

        a.Findings.Single(f => f.Rule == "FIT-PS").SitePolicy.Select(s => s.Setting)
            .Should().BeEquivalentTo(["Eligibility:Fitness:EcogPoorFrom", "Eligibility:Fitness:KarnofskyPoorAtMost"]);
        EligibilityPolicy.Default.SitePolicySettings().Select(s => s.Setting).Should().Contain("Eligibility:Fitness:EcogPoorFrom");
    }

    [Fact]
    public void FIT_PS_embolization_keeps_EMB_PS_and_SSA_is_unaffected()
    {
        var report = WithEcog(Progressing(), 3).Evaluate();

        report[TherapyId.Emb].ShouldBe(EligibilityStatus.Contraindicated).ShouldHaveFired("EMB-PS", FindingEffect.Contraindicated).Fired("FIT-PS").Should().BeFalse();
        report[TherapyId.Ssa].Fired("FIT-PS").Should().BeFalse();
        report[TherapyId.Ssa].Status.Should().Be(WithEcog(Progressing(), 0).Assess(TherapyId.Ssa).Status);
    }

    [Fact]
    public void FIT_PS_missing_performance_status_is_listed_as_missing_but_changes_no_status()
    {
        var known = WithEcog(Progressing(), 0).Evaluate();
        var unknown = Progressing().Without(FactKind.Ecog).Evaluate();

        foreach (var assessment in unknown.Assessments.Where(a => a.Therapy != TherapyId.Emb))
        {
            assessment.Status.Should().Be(known[assessment.Therapy].Status, $"{assessment.Therapy} does not need performance status");
        }

        unknown[TherapyId.Prrt].ShouldHaveFired("FIT-PS", FindingEffect.Note).ShouldMiss(FactKind.Ecog)
            .Missing.Single(m => m.Fact == FactKind.Ecog).Order.Should().Be(ClinicalOrder.PerformanceStatus);
        unknown[TherapyId.Emb].ShouldBe(EligibilityStatus.InsufficientData).ShouldHaveFired("EMB-PS", FindingEffect.InsufficientData);
    }

    [Fact]
    public void FIT_PS_never_improves_a_status_another_rule_settled()
    {
        WithEcog(Progressing(), 3).Without(FactKind.SstrUptake).Sstr(0).Assess(TherapyId.Prrt)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("FIT-PS", FindingEffect.Consider);
    }

    // FIT-HEART

    [Theory]
    [InlineData(TherapyId.Res, true)]
    [InlineData(TherapyId.Lt, true)]
    [InlineData(TherapyId.Emb, true)]
    [InlineData(TherapyId.Sirt, true)]
    [InlineData(TherapyId.Prrt, true)]
    [InlineData(TherapyId.Abl, false)]
    [InlineData(TherapyId.Ssa, false)]
    [InlineData(TherapyId.Eve, false)]
    public void FIT_HEART_carcinoid_heart_disease_needs_echocardiography_and_cardiology_review_first(TherapyId therapy, bool needed)
    {
        var without = Stable().Assess(therapy);
        var with = Stable().Condition(ConditionKind.CarcinoidHeartDisease).Assess(therapy);

        with.Prerequisites.Any(p => p.Rule == "FIT-HEART" && p.Description.Contains("echocardiography", StringComparison.Ordinal)
            && p.Description.Contains("cardiology review", StringComparison.Ordinal)).Should().Be(needed);
        without.Prerequisites.Should().NotContain(p => p.Rule == "FIT-HEART");
    }

    [Fact]
    public void FIT_HEART_changes_no_status()
    {
        var without = Stable().Condition(ConditionKind.CarcinoidSyndrome).Evaluate();
        var with = Stable().Condition(ConditionKind.CarcinoidSyndrome).Condition(ConditionKind.CarcinoidHeartDisease).Evaluate();

        with.Assessments.Select(a => a.Status).Should().Equal(without.Assessments.Select(a => a.Status));
    }
}

using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Rules;

/// <summary>
/// Decided by cases (issue 21; catalogue, "Quantities are intervals"): an interval that spans a threshold a rule
/// branches on is evaluated once per side. Every case giving the same status decides the therapy; cases that
/// disagree give insufficient-data naming the input and its order. One pair of tests per branching rule: the cases
/// agree, the cases disagree.
/// </summary>
public sealed class DecidedByCasesTests
{
    private static Interval Range(decimal low, decimal high) => Interval.Between(low, high);

    private static Patient Candidate() => Patient.UnresectableCandidate();

    /// <summary>The cases give different statuses: insufficient-data under <paramref name="rule"/>, asking for <paramref name="input"/>.</summary>
    private static TherapyAssessment CasesDisagree(Patient patient, TherapyId therapy, string rule, FactKind input) =>
        patient.Assess(therapy)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired(rule, FindingEffect.InsufficientData)
            .ShouldMiss(input);

    /// <summary>A small-intestine NET, SSTR-positive, no SSA: interferon's alternatives (b)-(d) do not hold.</summary>
    private static Patient MidgutWithKi67(Interval ki67) =>
        Candidate().Without(FactKind.PrimarySite).Primary(PrimarySite.SmallIntestine).Without(FactKind.Ki67).Ki67(ki67);

    // Grade (002 Introduction; WHO 2017): INF-IND, RES-NEC, LT-KI67

    [Fact]
    public void INF_IND_Ki67_15_to_25_is_G2_or_NET_G3_and_not_indicated_either_way()
    {
        var inf = MidgutWithKi67(Range(15m, 25m)).Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("INF-IND", FindingEffect.NotIndicated);

        inf.Missing.Should().BeEmpty("both grades the interval allows decide the same way");
        inf.Findings.Should().Contain(f => f.Rule == "INF-IND" && f.Effect == FindingEffect.Note
            && f.Reason == "Ki-67 15-25 %: NET G2 or well-differentiated NET G3; not-indicated either way");
        inf.Findings.Should().Contain(f => f.Reason.StartsWith("if Ki-67 > 20 %: well-differentiated NET G3", StringComparison.Ordinal),
            "each case's own reason is kept, with its case in front");
    }

    [Fact]
    public void INF_IND_Ki67_15_to_25_in_a_pancreatic_NET_is_consider_as_G2_and_not_indicated_as_G3_so_it_asks_for_Ki67()
    {
        var inf = Candidate().Without(FactKind.Ki67).Ki67(Range(15m, 25m)).Assess(TherapyId.Inf)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("INF-IND", FindingEffect.InsufficientData)
            .ShouldNotHaveFired("INF-IND", FindingEffect.NotIndicated)
            .ShouldMiss(FactKind.Ki67);

        inf.Findings.Should().Contain(f => f.Effect == FindingEffect.InsufficientData
            && f.Reason.Contains("consider if NET G2", StringComparison.Ordinal)
            && f.Reason.Contains("not-indicated if well-differentiated NET G3", StringComparison.Ordinal));
    }

    [Fact]
    public void RES_NEC_Ki67_15_to_25_is_eligible_as_G2_and_consider_as_NET_G3_so_it_asks_for_Ki67()
    {
        Patient.ResectableCandidate().Without(FactKind.Ki67).Ki67(Range(15m, 25m)).Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldMiss(FactKind.Ki67);
    }

    [Fact]
    public void RES_NEC_Ki67_15_to_25_with_limited_extrahepatic_disease_is_consider_either_way()
    {
        // RES-EHD makes both grades consider, so the grade no longer matters.
        Patient.ResectableCandidate().Without(FactKind.Ki67).Ki67(Range(15m, 25m))
            .Without(FactKind.ExtrahepaticDisease).Extrahepatic(ExtrahepaticDisease.LimitedStable).Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("RES-NEC", FindingEffect.Consider);
    }

    [Fact]
    public void LT_KI67_Ki67_12_to_30_fails_the_low_grade_criterion_as_G2_or_G3()
    {
        var lt = Candidate().Without(FactKind.Ki67).Ki67(Range(12m, 30m)).Assess(TherapyId.Lt);
        lt.Status.Should().BeOneOf(EligibilityStatus.NotIndicated, EligibilityStatus.Contraindicated);
        lt.Missing.Should().NotContain(m => m.Fact == FactKind.Ki67, AssessmentAssertions.Explain(lt));
    }

    [Fact]
    public void LT_KI67_Ki67_5_to_15_meets_or_fails_the_10_percent_limit_so_it_asks_for_Ki67()
    {
        // A transplant candidate in every other respect (LT-UNRES: unresectable; age 45; stable 9 months).
        CasesDisagree(
            Candidate().Without(FactKind.Ki67).Ki67(Range(5m, 15m)),
            TherapyId.Lt, "LT-KI67", FactKind.Ki67);
    }

    // EMB-LIVER and SIRT-LIVER: bilirubin bands in mg/dL (site policy)

    [Fact]
    public void EMB_LIVER_bilirubin_2_5_to_4_is_consider_or_contraindicated_so_it_asks_for_bilirubin()
    {
        var emb = Candidate().Without(FactKind.Bilirubin).Bilirubin(Range(2.5m, 4m)).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("EMB-LIVER", FindingEffect.InsufficientData)
            .ShouldNotHaveFired("EMB-LIVER", FindingEffect.Contraindicated)
            .ShouldMiss(FactKind.Bilirubin);

        emb.Findings.Should().Contain(f => f.Rule == "EMB-LIVER" && f.Effect == FindingEffect.InsufficientData
            && f.Reason.Contains("consider if bilirubin ≤ 3 mg/dL", StringComparison.Ordinal)
            && f.Reason.Contains("contraindicated if bilirubin > 3 mg/dL", StringComparison.Ordinal));
    }

    [Fact]
    public void SIRT_LIVER_bilirubin_1_5_to_2_5_with_a_burden_over_75_is_consider_either_way()
    {
        // SIRT-BURDEN makes SIRT consider whatever the bilirubin; SIRT-LIVER's consider band changes nothing.
        Candidate().Burden(80m).Without(FactKind.Bilirubin).Bilirubin(Range(1.5m, 2.5m)).Assess(TherapyId.Sirt)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("SIRT-BURDEN", FindingEffect.Consider);
    }

    [Fact]
    public void SIRT_LIVER_bilirubin_1_5_to_2_5_alone_is_eligible_or_consider_so_it_asks_for_bilirubin()
    {
        CasesDisagree(
            Candidate().Without(FactKind.Bilirubin).Bilirubin(Range(1.5m, 2.5m)),
            TherapyId.Sirt, "SIRT-LIVER", FactKind.Bilirubin);
    }

    // EMB-BURDEN, SIRT-BURDEN, LT-BURDEN

    [Fact]
    public void EMB_BURDEN_40_to_60_with_partial_portal_vein_thrombosis_is_consider_either_way()
    {
        Candidate().Burden(Range(40m, 60m)).Without(FactKind.PortalVein).PortalVein(PortalVeinStatus.PartialThrombosis).Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("EMB-PV", FindingEffect.Consider)
            .ShouldNotHaveFired("EMB-BURDEN", FindingEffect.InsufficientData);
    }

    [Fact]
    public void EMB_BURDEN_40_to_60_alone_is_eligible_or_consider_so_it_asks_for_the_burden()
    {
        CasesDisagree(
            Candidate().Burden(Range(40m, 60m)),
            TherapyId.Emb, "EMB-BURDEN", FactKind.TumourBurden);
    }

    [Fact]
    public void SIRT_BURDEN_over_60_with_bilirubin_in_the_consider_band_is_consider_either_way()
    {
        Candidate().Burden(Interval.From(60m, Comparator.GreaterThan)).Without(FactKind.Bilirubin).Bilirubin(2.5m).Assess(TherapyId.Sirt)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("SIRT-LIVER", FindingEffect.Consider);
    }

    [Fact]
    public void SIRT_BURDEN_over_60_alone_is_eligible_or_consider_so_it_asks_for_the_burden()
    {
        CasesDisagree(
            Candidate().Burden(Interval.From(60m, Comparator.GreaterThan)),
            TherapyId.Sirt, "SIRT-BURDEN", FactKind.TumourBurden);
    }

    [Fact]
    public void LT_BURDEN_40_to_60_in_a_patient_over_the_age_limit_is_not_indicated_either_way()
    {
        var lt = Candidate().Burden(Range(40m, 60m)).Without(FactKind.BirthDate).BornYearsAgo(60).Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("LT-AGE", FindingEffect.NotIndicated);
        lt.Missing.Should().NotContain(m => m.Fact == FactKind.TumourBurden, AssessmentAssertions.Explain(lt));
    }

    [Fact]
    public void LT_BURDEN_40_to_60_in_an_otherwise_eligible_candidate_asks_for_the_burden()
    {
        CasesDisagree(
            Candidate().Burden(Range(40m, 60m)),
            TherapyId.Lt, "LT-BURDEN", FactKind.TumourBurden);
    }

    // ABL-SIZE, ABL-COUNT

    [Fact]
    public void ABL_SIZE_below_6_cm_with_8_lesions_is_consider_either_way()
    {
        // ABL-COUNT: 8 lesions is consider, so whether the largest is under 5 cm or 5-6 cm changes nothing.
        var abl = Candidate().Without(FactKind.LargestLesion).LargestLesion(Interval.From(6m, Comparator.LessThan)).Assess(TherapyId.Abl)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("ABL-COUNT", FindingEffect.Consider);
        abl.Missing.Should().NotContain(m => m.Fact == FactKind.LargestLesion, AssessmentAssertions.Explain(abl));
        abl.Findings.Should().Contain(f => f.Rule == "ABL-SIZE" && f.Reason.EndsWith("consider either way", StringComparison.Ordinal));
    }

    [Fact]
    public void ABL_SIZE_below_6_cm_with_3_lesions_is_eligible_or_consider_so_it_asks_for_the_size()
    {
        CasesDisagree(
            Candidate().Without(FactKind.LesionCount).LesionCount(3m).Without(FactKind.LargestLesion).LargestLesion(Interval.From(6m, Comparator.LessThan)),
            TherapyId.Abl, "ABL-SIZE", FactKind.LargestLesion);
    }

    [Fact]
    public void ABL_COUNT_4_to_8_lesions_with_a_6_cm_lesion_is_consider_either_way()
    {
        // 4 lesions is eligible and 5-8 consider (ABL-COUNT), but ABL-SIZE makes a 6 cm lesion consider in both.
        var abl = Candidate().Without(FactKind.LesionCount).LesionCount(Range(4m, 8m)).Without(FactKind.LargestLesion).LargestLesion(6m).Assess(TherapyId.Abl)
            .ShouldBe(EligibilityStatus.Consider);
        abl.Missing.Should().NotContain(m => m.Fact == FactKind.LesionCount, AssessmentAssertions.Explain(abl));
    }

    [Fact]
    public void ABL_COUNT_3_to_8_lesions_is_eligible_or_consider_so_it_asks_for_the_count()
    {
        CasesDisagree(
            Candidate().Without(FactKind.LesionCount).LesionCount(Range(3m, 8m)).Without(FactKind.LargestLesion).LargestLesion(2m),
            TherapyId.Abl, "ABL-COUNT", FactKind.LesionCount);
    }

    [Fact]
    public void ABL_COUNT_10_to_15_lesions_with_an_8_cm_lesion_is_not_indicated_either_way()
    {
        // ABL-SIZE over 7 cm is not indicated as sole therapy, whether the count is within 12 or not.
        Candidate().Without(FactKind.LesionCount).LesionCount(Range(10m, 15m)).Without(FactKind.LargestLesion).LargestLesion(8m).Assess(TherapyId.Abl)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("ABL-SIZE", FindingEffect.NotIndicated);
    }

    // SIRT-SHUNT, EMB-COAG, PRRT-MARROW, PRRT-RENAL, RES-CUR

    [Fact]
    public void SIRT_SHUNT_15_to_25_with_complete_portal_vein_thrombosis_is_contraindicated_either_way()
    {
        Candidate().Without(FactKind.LungShuntFraction).LungShunt(Range(15m, 25m)).Without(FactKind.PortalVein).PortalVein(PortalVeinStatus.CompleteThrombosis).Assess(TherapyId.Sirt)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("SIRT-PV", FindingEffect.Contraindicated);
    }

    [Fact]
    public void PRRT_MARROW_platelets_60_to_90_are_below_75_or_not_so_PRRT_asks_for_them_while_EMB_passes_them()
    {
        var report = Candidate().Without(FactKind.Platelets).Platelets(Range(60m, 90m)).Evaluate();
        report[TherapyId.Prrt]
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldMiss(FactKind.Platelets);
        report[TherapyId.Emb]
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("EMB-COAG", FindingEffect.Eligible);
    }

    [Fact]
    public void PRRT_RENAL_clearance_40_to_60_with_SSTR_negative_imaging_is_not_indicated_whichever_it_is()
    {
        // PRRT-SSTR: Krenning 1 is below normal liver, so PRRT is not indicated whatever the clearance. Below 50 mL/min
        // it would also be contraindicated, above not: the cases disagree, but not-indicated holds in both (precedence),
        // and a contraindication true on one side only is not reported as one.
        var prrt = Candidate().Without(FactKind.CreatinineClearance).Clearance(Range(40m, 60m)).Without(FactKind.SstrUptake).Sstr(1).Assess(TherapyId.Prrt)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("PRRT-SSTR", FindingEffect.NotIndicated)
            .ShouldNotHaveFired("PRRT-RENAL", FindingEffect.Contraindicated);
        prrt.Findings.Should().Contain(f => f.Rule == "PRRT-RENAL" && f.Effect == FindingEffect.Note
            && f.Reason.Contains("contraindicated if creatinine clearance < 50 mL/min", StringComparison.Ordinal)
            && f.Reason.EndsWith("not-indicated in every case, whichever it is", StringComparison.Ordinal), AssessmentAssertions.Explain(prrt));
    }

    [Fact]
    public void RES_CUR_resectable_fraction_85_to_95_is_debulking_or_not_so_it_asks_for_the_assessment()
    {
        Candidate().Without(FactKind.ResectableFraction).ResectableFraction(Range(85m, 95m)).Assess(TherapyId.Res)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldMiss(FactKind.ResectableFraction);
    }

    // Several inputs at once

    [Fact]
    public void Two_spanning_inputs_name_only_the_one_that_decides()
    {
        // Ki-67 15-25 % spans G2/G3, bilirubin 2.5-4 mg/dL spans EMB-LIVER's bands; interferon reads only the grade.
        var report = MidgutWithKi67(Range(15m, 25m)).Without(FactKind.Bilirubin).Bilirubin(Range(2.5m, 4m)).Evaluate();
        var inf = report[TherapyId.Inf].ShouldBe(EligibilityStatus.NotIndicated);
        inf.Missing.Should().BeEmpty(AssessmentAssertions.Explain(inf));
        report[TherapyId.Emb]
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldMiss(FactKind.Bilirubin);
    }

    [Fact]
    public void A_value_that_spans_no_threshold_is_evaluated_once_as_written()
    {
        var spanning = InputCases.Spanning(Candidate().Without(FactKind.Bilirubin).Bilirubin(Range(0.5m, 1.5m)).Build(), NetCds.Domain.Policy.EligibilityPolicy.Default);
        spanning.Should().BeEmpty();
    }

    [Fact]
    public void The_cases_cut_at_each_threshold_and_keep_the_value_as_written_for_the_card()
    {
        var input = InputCases.Spanning(Candidate().Without(FactKind.Ki67).Ki67(Range(15m, 25m)).Build(), NetCds.Domain.Policy.EligibilityPolicy.Default)
            .Should().ContainSingle().Subject;
        input.Fact.Should().Be(FactKind.Ki67);
        input.Pieces.Select(p => input.Describe([p])).Should().Equal("Ki-67 < 20 %", "Ki-67 20 %", "Ki-67 > 20 %");
        input.Input.Value.Should().Be("15-25 %");
    }

    [Fact]
    public void Beyond_64_combinations_the_intervals_stay_whole_and_each_rule_asks_for_its_input()
    {
        // Ki-67 0-30 % (7 pieces), bilirubin 1-5 mg/dL (5), burden 10-100 % (5): 175 combinations.
        var patient = Candidate().Without(FactKind.Ki67).Ki67(Range(0m, 30m)).Without(FactKind.Bilirubin).Bilirubin(Range(1m, 5m)).Burden(Range(10m, 100m));
        var facts = patient.Build();

        var spanning = InputCases.Spanning(facts, NetCds.Domain.Policy.EligibilityPolicy.Default);
        spanning.Aggregate(1, (n, input) => n * input.Pieces.Count).Should().BeGreaterThan(InputCases.MostCases);
        InputCases.Of(facts, spanning).Should().ContainSingle().Which.Pieces.Should().BeEmpty();
        patient.Assess(TherapyId.Emb)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("EMB-LIVER", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.Bilirubin);
    }
}

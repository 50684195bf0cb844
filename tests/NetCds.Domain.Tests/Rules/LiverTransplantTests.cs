using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Rules;

/// <summary>LT: orthotopic liver transplantation, Milan-NET criteria (catalogue "LT").</summary>
public sealed class LiverTransplantTests
{
    /// <summary>
    /// Age 45, resected pancreatic NET G1 (Ki-67 2 %), burden 40 %, no extrahepatic disease, stable 9 months, unresectable,
    /// on an SSA for a year (an earlier treatment, so LT-LAST is met).
    /// </summary>
    private static Patient Candidate() => Untreated().Medication(MedicationKind.SomatostatinAnalogue, at: Ago.Months(12));

    /// <summary>As <see cref="Candidate"/> with no earlier treatment of the NET recorded (the primary's resection does not count).</summary>
    private static Patient Untreated() => Patient.UnresectableCandidate();

    [Fact]
    public void Candidate_meeting_every_Milan_criterion_is_eligible_for_referral()
    {
        var a = Candidate().Assess(TherapyId.Lt).ShouldBe(EligibilityStatus.Eligible);

        foreach (var rule in new[] { "LT-AGE", "LT-KI67", "LT-PRIMARY", "LT-EHD", "LT-BURDEN", "LT-STABLE", "LT-UNRES", "LT-LAST" })
        {
            a.ShouldHaveFired(rule, FindingEffect.Eligible);
        }

        a.Notes.Should().Contain(n => n.Contains("never standard care", StringComparison.Ordinal));
    }

    [Fact]
    public void SSA_PROPHYLAXIS_is_a_prerequisite_of_transplant_for_a_functioning_tumour()
    {
        Candidate().Condition(ConditionKind.CarcinoidSyndrome).Assess(TherapyId.Lt)
            .Prerequisites.Should().Contain(p => p.Rule == "SSA-PROPHYLAXIS");
        Candidate().Assess(TherapyId.Lt).Prerequisites.Should().NotContain(p => p.Rule == "SSA-PROPHYLAXIS");
    }

    // LT-LAST [site policy]

    [Fact]
    public void LT_LAST_meeting_every_criterion_with_no_earlier_treatment_recorded_is_consider()
    {
        var a = Untreated().Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("LT-LAST", FindingEffect.Consider);

        a.Findings.Single(f => f.Rule == "LT-LAST").SitePolicy.Should().ContainSingle(s => s.Setting == "Eligibility:Transplant:AfterOtherTreatment");
    }

    public static TheoryData<string> EarlierTreatments => ["TACE", "PRRT", "SSA", "everolimus", "chemotherapy", "past sunitinib"];

    [Theory]
    [MemberData(nameof(EarlierTreatments))]
    public void LT_LAST_any_earlier_treatment_of_the_NET_meets_it(string treatment)
    {
        var patient = treatment switch
        {
            "TACE" => Untreated().Procedure(ProcedureKind.Tace, Ago.Months(10)),
            "PRRT" => Untreated().Procedure(ProcedureKind.Prrt, Ago.Months(10)),
            "SSA" => Untreated().Medication(MedicationKind.SomatostatinAnalogue, at: Ago.Months(10)),
            "everolimus" => Untreated().Medication(MedicationKind.Everolimus, at: Ago.Months(10)),
            "chemotherapy" => Untreated().Medication(MedicationKind.Chemotherapy, active: false, at: Ago.Months(20), until: Ago.Months(16)),
            _ => Untreated().Medication(MedicationKind.Sunitinib, active: false, at: Ago.Months(20), until: Ago.Months(16)),
        };

        patient.Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("LT-LAST", FindingEffect.Eligible)
            .Findings.Single(f => f.Rule == "LT-LAST").Inputs.Should().ContainSingle();
    }

    [Fact]
    public void LT_LAST_a_proton_pump_inhibitor_is_not_a_treatment_of_the_NET()
    {
        Untreated().Medication(MedicationKind.ProtonPumpInhibitor, at: Ago.Months(10)).Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("LT-LAST", FindingEffect.Consider);
    }

    [Fact]
    public void LT_LAST_is_only_weighed_once_every_criterion_is_met()
    {
        Untreated().BornYearsAgo(60).Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .Fired("LT-LAST").Should().BeFalse();
    }

    [Fact]
    public void LT_LAST_site_policy_can_turn_it_into_a_note()
    {
        var policy = new EligibilityPolicy { Transplant = new() { AfterOtherTreatment = false } };

        Untreated().Assess(TherapyId.Lt, policy)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("LT-LAST", FindingEffect.Note);
    }

    // LT-AGE

    [Theory]
    [InlineData(54, 364, EligibilityStatus.Eligible)]
    [InlineData(54, 0, EligibilityStatus.Eligible)]
    [InlineData(55, 0, EligibilityStatus.NotIndicated)]
    public void LT_AGE_under_55(int years, int extraDays, EligibilityStatus expected)
    {
        Candidate().BornYearsAgo(years, extraDays).Assess(TherapyId.Lt)
            .ShouldBe(expected)
            .ShouldHaveFired("LT-AGE", expected.AsEffect());
    }

    [Fact]
    public void LT_AGE_limit_is_configurable()
    {
        var policy = new EligibilityPolicy { Transplant = new() { AgeBelow = 60 } };
        var patient = Candidate().BornYearsAgo(57);

        patient.Assess(TherapyId.Lt).ShouldBe(EligibilityStatus.NotIndicated);
        patient.Assess(TherapyId.Lt, policy)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("LT-AGE", FindingEffect.Eligible);
    }

    // LT-KI67

    [Theory]
    [InlineData(9.9, EligibilityStatus.Eligible)]
    [InlineData(10.0, EligibilityStatus.NotIndicated)]
    public void LT_KI67_below_10_percent(double ki67, EligibilityStatus expected)
    {
        Candidate().Without(FactKind.Ki67).Ki67((decimal)ki67).Assess(TherapyId.Lt)
            .ShouldBe(expected)
            .ShouldHaveFired("LT-KI67", expected.AsEffect());
    }

    [Theory]
    [InlineData(10, Comparator.LessThan, EligibilityStatus.Eligible)]
    [InlineData(12, Comparator.LessThan, EligibilityStatus.InsufficientData)]
    [InlineData(10, Comparator.AtLeast, EligibilityStatus.NotIndicated)]
    public void LT_KI67_reported_as_a_bound_decides_only_when_wholly_on_one_side(int bound, Comparator comparator, EligibilityStatus expected)
    {
        Candidate().Without(FactKind.Ki67).Ki67(Interval.From(bound, comparator)).Assess(TherapyId.Lt)
            .ShouldBe(expected)
            .ShouldHaveFired("LT-KI67", expected.AsEffect());
    }

    [Theory]
    [InlineData(20, EligibilityStatus.Eligible)]
    [InlineData(21, EligibilityStatus.NotIndicated)]
    public void LT_KI67_a_mitotic_count_in_the_G3_range_fails_even_with_a_low_Ki67(int mitoses, EligibilityStatus expected)
    {
        Candidate().Without(FactKind.Ki67).Ki67(2m).Mitoses(mitoses).Assess(TherapyId.Lt)
            .ShouldHaveFired("LT-KI67", expected.AsEffect());
    }

    [Fact]
    public void LT_KI67_a_mitotic_G3_fails_even_with_no_Ki67()
    {
        Candidate().Without(FactKind.Ki67).Mitoses(25m).Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("LT-KI67", FindingEffect.NotIndicated);
    }

    [Fact]
    public void LT_KI67_missing_Ki67_with_no_G3_measure_is_insufficient_data()
    {
        Candidate().Without(FactKind.Ki67).Mitoses(1m).Assess(TherapyId.Lt)
            .ShouldHaveFired("LT-KI67", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.Ki67);
    }

    [Fact]
    public void LT_KI67_an_unreported_mitotic_count_does_not_block()
    {
        Candidate().Without(FactKind.MitoticCount).Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("LT-KI67", FindingEffect.Eligible);
    }

    // LT-PRIMARY

    [Fact]
    public void LT_PRIMARY_primary_outside_the_portal_system_is_not_indicated()
    {
        Candidate().Without(FactKind.PrimarySite).Primary(PrimarySite.Lung).Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("LT-PRIMARY", FindingEffect.NotIndicated);
    }

    [Theory]
    [InlineData(PrimarySite.SmallIntestine)]
    [InlineData(PrimarySite.Colon)]
    public void LT_PRIMARY_resected_portal_venous_primary_is_met(PrimarySite site)
    {
        Candidate().Without(FactKind.PrimarySite).Primary(site).Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("LT-PRIMARY", FindingEffect.Eligible);
    }

    [Fact]
    public void LT_PRIMARY_rectal_primary_has_uncertain_portal_drainage()
    {
        Candidate().Without(FactKind.PrimarySite).Primary(PrimarySite.Rectum).Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("LT-PRIMARY", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.PrimarySite);
    }

    [Fact]
    public void LT_PRIMARY_primary_not_yet_resected_is_insufficient_data()
    {
        Candidate().Without(FactKind.PrimaryResection).Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("LT-PRIMARY", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.PrimaryResection);
    }

    // LT-EHD

    [Theory]
    [InlineData(ExtrahepaticDisease.None, EligibilityStatus.Eligible)]
    [InlineData(ExtrahepaticDisease.LimitedStable, EligibilityStatus.NotIndicated)]
    [InlineData(ExtrahepaticDisease.Unresectable, EligibilityStatus.NotIndicated)]
    public void LT_EHD_any_extrahepatic_disease_is_not_indicated(ExtrahepaticDisease ehd, EligibilityStatus expected)
    {
        Candidate().Without(FactKind.ExtrahepaticDisease).Extrahepatic(ehd).Assess(TherapyId.Lt)
            .ShouldBe(expected)
            .ShouldHaveFired("LT-EHD", expected.AsEffect());
    }

    [Fact]
    public void LT_EHD_bone_metastases_are_extrahepatic_disease()
    {
        Candidate().Without(FactKind.BoneMetastases).BoneMetastases(true).Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("LT-EHD", FindingEffect.NotIndicated);
    }

    // LT-BURDEN

    [Theory]
    [InlineData(49.9, EligibilityStatus.Eligible)]
    [InlineData(50.0, EligibilityStatus.NotIndicated)]
    public void LT_BURDEN_under_50_percent(double burden, EligibilityStatus expected)
    {
        Candidate().Burden((decimal)burden).Assess(TherapyId.Lt)
            .ShouldBe(expected)
            .ShouldHaveFired("LT-BURDEN", expected.AsEffect());
    }

    // LT-STABLE

    [Theory]
    [InlineData(5, EligibilityStatus.NotIndicated)]
    [InlineData(6, EligibilityStatus.Eligible)]
    public void LT_STABLE_stable_for_at_least_6_months(int months, EligibilityStatus expected)
    {
        Candidate().StableFor(months).Assess(TherapyId.Lt)
            .ShouldBe(expected)
            .ShouldHaveFired("LT-STABLE", expected.AsEffect());
    }

    [Fact]
    public void LT_STABLE_progressing_disease_is_not_indicated()
    {
        Candidate().Progressing().Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("LT-STABLE", FindingEffect.NotIndicated);
    }

    // LT-UNRES

    [Fact]
    public void LT_UNRES_resectable_disease_is_not_indicated()
    {
        Patient.ResectableCandidate().Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("LT-UNRES", FindingEffect.NotIndicated);
    }

    [Fact]
    public void LT_UNRES_unknown_resectability_asks_for_the_surgical_assessment()
    {
        // 8 bilobar lesions of 4 cm, burden 40 %, no surgical assessment: imaging does not settle it.
        Candidate().Without(FactKind.ResectableFraction).Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("LT-UNRES", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.ResectableFraction);
    }

    [Fact]
    public void LT_UNRES_likely_unresectable_on_imaging_meets_the_criterion_and_quotes_the_site_policy()
    {
        var patient = Candidate().Without(FactKind.ResectableFraction).Lesions(12, 4m);

        var finding = patient.Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldHaveFired("LT-UNRES", FindingEffect.Eligible)
            .Findings.Single(f => f.Rule == "LT-UNRES");

        finding.SitePolicy.Should().Contain(new PolicySetting("Eligibility:Resection:LikelyUnresectableLesionsAbove", "10"));
    }

    [Fact]
    public void LT_UNRES_site_policy_for_likely_unresectable_moves_the_outcome()
    {
        var policy = new EligibilityPolicy { Resection = new() { LikelyUnresectableLesionsAbove = 15 } };

        Candidate().Without(FactKind.ResectableFraction).Lesions(12, 4m).Assess(TherapyId.Lt, policy)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("LT-UNRES", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.ResectableFraction);
    }

    // LT-NEC, LT-EXENT: contraindications

    [Fact]
    public void LT_NEC_high_grade_carcinoma_contraindicates()
    {
        Candidate().Without(FactKind.Differentiation).Differentiation(Differentiation.Poorly).Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("LT-NEC", FindingEffect.Contraindicated);
    }

    [Fact]
    public void LT_NEC_does_not_fire_for_a_well_differentiated_NET_G3()
    {
        Candidate().Without(FactKind.Ki67).Ki67(25m).Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("LT-KI67", FindingEffect.NotIndicated)
            .ShouldNotHaveFired("LT-NEC", FindingEffect.Contraindicated);
    }

    [Fact]
    public void LT_EXENT_planned_exenteration_contraindicates()
    {
        var patient = Candidate().Procedure(ProcedureKind.PlannedExenteration, Ago.Days(7));
        var planned = patient.Build().Procedures.Single(p => p.Value == ProcedureKind.PlannedExenteration);

        var finding = patient.Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("LT-EXENT", FindingEffect.Contraindicated)
            .Findings.Single(f => f.Rule == "LT-EXENT");

        finding.Inputs.Should().ContainSingle(i => i.Fact == FactKind.PlannedExenteration && i.Source == planned.Source && i.Date == Ago.Days(7));
        finding.Evidence.Should().Contain(new Evidence("000", "§10"));
    }

    [Fact]
    public void LT_EXENT_does_not_fire_without_a_planned_exenteration()
    {
        Candidate().Procedure(ProcedureKind.LiverResection, Ago.Months(30)).Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.Eligible)
            .ShouldNotHaveFired("LT-EXENT", FindingEffect.Contraindicated);
    }

    // Missing criteria and precedence

    [Theory]
    [InlineData(FactKind.BirthDate, "LT-AGE")]
    [InlineData(FactKind.Ki67, "LT-KI67")]
    [InlineData(FactKind.PrimarySite, "LT-PRIMARY")]
    [InlineData(FactKind.ExtrahepaticDisease, "LT-EHD")]
    [InlineData(FactKind.TumourBurden, "LT-BURDEN")]
    [InlineData(FactKind.DiseaseStatus, "LT-STABLE")]
    public void Unknown_criterion_is_insufficient_data_naming_its_input(FactKind fact, string rule)
    {
        var a = Candidate().Without(fact).Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired(rule, FindingEffect.InsufficientData)
            .ShouldMiss(fact);

        a.Missing.Should().Contain(m => m.Fact == fact && m.Rule == rule);
    }

    [Fact]
    public void LT_AGE_failed_criterion_wins_over_an_unknown_one()
    {
        Candidate().BornYearsAgo(60).Without(FactKind.TumourBurden).Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("LT-AGE", FindingEffect.NotIndicated)
            .ShouldMiss(FactKind.TumourBurden);
    }

    [Fact]
    public void LT_EXENT_contraindication_wins_over_failed_and_unknown_criteria()
    {
        Candidate().Procedure(ProcedureKind.PlannedExenteration).BornYearsAgo(60).Without(FactKind.Ki67).Assess(TherapyId.Lt)
            .ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("LT-EXENT", FindingEffect.Contraindicated)
            .ShouldHaveFired("LT-AGE", FindingEffect.NotIndicated)
            .ShouldMiss(FactKind.Ki67);
    }
}

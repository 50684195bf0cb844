using System.Globalization;
using System.Reflection;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests;

/// <summary>Catalogue "Output model": precedence, unknown is never false, determinism, the report's shape.</summary>
public sealed class EngineTests
{
    private static readonly TherapyId[] CatalogueOrder =
    [
        TherapyId.Res, TherapyId.Abl, TherapyId.Emb, TherapyId.Sirt, TherapyId.Lt, TherapyId.Ssa,
        TherapyId.Inf, TherapyId.Prrt, TherapyId.Mibg, TherapyId.Eve, TherapyId.Sun, TherapyId.Chemo,
    ];

    /// <summary>A spread of patients whose reports exercise most rules.</summary>
    public static TheoryData<string> Patients => new(PatientsByName.Keys);

    private static readonly Dictionary<string, Func<Patient>> PatientsByName = new()
    {
        ["empty"] = Patient.New,
        ["resectable"] = Patient.ResectableCandidate,
        ["unresectable"] = Patient.UnresectableCandidate,
        ["functioning, progressing, on SSA"] = () => Patient.UnresectableCandidate()
            .Condition(ConditionKind.CarcinoidSyndrome).Medication(MedicationKind.SomatostatinAnalogue)
            .Progressing().ChromograninA(100m, Ago.Months(6)).ChromograninA(180m, Ago.Months(1)).Urinary5Hiaa(400m),
        ["NEC"] = () => Patient.UnresectableCandidate().Differentiation(Differentiation.Poorly).Ki67(60m),
        ["contraindications"] = () => Patient.UnresectableCandidate()
            .Bilirubin(4m).PortalVein(PortalVeinStatus.CompleteThrombosis).Ecog(3).Platelets(40m).Clearance(25m)
            .Condition(ConditionKind.BiliaryEntericAnastomosis).Condition(ConditionKind.LiverFailure)
            .Extrahepatic(ExtrahepaticDisease.Unresectable).BoneMetastases(true).LungShunt(30m).Burden(80m)
            .Procedure(ProcedureKind.PlannedExenteration),
    };

    private static EligibilityStatus StatusOf(Patient patient, TherapyId therapy) => patient.Assess(therapy).Status;

    [Fact]
    public void Statuses_are_ordered_by_catalogue_precedence()
    {
        EligibilityStatus[] rising =
        [
            EligibilityStatus.Eligible, EligibilityStatus.Consider, EligibilityStatus.InsufficientData,
            EligibilityStatus.NotIndicated, EligibilityStatus.Contraindicated,
        ];

        rising.Should().BeInAscendingOrder();
        rising.Select(s => s.Code()).Should().Equal("eligible", "consider", "insufficient-data", "not-indicated", "contraindicated");
    }

    [Fact]
    public void Contraindicated_beats_missing_data_and_the_missing_input_is_still_listed()
    {
        // EMB: bilirubin 3.5 mg/dL is severe dysfunction (EMB-LIVER); the INR is missing (EMB-COAG).
        var emb = Patient.UnresectableCandidate().Bilirubin(3.5m).Without(FactKind.Inr).Assess(TherapyId.Emb);

        emb.ShouldBe(EligibilityStatus.Contraindicated)
            .ShouldHaveFired("EMB-LIVER", FindingEffect.Contraindicated)
            .ShouldMiss(FactKind.Inr);
    }

    [Fact]
    public void Not_indicated_beats_insufficient_data()
    {
        // LT: age 60 fails LT-AGE; the burden needed by LT-BURDEN is unknown.
        var lt = Patient.UnresectableCandidate().BornYearsAgo(60).Without(FactKind.TumourBurden).Assess(TherapyId.Lt);

        lt.ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("LT-AGE", FindingEffect.NotIndicated)
            .ShouldMiss(FactKind.TumourBurden);
    }

    [Fact]
    public void Insufficient_data_beats_consider()
    {
        // EMB: bilirubin 2.5 mg/dL is borderline (consider); the INR is missing.
        var emb = Patient.UnresectableCandidate().Bilirubin(2.5m).Without(FactKind.Inr).Assess(TherapyId.Emb);

        emb.ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("EMB-LIVER", FindingEffect.Consider)
            .ShouldMiss(FactKind.Inr);
    }

    [Fact]
    public void Consider_beats_eligible()
    {
        var emb = Patient.UnresectableCandidate().Bilirubin(2.5m).Assess(TherapyId.Emb);

        emb.ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("EMB-IND", FindingEffect.Eligible)
            .ShouldHaveFired("EMB-LIVER", FindingEffect.Consider);
    }

    [Fact]
    public void The_unchanged_unresectable_candidate_is_eligible_for_embolization()
    {
        Patient.UnresectableCandidate().Assess(TherapyId.Emb).ShouldBe(EligibilityStatus.Eligible);
    }

    [Fact]
    public void Nothing_known_is_never_eligible()
    {
        var report = Patient.New().Evaluate();

        report.Assessments.Should().HaveCount(12);
        foreach (var assessment in report.Assessments)
        {
            assessment.Status.Should().BeOneOf([EligibilityStatus.InsufficientData, EligibilityStatus.NotIndicated], AssessmentAssertions.Explain(assessment));
        }
    }

    [Fact]
    public void Nothing_known_leaves_liver_metastases_unknown_rather_than_absent()
    {
        var report = Patient.New().Evaluate();

        report.Facts.LiverMetastases.Should().BeNull();
        report[TherapyId.Res].ShouldBe(EligibilityStatus.InsufficientData).ShouldMiss(FactKind.LiverMetastases);
    }

    [Theory]
    [MemberData(nameof(Patients))]
    public void Every_insufficient_data_assessment_names_what_is_missing_and_the_order_that_supplies_it(string name)
    {
        var report = PatientsByName[name]().Evaluate();

        foreach (var assessment in report.Assessments.Where(a => a.Status == EligibilityStatus.InsufficientData))
        {
            assessment.Missing.Should().NotBeEmpty(AssessmentAssertions.Explain(assessment));
            assessment.Missing.Should().OnlyContain(m => Enum.IsDefined(m.Order) && m.Order == FactOrders.OrderFor(m.Fact) && m.Rule.Length > 0);
        }
    }

    [Theory]
    [MemberData(nameof(Patients))]
    public void The_same_input_gives_the_same_report(string name)
    {
        var facts = PatientsByName[name]().Build();

        var first = EligibilityEngine.Evaluate(facts, Ago.AsOf, EligibilityPolicy.Default);
        var second = EligibilityEngine.Evaluate(facts, Ago.AsOf, EligibilityPolicy.Default);

        second.Assessments.Select(a => a.Status).Should().Equal(first.Assessments.Select(a => a.Status));
        second.Assessments.SelectMany(a => a.Rules).Should().Equal(first.Assessments.SelectMany(a => a.Rules));
        second.Assessments.SelectMany(a => a.Missing).Should().Equal(first.Assessments.SelectMany(a => a.Missing));
    }

    [Theory]
    [MemberData(nameof(Patients))]
    public void The_report_has_all_12_therapies_in_catalogue_order(string name)
    {
        var report = PatientsByName[name]().Evaluate();

        report.Assessments.Select(a => a.Therapy).Should().Equal(CatalogueOrder);
        report.Assessments.Select(a => a.Therapy.Code()).Should()
            .Equal("RES", "ABL", "EMB", "SIRT", "LT", "SSA", "INF", "PRRT", "MIBG", "EVE", "SUN", "CHEMO");
    }

    [Fact]
    public void The_engine_evaluates_the_12_catalogue_therapies_in_order()
    {
        EligibilityEngine.RuleSets.Select(r => r.Therapy).Should().Equal(CatalogueOrder);
        Enum.GetValues<TherapyId>().Should().Equal(CatalogueOrder);
    }

    [Fact]
    public void The_report_carries_the_rules_version_and_the_evaluation_instant()
    {
        var report = Patient.ResectableCandidate().Evaluate();

        report.RulesVersion.Should().NotBeNullOrWhiteSpace().And.Be(EligibilityEngine.RulesVersion);
        report.EvaluatedAt.Should().Be(Ago.AsOf);
        report.Patient.Should().Be("Patient/test");
    }

    [Fact]
    public void Site_policy_settings_list_every_property_marked_site_policy_with_its_default()
    {
        var expected = new List<PolicySetting>();
        var sections = typeof(EligibilityPolicy).GetProperties(BindingFlags.Public | BindingFlags.Instance);
        var marked = typeof(EligibilityPolicy).Assembly.GetTypes()
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            .Where(p => p.GetCustomAttribute<SitePolicyAttribute>() is not null)
            .ToList();
        marked.Should().NotBeEmpty();
        foreach (var property in marked)
        {
            var owner = property.DeclaringType!;
            var section = sections.Should().ContainSingle(s => s.PropertyType == owner, $"{owner.Name} must be a section of EligibilityPolicy").Subject;
            var value = Convert.ToString(property.GetValue(Activator.CreateInstance(owner)), CultureInfo.InvariantCulture);
            expected.Add(new PolicySetting($"Eligibility:{section.Name}:{property.Name}", value!));
        }

        EligibilityPolicy.Default.SitePolicySettings().Should().BeEquivalentTo(expected);
    }

    [Fact]
    public void Site_policy_settings_quote_catalogue_defaults()
    {
        var settings = EligibilityPolicy.Default.SitePolicySettings().ToDictionary(s => s.Setting, s => s.Value);

        settings.Should().Contain("Eligibility:Grading:Ki67G1Below", "3");
        settings.Should().Contain("Eligibility:DiseaseCourse:Criteria", "Vogl2009");
        settings.Should().Contain("Eligibility:Chromogranin:ProgressionRisePercent", "25");
        settings.Should().Contain("Eligibility:Embolization:BilirubinContraindicatedAboveMgDl", "3");
        settings.Should().Contain("Eligibility:Embolization:EcogContraindicatedFrom", "3");
        settings.Should().Contain("Eligibility:Radioembolization:LungShuntContraindicatedAbovePercent", "20");
        settings.Should().Contain("Eligibility:Prrt:ClearanceContraindicatedBelow", "50");
        settings.Should().NotContainKey("Eligibility:Resection:ResectableFractionAtLeastPercent", "the 80-90 % threshold is evidence (004), not site policy");
    }

    [Fact]
    public void The_report_quotes_the_site_policy_in_force()
    {
        var policy = new EligibilityPolicy { Embolization = new EmbolizationPolicy { BilirubinContraindicatedAboveMgDl = 2.5m } };

        var report = Patient.ResectableCandidate().Evaluate(policy);

        report.SitePolicy.Should().ContainEquivalentOf(new PolicySetting("Eligibility:Embolization:BilirubinContraindicatedAboveMgDl", "2.5"));
    }

    [Theory]
    [MemberData(nameof(Patients))]
    public void Every_finding_cites_one_of_the_five_articles(string name)
    {
        var report = PatientsByName[name]().Evaluate();

        var evidence = report.Assessments.SelectMany(a => a.Findings).SelectMany(f => f.Evidence)
            .Concat(report.AlsoReported.SelectMany(i => i.Evidence))
            .ToList();
        evidence.Should().NotBeEmpty();
        evidence.Select(e => e.Article).Should().OnlyContain(article => new[] { "000", "001", "002", "003", "004" }.Contains(article));
    }

    [Theory]
    [MemberData(nameof(Patients))]
    public void Every_status_finding_carries_a_reason_and_a_citation(string name)
    {
        var report = PatientsByName[name]().Evaluate();

        foreach (var finding in report.Assessments.SelectMany(a => a.Findings).Where(f => f.Effect.AsStatus() is not null))
        {
            finding.Reason.Should().NotBeNullOrWhiteSpace();
            finding.Evidence.Should().NotBeEmpty($"{finding.Rule} must cite its article");
        }
    }

    [Theory]
    [MemberData(nameof(Patients))]
    public void Every_input_reference_names_its_source(string name)
    {
        var report = PatientsByName[name]().Evaluate();

        var inputs = report.Assessments.SelectMany(a => a.Findings).SelectMany(f => f.Inputs)
            .Concat(report.AlsoReported.SelectMany(i => i.Inputs))
            .Concat(report.Facts.Tumour.Inputs).Concat(report.Facts.Course.Inputs)
            .Concat(report.Facts.Resectability.Inputs).Concat(report.Facts.Chromogranin.Inputs)
            .ToList();
        inputs.Should().OnlyContain(i => !string.IsNullOrWhiteSpace(i.Source));
        if (name != "empty")
        {
            inputs.Should().NotBeEmpty();
        }
    }
    [Fact]
    public void Findings_quote_only_site_policy_settings_with_the_value_in_force()
    {
        var policy = new EligibilityPolicy { Embolization = new() { BilirubinContraindicatedAboveMgDl = 2.8m } };
        var settings = policy.SitePolicySettings().ToDictionary(s => s.Setting, s => s.Value);
        Patient[] patients =
        [
            Patient.ResectableCandidate(), Patient.UnresectableCandidate(), Patient.New(),
            Patient.UnresectableCandidate().Condition(ConditionKind.Insulinoma).Bilirubin(3m).Inr(1.6m).Platelets(40m).Ecog(3).LungShunt(25m).Clearance(45m).Haemoglobin(7m),
            Patient.UnresectableCandidate().Without(FactKind.PrimarySite).Primary(PrimarySite.Lung).Progressing().Without(FactKind.ResectableFraction).Lesions(12, 4m, LesionDistribution.Bilobar),
        ];

        var quoted = patients.SelectMany(p => p.Evaluate(policy).Assessments).SelectMany(a => a.Findings).SelectMany(f => f.SitePolicy).ToList();

        quoted.Should().NotBeEmpty();
        quoted.Should().OnlyContain(q => settings.ContainsKey(q.Setting) && settings[q.Setting] == q.Value);
        quoted.Should().Contain(new PolicySetting("Eligibility:Embolization:BilirubinContraindicatedAboveMgDl", "2.8"));
    }
}

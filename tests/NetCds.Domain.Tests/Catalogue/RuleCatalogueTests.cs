using NetCds.Domain.Engine;
using NetCds.Domain.Policy;
using NetCds.Domain.Rules;
using NetCds.Domain.Tests.Support;
using NetCds.Domain.Tests.Vignettes;

namespace NetCds.Domain.Tests.Catalogue;

/// <summary>
/// The typed rule catalogue (issue 21) is what the published PlanDefinitions say runs: it must list every rule the
/// engine fires, under the therapy that fires it, with the effect it has.
/// </summary>
public sealed class RuleCatalogueTests
{
    private static IEnumerable<(string Name, EligibilityReport Report)> Reports() =>
        VignetteTests.Patients.Select(v => (v.Name, v.Build().Evaluate()))
            .Append(("nothing known", Patient.New().Evaluate()))
            .Append(("liver metastases only", Patient.New().Condition(NetCds.Domain.Facts.ConditionKind.LiverMetastases).Evaluate()));

    [Fact]
    public void Every_therapy_has_a_definition_with_unique_rule_ids()
    {
        RuleCatalogue.Therapies.Select(t => t.Therapy).Should().BeEquivalentTo(Enum.GetValues<TherapyId>());
        RuleCatalogue.Therapies.Should().OnlyContain(t => t.Rules.Select(r => r.Id).Distinct().Count() == t.Rules.Count);
        RuleCatalogue.Therapies.SelectMany(t => t.Rules).Should().OnlyContain(r => r.Evidence.Count > 0 && r.Yields.Count > 0);
    }

    [Fact]
    public void Every_rule_the_engine_fires_is_catalogued_for_its_therapy_with_that_effect()
    {
        var uncatalogued = new List<string>();
        foreach (var (name, report) in Reports())
        {
            foreach (var assessment in report.Assessments)
            {
                var rules = RuleCatalogue.For(assessment.Therapy).Rules.ToDictionary(r => r.Id);
                foreach (var finding in assessment.Findings)
                {
                    if (!rules.TryGetValue(finding.Rule, out var rule))
                    {
                        uncatalogued.Add($"{name}: {assessment.Therapy.Code()} {finding.Rule} not catalogued");
                    }
                    else if (finding.Effect != FindingEffect.InsufficientData && !rule.Yields.Contains(finding.Effect))
                    {
                        uncatalogued.Add($"{name}: {assessment.Therapy.Code()} {finding.Rule} fired {finding.Effect.Code()}, catalogue says {string.Join("/", rule.Yields.Select(y => y.Code()))}");
                    }
                }

                foreach (var prerequisite in assessment.Prerequisites.Where(p => !rules.ContainsKey(p.Rule)))
                {
                    uncatalogued.Add($"{name}: {assessment.Therapy.Code()} prerequisite {prerequisite.Rule} not catalogued");
                }
            }
        }

        uncatalogued.Distinct().Should().BeEmpty();
    }

    [Fact]
    public void Conditions_and_thresholds_follow_the_policy_in_force()
    {
        var emb = RuleCatalogue.For(TherapyId.Emb).Rules.Single(r => r.Id == "EMB-LIVER");
        var strict = new EligibilityPolicy { Embolization = new EmbolizationPolicy { BilirubinContraindicatedAboveMgDl = 2.5m } };

        emb.Condition(EligibilityPolicy.Default).Should().Contain("> 3 mg/dL");
        emb.Condition(strict).Should().Contain("> 2.5 mg/dL");
        var severe = emb.Thresholds.Single(t => t.Setting == "Eligibility:Embolization:BilirubinContraindicatedAboveMgDl");
        severe.SitePolicy.Should().BeTrue();
        severe.ValueIn(EligibilityPolicy.Default).Should().Be("3");
        severe.ValueIn(strict).Should().Be("2.5");
    }

    [Fact]
    public void Every_threshold_names_a_setting_of_the_policy()
    {
        var groups = typeof(EligibilityPolicy).GetProperties().ToDictionary(p => p.Name);
        foreach (var threshold in RuleCatalogue.Therapies.SelectMany(t => t.Rules).SelectMany(r => r.Thresholds))
        {
            var parts = threshold.Setting.Split(':');
            parts[0].Should().Be("Eligibility");
            groups[parts[1]].PropertyType.GetProperty(parts[2]).Should().NotBeNull(threshold.Setting);
        }
    }
}

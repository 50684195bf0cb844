using Hl7.Fhir.Model;
using NetCds.Domain.Engine;
using NetCds.Domain.Rules;

namespace NetCds.Fhir.Knowledge;

/// <summary>
/// The rule ids as a CodeSystem (<see cref="NetCdsCanonicals.Rules"/>), generated from <see cref="RuleCatalogue"/> so
/// the codes in reasonCode, DetectedIssue.code and the PlanDefinition actions resolve (issue 21). A rule's condition and
/// thresholds depend on the site's configuration, so they live in the PlanDefinitions, which the definitions point to.
/// </summary>
public static class RuleCodeSystem
{
    public static CodeSystem Build()
    {
        var therapiesByRule = RuleCatalogue.Therapies
            .SelectMany(t => t.Rules.Select(r => (Rule: r.Id, Therapy: t.Therapy)))
            .GroupBy(x => x.Rule)
            .ToList();
        return new CodeSystem
        {
            Id = "eligibility-rules",
            Url = NetCdsCanonicals.Rules,
            Version = EligibilityEngine.RulesVersion,
            Name = "NetCdsEligibilityRules",
            Title = "NetCds eligibility rule ids",
            Status = PublicationStatus.Active,
            Publisher = "NetCds",
            Description = new Markdown("The stable rule ids of the NetCds rule catalogue, generated from the code. Each rule is defined, with its condition, the thresholds in force at a site and its citations, by the action of the same title in its therapy's PlanDefinition."),
            CaseSensitive = true,
            Content = CodeSystemContentMode.Complete,
            Concept = [.. therapiesByRule.Select(g => new CodeSystem.ConceptDefinitionComponent
            {
                Code = g.Key,
                Display = g.Key,
                Definition = $"Rule {g.Key}; see the action titled {g.Key} in PlanDefinition {string.Join(", ", g.Select(x => PlanDefinitions.IdFor(x.Therapy)))}.",
            })],
        };
    }
}

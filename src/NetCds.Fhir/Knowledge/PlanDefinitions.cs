using Hl7.Fhir.Model;
using NetCds.Domain.Engine;
using NetCds.Domain.Policy;
using NetCds.Domain.Rules;
using Evidence = NetCds.Domain.Engine.Evidence;

namespace NetCds.Fhir.Knowledge;

/// <summary>
/// The rule catalogue as FHIR knowledge (issue 21): one eca-rule PlanDefinition per therapy, generated from
/// <see cref="RuleCatalogue"/> and the policy in force, so a site's knowledge team reviews exactly what runs here:
/// each rule is an action with its condition in words, the thresholds as configured (extension site-threshold),
/// the statuses it can yield (extension rule-yields) and its citations. The version is the rules version.
/// </summary>
public static class PlanDefinitions
{
    private const string PlanDefinitionType = "http://terminology.hl7.org/CodeSystem/plan-definition-type";

    public static string IdFor(TherapyId therapy) => $"netcds-{therapy.Code().ToLowerInvariant()}";

    /// <summary>Therapy codes as the report writes them (RES, EMB ...) to PlanDefinition ids.</summary>
    public static string IdFor(string therapyCode) =>
        Enum.TryParse<TherapyId>(therapyCode, ignoreCase: true, out var therapy) ? IdFor(therapy) : $"netcds-{therapyCode.ToLowerInvariant()}";

    public static IReadOnlyList<PlanDefinition> All(EligibilityPolicy policy) => [.. RuleCatalogue.Therapies.Select(t => For(t, policy))];

    /// <returns>Null when no therapy has this id.</returns>
    public static PlanDefinition? Find(string id, EligibilityPolicy policy) =>
        RuleCatalogue.Therapies.FirstOrDefault(t => IdFor(t.Therapy) == id) is { } therapy ? For(therapy, policy) : null;

    public static PlanDefinition For(TherapyDefinition therapy, EligibilityPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(therapy);
        ArgumentNullException.ThrowIfNull(policy);
        var id = IdFor(therapy.Therapy);
        return new PlanDefinition
        {
            Id = id,
            Meta = new Meta { Profile = [NetCdsCanonicals.PlanDefinitionProfile] },
            Url = NetCdsCanonicals.PlanDefinitionUrl(id),
            Version = EligibilityEngine.RulesVersion,
            Name = $"NetCds{therapy.Therapy}",
            Title = $"{therapy.Therapy.Code()}: {therapy.Title}",
            Type = new CodeableConcept(PlanDefinitionType, "eca-rule", "ECA Rule"),
            Status = PublicationStatus.Active,
            Experimental = false,
            Publisher = "NetCds",
            Description = new Markdown(
                $"{therapy.Description} Rules of the NetCds catalogue for {therapy.Therapy.Code()}, with the thresholds configured at this site. "
                + "The therapy's status is the highest any rule yields (contraindicated > not-indicated > insufficient-data > consider > eligible); "
                + "a rule whose input is missing yields insufficient-data and names the order that would supply it. "
                + "Decision support for a multidisciplinary team, not an order."),
            Usage = "Each action is one rule: its id (title and code), its condition in words, what it can yield, the thresholds in force and its citations.",
            RelatedArtifact = [.. therapy.Evidence.Select(Citation)],
            Action = [.. therapy.Rules.Select(r => Action(r, policy))],
        };
    }

    private static PlanDefinition.ActionComponent Action(RuleDefinition rule, EligibilityPolicy policy)
    {
        var words = rule.Condition(policy);
        var action = new PlanDefinition.ActionComponent
        {
            ElementId = rule.Id,
            Title = rule.Id,
            Description = rule.SitePolicy ? $"[site policy] {words}" : words,
            Code = [new CodeableConcept(NetCdsCanonicals.Rules, rule.Id)],
            Documentation = [.. rule.Evidence.Select(Citation)],
            Condition =
            [
                new PlanDefinition.ConditionComponent
                {
                    Kind = ActionConditionKind.Applicability,
                    Expression = new Expression { Description = words, Language = "text/plain", Expression_ = words },
                },
            ],
        };
        action.Extension.AddRange(rule.Yields.Select(y => new Extension(NetCdsCanonicals.RuleYields, new Coding(NetCdsCanonicals.EligibilityStatus, y.Code()))));
        action.Extension.AddRange(rule.Thresholds.Select(t => new Extension
        {
            Url = NetCdsCanonicals.SiteThreshold,
            Extension =
            [
                new Extension("setting", new FhirString(t.Setting)),
                new Extension("value", new FhirString(t.ValueIn(policy))),
                new Extension("sitePolicy", new FhirBoolean(t.SitePolicy)),
            ],
        }));
        if (rule.Prerequisite is { } prerequisite)
        {
            action.Action.Add(new PlanDefinition.ActionComponent { Title = "Prerequisite", Description = prerequisite });
        }

        return action;
    }

    /// <summary>"000 §4" → a citation of the article and section (the catalogue's citation form).</summary>
    private static RelatedArtifact Citation(Evidence evidence) => new()
    {
        Type = RelatedArtifact.RelatedArtifactType.Citation,
        Label = evidence.ToString(),
        Display = evidence.Section.Length == 0 ? Evidence.Articles[evidence.Article] : $"{Evidence.Articles[evidence.Article]}, {evidence.Section}",
    };
}

using NetCds.Domain.Facts;
using NetCds.Domain.Policy;

namespace NetCds.Domain.Engine;

/// <summary>One rule that fired: its id, what it contributes, a one-line reason, citations and the inputs it read.</summary>
/// <param name="SitePolicy">Thresholds the rule applied that are site policy rather than evidence.</param>
public sealed record Finding(
    string Rule,
    FindingEffect Effect,
    string Reason,
    IReadOnlyList<Evidence> Evidence,
    IReadOnlyList<InputReference> Inputs,
    IReadOnlyList<PolicySetting> SitePolicy);

/// <summary>An input a rule needed and did not have, with the order that would supply it.</summary>
public sealed record MissingInput(FactKind Fact, ClinicalOrder Order, string Rule);

/// <summary>Work-up that must happen before the therapy even when it is eligible.</summary>
public sealed record Prerequisite(string Rule, string Description, ClinicalOrder? Order = null);

public sealed record TherapyAssessment(
    TherapyId Therapy,
    EligibilityStatus Status,
    IReadOnlyList<Finding> Findings,
    IReadOnlyList<MissingInput> Missing,
    IReadOnlyList<Prerequisite> Prerequisites,
    IReadOnlyList<string> Notes)
{
    /// <summary>Rule ids that fired, in order.</summary>
    public IEnumerable<string> Rules => Findings.Select(f => f.Rule);

    public bool Fired(string rule) => Findings.Any(f => f.Rule == rule);

    public bool Fired(string rule, FindingEffect effect) => Findings.Any(f => f.Rule == rule && f.Effect == effect);
}

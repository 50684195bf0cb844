using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using NetCds.Domain.Rules;

namespace NetCds.Domain.Engine;

/// <summary>
/// Evaluates every therapy of the catalogue for one patient. Deterministic: the same facts, instant and policy
/// give the same report; nothing reads the clock.
/// </summary>
public static class EligibilityEngine
{
    /// <summary>Version of the rule catalogue this code implements; cards and stored reports carry it.</summary>
    public const string RulesVersion = "netcds-rules-2026.12";

    /// <summary>Therapy order as the articles give it: resection, liver-directed, then systemic (000 §11, 001 Conclusion).</summary>
    public static IReadOnlyList<ITherapyRules> RuleSets { get; } =
    [
        new Resection(),
        new Ablation(),
        new Embolization(),
        new Radioembolization(),
        new LiverTransplant(),
        new SomatostatinAnalogues(),
        new Interferon(),
        new PeptideReceptorRadionuclideTherapy(),
        new MibgTherapy(),
        new Everolimus(),
        new Sunitinib(),
        new Chemotherapy(),
    ];

    public static EligibilityReport Evaluate(PatientFacts facts, DateTimeOffset asOf, EligibilityPolicy policy)
    {
        var context = EvaluationContext.Create(facts, asOf, policy);
        // FIT applies across therapies, so it is added to each therapy's own assessment (002 Management prior to treatment).
        var assessments = RuleSets.Select(rules => Fitness.Apply(rules.Assess(context), context)).ToList();
        return new EligibilityReport(
            facts.Patient,
            asOf,
            RulesVersion,
            assessments,
            context.Derived,
            AlsoReported.Items(context),
            policy.SitePolicySettings());
    }
}

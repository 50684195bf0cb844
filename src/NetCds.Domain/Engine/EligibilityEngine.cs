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
    public const string RulesVersion = "netcds-rules-2026.12.1";

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
        ArgumentNullException.ThrowIfNull(facts);
        var context = EvaluationContext.Create(facts, asOf, policy);

        // Decided by cases (catalogue, "Quantities are intervals"): an interval that spans a threshold is evaluated
        // once per piece, and a therapy is decided when every case agrees. The report's derived facts, and what is
        // also reported, stay those of the values as written.
        var spanning = InputCases.Spanning(facts, policy);
        var cases = InputCases.Of(facts, spanning)
            .Select(one => (Case: one, Context: one.Pieces.Count == 0 ? context : EvaluationContext.Create(one.Facts, asOf, policy)))
            .ToList();
        var assessments = RuleSets
            .Select(rules => DecidedByCases.Combine(
                rules.Therapy,
                cases[0].Case.Pieces.Count == 0 ? [] : spanning,
                [.. cases.Select(one => new CaseAssessment(one.Case, one.Context, Assess(rules, one.Context)))]))
            .ToList();
        return new EligibilityReport(
            facts.Patient,
            asOf,
            RulesVersion,
            assessments,
            context.Derived,
            AlsoReported.Items(context),
            policy.SitePolicySettings());
    }

    /// <summary>FIT applies across therapies, so it is added to each therapy's own assessment (002 Management prior to treatment).</summary>
    private static TherapyAssessment Assess(ITherapyRules rules, EvaluationContext context) => Fitness.Apply(rules.Assess(context), context);
}

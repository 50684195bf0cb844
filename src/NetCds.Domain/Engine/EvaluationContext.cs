using NetCds.Domain.Derived;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;

namespace NetCds.Domain.Engine;

/// <summary>What every rule set reads: the facts, the facts derived from them at <see cref="AsOf"/>, and the policy.</summary>
public sealed class EvaluationContext(PatientFacts facts, DerivedFacts derived, EligibilityPolicy policy)
{
    public PatientFacts Facts { get; } = facts;

    public DerivedFacts Derived { get; } = derived;

    public EligibilityPolicy Policy { get; } = policy;

    public DateTimeOffset AsOf => Derived.AsOf;

    public static EvaluationContext Create(PatientFacts facts, DateTimeOffset asOf, EligibilityPolicy policy) =>
        new(facts, DerivedFacts.From(facts, asOf, policy), policy);
}

/// <summary>One therapy's rules (one file per therapy under <c>Rules/</c>).</summary>
public interface ITherapyRules
{
    TherapyId Therapy { get; }

    TherapyAssessment Assess(EvaluationContext c);
}

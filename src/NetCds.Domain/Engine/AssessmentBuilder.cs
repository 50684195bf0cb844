using NetCds.Domain.Facts;
using NetCds.Domain.Policy;

namespace NetCds.Domain.Engine;

/// <summary>
/// Collects the findings of one therapy's rules and settles the status by catalogue precedence.
/// Rules only add; they never overwrite each other, so every reason stays on the card.
/// </summary>
public sealed class AssessmentBuilder(TherapyId therapy)
{
    private readonly List<Finding> _findings = [];
    private readonly List<MissingInput> _missing = [];
    private readonly List<Prerequisite> _prerequisites = [];
    private readonly List<string> _notes = [];

    public TherapyId Therapy { get; } = therapy;

    /// <summary>The status the findings so far settle on, or null when no rule has voted yet.</summary>
    public EligibilityStatus? CurrentStatus =>
        _findings.Select(f => f.Effect.AsStatus()).Where(s => s.HasValue).Max();

    public AssessmentBuilder Add(
        string rule,
        FindingEffect effect,
        string reason,
        IReadOnlyList<Evidence> evidence,
        IReadOnlyList<InputReference>? inputs = null,
        IReadOnlyList<PolicySetting>? sitePolicy = null)
    {
        _findings.Add(new Finding(rule, effect, reason, evidence, inputs ?? [], sitePolicy ?? []));
        return this;
    }

    /// <summary>
    /// A rule could not be decided: insufficient-data naming the input and the order that supplies it. A rule whose
    /// input is wanted but not decisive (FIT-PS) passes <see cref="FindingEffect.Note"/>: listed as missing, no vote.
    /// </summary>
    public AssessmentBuilder Missing(string rule, FactKind fact, string reason, IReadOnlyList<Evidence> evidence, IReadOnlyList<InputReference>? inputs = null,
        FindingEffect effect = FindingEffect.InsufficientData)
    {
        Add(rule, effect, reason, evidence, inputs);
        if (!_missing.Any(m => m.Fact == fact))
        {
            _missing.Add(new MissingInput(fact, FactOrders.OrderFor(fact), rule));
        }

        return this;
    }

    public AssessmentBuilder Prerequisite(string rule, string description, ClinicalOrder? order = null)
    {
        if (!_prerequisites.Any(p => p.Rule == rule && p.Description == description))
        {
            _prerequisites.Add(new Prerequisite(rule, description, order));
        }

        return this;
    }

    public AssessmentBuilder Note(string note)
    {
        _notes.Add(note);
        return this;
    }

    /// <summary>
    /// Adds what this builder collected to an assessment another rule set settled, its status settled again by
    /// precedence (the highest wins, so added findings can only worsen it). For rules applied across therapies (FIT).
    /// </summary>
    public TherapyAssessment AddTo(TherapyAssessment assessment)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        var status = CurrentStatus is { } added && added > assessment.Status ? added : assessment.Status;
        return assessment with
        {
            Status = status,
            Findings = [.. assessment.Findings, .. _findings],
            Missing = [.. assessment.Missing, .. _missing.Where(m => assessment.Missing.All(x => x.Fact != m.Fact))],
            Prerequisites = [.. assessment.Prerequisites, .. _prerequisites],
            Notes = [.. assessment.Notes, .. _notes],
        };
    }

    public TherapyAssessment Build()
    {
        // Every rule set ends with an indication rule that votes, so a silent assessment is a programming error.
        var status = CurrentStatus
            ?? throw new InvalidOperationException($"No rule decided the status of {Therapy.Code()}.");
        return new TherapyAssessment(Therapy, status, [.. _findings], [.. _missing], [.. _prerequisites], [.. _notes]);
    }
}

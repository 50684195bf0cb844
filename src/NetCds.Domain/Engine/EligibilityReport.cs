using NetCds.Domain.Derived;
using NetCds.Domain.Policy;

namespace NetCds.Domain.Engine;

/// <summary>Something the card reports beside the therapy statuses (catalogue "Also reported").</summary>
/// <param name="Topic">PRIMARY, SYNDROME, MDT, CGA-TREND or 5-HIAA.</param>
public sealed record ReportItem(string Topic, string Text, IReadOnlyList<Evidence> Evidence, IReadOnlyList<InputReference> Inputs);

/// <summary>The engine's answer for one patient at one instant: decision support for an MDT, not an order.</summary>
public sealed record EligibilityReport(
    string? Patient,
    DateTimeOffset EvaluatedAt,
    string RulesVersion,
    IReadOnlyList<TherapyAssessment> Assessments,
    DerivedFacts Facts,
    IReadOnlyList<ReportItem> AlsoReported,
    IReadOnlyList<PolicySetting> SitePolicy)
{
    public TherapyAssessment this[TherapyId therapy] => Assessments.Single(a => a.Therapy == therapy);
}

using NetCds.Domain.Engine;
using NetCds.Domain.Facts;

namespace NetCds.Domain.Tests.Support;

/// <summary>Assertions that print the whole assessment when they fail, so a failing rule test explains itself.</summary>
public static class AssessmentAssertions
{
    public static TherapyAssessment ShouldBe(this TherapyAssessment assessment, EligibilityStatus expected)
    {
        assessment.Status.Should().Be(expected, Explain(assessment));
        return assessment;
    }

    public static TherapyAssessment ShouldHaveFired(this TherapyAssessment assessment, string rule, FindingEffect effect)
    {
        assessment.Fired(rule, effect).Should().BeTrue($"{rule} should fire with effect {effect}; {Explain(assessment)}");
        return assessment;
    }

    public static TherapyAssessment ShouldNotHaveFired(this TherapyAssessment assessment, string rule, FindingEffect effect)
    {
        assessment.Fired(rule, effect).Should().BeFalse($"{rule} should not fire with effect {effect}; {Explain(assessment)}");
        return assessment;
    }

    public static TherapyAssessment ShouldMiss(this TherapyAssessment assessment, FactKind fact)
    {
        assessment.Missing.Select(m => m.Fact).Should().Contain(fact, Explain(assessment));
        return assessment;
    }

    public static string Explain(TherapyAssessment a) =>
        $"{a.Therapy.Code()} was {a.Status.Code()}: " + string.Join("; ", a.Findings.Select(f => $"{f.Rule} {f.Effect.Code()} ({f.Reason})"))
        + (a.Missing.Count > 0 ? "; missing " + string.Join(", ", a.Missing.Select(m => m.Fact)) : "");
}

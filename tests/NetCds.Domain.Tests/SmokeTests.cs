using NetCds.Domain.Engine;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Resectable_candidate_is_eligible_for_resection()
    {
        var report = Patient.ResectableCandidate().Evaluate();
        foreach (var a in report.Assessments)
        {
            TestContext.Current.SendDiagnosticMessage(AssessmentAssertions.Explain(a));
        }

        report[TherapyId.Res].ShouldBe(EligibilityStatus.Eligible);
    }
}

using NetCds.Domain.Derived;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using static NetCds.Domain.Rules.CommonRules;

namespace NetCds.Domain.Rules;

/// <summary>
/// "Advanced" for the targeted agents: liver metastases (resectability does not gate them) of a
/// well-differentiated tumour, with a known primary site.
/// </summary>
internal static class SystemicGates
{
    /// <summary>
    /// Liver metastases, NET G1/G2 (NET G3 consider, NEC not indicated) and a primary site. Returns the site
    /// unless liver metastases are not established or the tumour is an NEC: for NET G3 or an undecided grade the
    /// site and course rules still vote, so documented stable disease stays not-indicated and an unknown course
    /// is still named as missing (catalogue precedence: not-indicated &gt; insufficient-data &gt; consider).
    /// </summary>
    public static PrimarySite? AdvancedLowGradeNet(AssessmentBuilder a, EvaluationContext c, string rule, string siteRule, IReadOnlyList<Evidence> evidence, string? highGradeRule = null)
    {
        var liverMets = LiverMetastasesPresent(a, c, rule, evidence);
        LowGradeNet(a, c, rule, highGradeRule ?? rule, evidence);
        var site = c.Derived.PrimarySite;
        if (site is null)
        {
            a.Missing(siteRule, FactKind.PrimarySite, "primary site not recorded", evidence);
        }

        return liverMets && c.Derived.Tumour.Class != TumourClass.Nec ? site?.Value : null;
    }

    /// <summary>
    /// EVE-FAILED, SUN-FAILED [site policy]: progression recorded while on the drug (after its start, and before its
    /// end or with no end recorded) is treatment failure (000 §9: benefit is measured as progression-free survival).
    /// The card names the drug, its start and the progression.
    /// </summary>
    public static void FailedOn(AssessmentBuilder a, EvaluationContext c, string rule, MedicationKind drug, string name, bool isFailure)
    {
        if (c.Derived.ProgressionOn(drug) is not ({ } course, { } progression))
        {
            return;
        }

        a.Add(rule, isFailure ? FindingEffect.NotIndicated : FindingEffect.Note,
            ProgressionOnDrug(name, course, progression)
            + (isFailure ? " (treatment failure)" : " (this site does not read it as failure)"),
            Evidence.Cite("000 §9"), [InputReference.From(FactKind.Medication, course), progression],
            [PolicySetting.Of($"Eligibility:{(drug == MedicationKind.Everolimus ? "Everolimus" : "Sunitinib")}:ProgressionOnDrugIsFailure", isFailure)]);
    }

    /// <summary>"progression on octreotide: started 2026-01-10, progression recorded 2026-08-01": the drug, its course and the progression, with dates.</summary>
    public static string ProgressionOnDrug(string name, Fact<MedicationUse> course, InputReference progression)
    {
        ArgumentNullException.ThrowIfNull(course);
        ArgumentNullException.ThrowIfNull(progression);
        var until = course.Value.End is { } stopped ? $" until {DiseaseCourse.Day(stopped)}" : "";
        return $"progression on {name}: started {DiseaseCourse.Day(course.Effective)}{until}, progression recorded {DiseaseCourse.Day(progression.Date)}";
    }

    /// <summary>Progressive within the window is the indication; documented stable disease is not; unknown asks for imaging.</summary>
    public static void Progression(AssessmentBuilder a, EvaluationContext c, string rule, string whenProgressing, IReadOnlyList<Evidence> evidence)
    {
        if (KnownCourse(a, c, rule, evidence) is not { } course)
        {
            return;
        }

        var inputs = c.Derived.Tumour.Inputs.Concat(Inputs(FactKind.PrimarySite, c.Derived.PrimarySite)).Concat(course.Inputs).ToList();
        if (course.Kind == CourseKind.Progressing)
        {
            a.Add(rule, FindingEffect.Eligible, $"{whenProgressing}: {course.Reason}", evidence, inputs);
        }
        else
        {
            a.Add(rule, FindingEffect.NotIndicated, $"documented stable disease ({course.Reason})", evidence, inputs);
        }
    }
}

using NetCds.Domain.Derived;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using static NetCds.Domain.Engine.Evidence;
using static NetCds.Domain.Rules.CommonRules;

namespace NetCds.Domain.Rules;

/// <summary>INF: interferon-alpha, at most consider (001, 002 Table 1).</summary>
public sealed class Interferon : ITherapyRules
{
    public TherapyId Therapy => TherapyId.Inf;

    public TherapyAssessment Assess(EvaluationContext c)
    {
        var a = new AssessmentBuilder(Therapy);
        var d = c.Derived;
        var evidence = Cite("001", "002 Table 1");
        if (!LiverMetastasesPresent(a, c, "INF-IND", evidence))
        {
            return a.Build();
        }

        var tumour = d.Tumour;
        var course = d.Course;
        var onSsa = d.ActiveMedication(MedicationKind.SomatostatinAnalogue);
        var sstr = d.SstrUptake;
        var inputs = tumour.Inputs.Concat(course.Inputs).Concat(Inputs(FactKind.SstrUptake, sstr)).Concat(Inputs(FactKind.Medication, onSsa)).ToList();
        var isG1 = tumour.Class == TumourClass.NetG1;
        var sstrNegative = sstr?.Value < c.Policy.SomatostatinAnalogues.KrenningPositiveFrom;

        // INF-IND: G1 slowly progressive and/or SSTR-negative tumours; or after SSA failure; usually with an SSA.
        if (tumour.Class == TumourClass.Nec)
        {
            a.Add("INF-IND", FindingEffect.NotIndicated, "neuroendocrine carcinoma", evidence, tumour.Inputs);
        }
        else if (onSsa is not null && course.Kind == CourseKind.Progressing)
        {
            a.Add("INF-IND", FindingEffect.Consider, $"progressing on a somatostatin analogue ({course.Reason}): interferon is an alternative after SSA failure", evidence, inputs);
        }
        else if (isG1 && (course.Kind == CourseKind.Progressing || sstrNegative == true))
        {
            a.Add("INF-IND", FindingEffect.Consider, "NET G1, " + (sstrNegative == true ? "SSTR-negative" : "slowly progressive") + ": interferon-alpha, usually with an SSA", evidence, inputs);
        }
        else if (tumour.Class is null)
        {
            a.Missing("INF-IND", tumour.Missing.FirstOrDefault(FactKind.Ki67), "tumour grade unknown", evidence, tumour.Inputs);
        }
        else if (course.Kind == CourseKind.Unknown && (isG1 || onSsa is not null))
        {
            a.Missing("INF-IND", FactKind.DiseaseStatus, $"disease course unknown: {course.Reason}", evidence, inputs);
        }
        else if (isG1 && sstr is null)
        {
            a.Missing("INF-IND", FactKind.SstrUptake, "no SSTR imaging: SSTR-negative disease not ruled out", evidence, inputs);
        }
        else
        {
            a.Add("INF-IND", FindingEffect.NotIndicated, "not a slowly progressive or SSTR-negative G1 tumour, and no SSA failure", evidence, inputs);
        }

        return a.Build();
    }
}

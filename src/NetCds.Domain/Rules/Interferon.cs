using NetCds.Domain.Derived;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using static NetCds.Domain.Engine.Evidence;
using static NetCds.Domain.Rules.CommonRules;

namespace NetCds.Domain.Rules;

/// <summary>
/// INF: interferon-alpha, at most consider. 002 Table 1 and 001 give four alternatives: G1, SSTR-negative,
/// (slowly progressive) pancreatic NET, and failure of an SSA.
/// </summary>
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
        var ssa = d.AnyMedication(MedicationKind.SomatostatinAnalogue);
        var sstr = d.SstrUptake;
        var inputs = tumour.Inputs.Concat(course.Inputs).Concat(Inputs(FactKind.SstrUptake, sstr))
            .Concat(Inputs(FactKind.PrimarySite, d.PrimarySite)).Concat(Inputs(FactKind.Medication, ssa)).ToList();
        switch (tumour.Class)
        {
            case TumourClass.Nec or TumourClass.NetG3:
                a.Add("INF-IND", FindingEffect.NotIndicated, $"{tumour.Describe()}: interferon is for well-differentiated G1/G2 tumours", evidence, tumour.Inputs);
                return a.Build();
            case null:
                a.Missing("INF-IND", tumour.Missing.FirstOrDefault(FactKind.Ki67), "tumour grade unknown", evidence, tumour.Inputs);
                return a.Build();
        }

        // INF-IND: any one of the four alternatives of 002 Table 1 (and 001), each three-valued.
        var pancreatic = d.PrimarySite is null ? (bool?)null : d.PrimarySite.Value == PrimarySite.Pancreas;
        (string Why, bool? Holds, FactKind Settles)[] alternatives =
        [
            ("NET G1", tumour.Class switch { TumourClass.NetG1 => true, TumourClass.NetLowGrade => null, _ => false }, FactKind.Ki67),
            ($"SSTR-negative (Krenning < {c.Policy.SomatostatinAnalogues.KrenningPositiveFrom})", sstr is null ? null : sstr.Value < c.Policy.SomatostatinAnalogues.KrenningPositiveFrom, FactKind.SstrUptake),
            // (c) 002 Table 1 and its alpha-interferon section: "slowly progressive pNETs", whatever the recorded course
            // (revised 2026-12-06: the earlier "not progressing within 12 months" misread the source).
            ("well-differentiated G1/G2 pancreatic NET", pancreatic, FactKind.PrimarySite),
            ("progression on a somatostatin analogue (SSA failure)", SsaFailure(d), FactKind.DiseaseStatus),
        ];

        var holding = alternatives.Where(x => x.Holds == true).Select(x => x.Why).ToList();
        if (holding.Count > 0)
        {
            a.Add("INF-IND", FindingEffect.Consider, $"{string.Join("; ", holding)}: interferon-alpha, usually with an SSA", evidence, inputs);
        }
        else if (alternatives.Where(x => x.Holds is null).ToList() is { Count: > 0 } open)
        {
            foreach (var unknown in open)
            {
                a.Missing("INF-IND", unknown.Settles, $"{tumour.Describe()}: whether it is {unknown.Why} is unknown", evidence, inputs);
            }
        }
        else
        {
            a.Add("INF-IND", FindingEffect.NotIndicated, $"{tumour.Describe()}: not G1, not SSTR-negative, not pancreatic, no SSA failure", evidence, inputs);
        }

        return a.Build();
    }

    /// <summary>
    /// INF-IND (d): progression recorded during an SSA course, or progressing now while an SSA is active (the
    /// statement is often asserted after the start it describes). No SSA on record is no failure; an SSA with the
    /// course unknown leaves it open.
    /// </summary>
    private static bool? SsaFailure(Derived.DerivedFacts d)
    {
        if (d.AnyMedication(MedicationKind.SomatostatinAnalogue) is null)
        {
            return false;
        }

        if (d.ProgressionOn(MedicationKind.SomatostatinAnalogue) is not null
            || (d.ActiveMedication(MedicationKind.SomatostatinAnalogue) is not null && d.Course.Kind == CourseKind.Progressing))
        {
            return true;
        }

        return d.Course.Kind == CourseKind.Unknown ? null : false;
    }
}

using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using static NetCds.Domain.Engine.Evidence;
using static NetCds.Domain.Rules.CommonRules;

namespace NetCds.Domain.Rules;

/// <summary>MIBG: I-131 MIBG therapy, at most consider (001).</summary>
public sealed class MibgTherapy : ITherapyRules
{
    public TherapyId Therapy => TherapyId.Mibg;

    public TherapyAssessment Assess(EvaluationContext c)
    {
        var a = new AssessmentBuilder(Therapy);
        var evidence = Cite("001");
        if (LiverMetastasesPresent(a, c, "MIBG-IND", evidence))
        {
            // MIBG-IND: only tumours that take up MIBG on a diagnostic scan.
            switch (c.Derived.MibgUptake)
            {
                case null:
                    a.Missing("MIBG-IND", FactKind.MibgUptake, "no MIBG uptake scan", evidence);
                    break;
                case { Value: true } scan:
                    a.Add("MIBG-IND", FindingEffect.Consider, "positive MIBG uptake scan", evidence, Inputs(FactKind.MibgUptake, scan));
                    break;
                case var scan:
                    a.Add("MIBG-IND", FindingEffect.NotIndicated, "no MIBG uptake", evidence, Inputs(FactKind.MibgUptake, scan));
                    break;
            }
        }

        return a.Build();
    }
}

using NetCds.Domain.Derived;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using static NetCds.Domain.Engine.Evidence;
using static NetCds.Domain.Rules.CommonRules;

namespace NetCds.Domain.Rules;

/// <summary>CHEMO: cytotoxic chemotherapy.</summary>
public sealed class Chemotherapy : ITherapyRules
{
    public TherapyId Therapy => TherapyId.Chemo;

    public TherapyAssessment Assess(EvaluationContext c)
    {
        var a = new AssessmentBuilder(Therapy);
        var d = c.Derived;
        var pnet = Cite("002 Chemotherapy", "002 Table 1", "000 §8");
        if (!LiverMetastasesPresent(a, c, "CHEMO-PNET", pnet))
        {
            return a.Build();
        }

        var tumour = d.Tumour;
        switch (tumour.Class)
        {
            case TumourClass.Nec:
                // CHEMO-NEC (002, 000 §8, 003 §2.3): any site.
                a.Add("CHEMO-NEC", FindingEffect.Eligible, "neuroendocrine carcinoma: platinum-etoposide; temozolomide-based after first line", Cite("002", "000 §8", "003 §2.3"), tumour.Inputs);
                break;
            case TumourClass.NetG3:
                // CHEMO-G3: the articles predate the category (grading section); capecitabine-temozolomide, MDT judgement.
                a.Add("CHEMO-G3", FindingEffect.Consider, "well-differentiated NET G3 (any site): capecitabine-temozolomide, between the NET and NEC regimens; MDT judgement", Cite("002", "000 §8"), tumour.Inputs);
                break;
            case null:
                a.Missing("CHEMO-PNET", tumour.Missing.FirstOrDefault(FactKind.Ki67), "tumour grade unknown", pnet, tumour.Inputs);
                break;
            default:
                LowGrade(a, c, pnet);
                break;
        }

        // CHEMO-OXALI (000 §8).
        a.Add("CHEMO-OXALI", FindingEffect.Note, "oxaliplatin risks sinusoidal obstruction syndrome (relevant before liver surgery)", Cite("000 §8"));
        return a.Build();
    }

    /// <summary>CHEMO-PNET and CHEMO-MIDGUT for NET G1/G2.</summary>
    private static void LowGrade(AssessmentBuilder a, EvaluationContext c, IReadOnlyList<Evidence> pnet)
    {
        var d = c.Derived;
        var tumour = d.Tumour;
        var site = d.PrimarySite;
        var inputs = tumour.Inputs.Concat(Inputs(FactKind.PrimarySite, site)).ToList();
        var foregut = site?.Value is PrimarySite.Stomach or PrimarySite.Duodenum or PrimarySite.Lung;
        var foregutG2 = tumour.Class == TumourClass.NetG2 && foregut;
        switch (site?.Value)
        {
            case null:
                a.Missing("CHEMO-PNET", FactKind.PrimarySite, "primary site not recorded", pnet);
                return;
            case var _ when foregut && tumour.Class == TumourClass.NetLowGrade:
                // Foregut NET G2 is indicated, G1 is not: the reported values do not say which.
                a.Missing("CHEMO-PNET", FactKind.Ki67, $"{tumour.Describe()} of {site.Value}: foregut NET G2 is indicated, G1 is not", pnet, inputs);
                return;
            case PrimarySite.SmallIntestine or PrimarySite.Appendix:
                // CHEMO-MIDGUT (003 §2.3, 000 §8): responses under 10 %.
                a.Add("CHEMO-MIDGUT", FindingEffect.NotIndicated, "low-grade midgut NET: cytotoxic responses under 10 %", Cite("003 §2.3", "000 §8"), inputs);
                return;
            case PrimarySite.Pancreas:
                break;
            case var _ when foregutG2:
                break;
            default:
                a.Add("CHEMO-PNET", FindingEffect.NotIndicated, $"{tumour.Describe()} of {site.Value}: outside the chemotherapy indication (pancreatic NET, foregut NET G2)", pnet, inputs);
                return;
        }

        // Advanced inoperable pNET G1/G2 (or foregut G2) with progression, failure of other treatment or rapid growth.
        if (KnownCourse(a, c, "CHEMO-PNET", pnet) is not { } course)
        {
            return;
        }

        var what = site.Value == PrimarySite.Pancreas ? "advanced pancreatic NET" : $"metastatic foregut ({site.Value}) NET G2";
        if (course.Kind == CourseKind.Progressing)
        {
            a.Add("CHEMO-PNET", FindingEffect.Eligible, $"{what}, progressive ({course.Reason}): streptozocin-based or capecitabine-temozolomide", pnet, [.. inputs, .. course.Inputs]);
        }
        else if (d.IsFunctioning)
        {
            a.Add("CHEMO-PNET", FindingEffect.Consider, $"{what}, stable but functioning: chemotherapy if symptoms are poorly controlled", pnet, [.. inputs, .. course.Inputs]);
        }
        else
        {
            a.Add("CHEMO-PNET", FindingEffect.NotIndicated, $"{what}, stable and non-functioning ({course.Reason})", pnet, [.. inputs, .. course.Inputs]);
        }
    }
}

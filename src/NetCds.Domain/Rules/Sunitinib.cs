using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using static NetCds.Domain.Engine.Evidence;
using static NetCds.Domain.Rules.SystemicGates;

namespace NetCds.Domain.Rules;

/// <summary>SUN: sunitinib, for progressive pancreatic NET only.</summary>
public sealed class Sunitinib : ITherapyRules
{
    public TherapyId Therapy => TherapyId.Sun;

    public TherapyAssessment Assess(EvaluationContext c)
    {
        var a = new AssessmentBuilder(Therapy);
        var d = c.Derived;
        var evidence = Cite("000 §9", "002");

        // SUN-IND (000 §9, 002) and SUN-SITE (002 Conclusions; NEC not indicated, pancreatic NET G3 consider).
        var site = AdvancedLowGradeNet(a, c, "SUN-IND", "SUN-SITE", evidence, highGradeRule: "SUN-SITE");
        if (d.PrimarySite is { } primary && primary.Value != PrimarySite.Pancreas)
        {
            a.Add("SUN-SITE", FindingEffect.NotIndicated, $"{primary.Value} primary: sunitinib is studied in pancreatic NET only", Cite("002 Conclusions"), [InputReference.From(FactKind.PrimarySite, primary)]);
        }
        else if (site == PrimarySite.Pancreas)
        {
            Progression(a, c, "SUN-IND", "advanced well-differentiated pancreatic NET, progressive", evidence);
            FailedOn(a, c, "SUN-FAILED", MedicationKind.Sunitinib, "sunitinib", c.Policy.Sunitinib.ProgressionOnDrugIsFailure);
        }

        // SUN-KI67 (000 §9): exploratory, benefit lessened.
        if (d.Tumour.Ki67?.Value.IsAbove(c.Policy.Sunitinib.Ki67NoteAbove) == true)
        {
            a.Add("SUN-KI67", FindingEffect.Note, $"Ki-67 > {c.Policy.Sunitinib.Ki67NoteAbove:0.#} %: benefit lessened in an exploratory analysis (also with distant extrahepatic disease)", Cite("000 §9"), d.Tumour.Inputs);
        }

        return a.Build();
    }
}

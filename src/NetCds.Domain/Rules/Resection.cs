using NetCds.Domain.Derived;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using static NetCds.Domain.Engine.Evidence;
using static NetCds.Domain.Rules.CommonRules;

namespace NetCds.Domain.Rules;

/// <summary>RES: liver resection, curative or cytoreductive. First step of every work-up (000 §2).</summary>
public sealed class Resection : ITherapyRules
{
    public TherapyId Therapy => TherapyId.Res;

    public TherapyAssessment Assess(EvaluationContext c)
    {
        var a = new AssessmentBuilder(Therapy);
        var d = c.Derived;
        var p = c.Policy.Resection;

        // RES-IND (002 Surgery; 000 §2) and RES-NEC: poorly differentiated tumours are almost never operated.
        var indication = Cite("002 Surgery", "000 §2");
        if (LiverMetastasesPresent(a, c, "RES-IND", indication) & LowGradeNet(a, c, "RES-IND", "RES-NEC", Cite("002 Surgery")))
        {
            a.Add("RES-IND", FindingEffect.Eligible, $"liver metastases of a {d.Tumour.Describe()}", indication, [.. d.Tumour.Inputs, .. d.LiverMetastasesInputs]);
        }

        ExtrahepaticDisease(a, d);
        BoneMetastases(a, d);
        ByResectability(a, c, p);

        // RES-IDEAL (003 §2.1, §6): a note on the pattern that suits surgery.
        if (d.Resectability.FitsIdeal == true)
        {
            a.Add("RES-IDEAL", FindingEffect.Note, "imaging fits the pattern ideal for resection: single lobe, or few small lesions",
                Cite("003 §2.1", "003 §6"), d.Imaging.Inputs(FactKind.LesionDistribution, FactKind.LesionCount, FactKind.LargestLesion));
        }

        CarcinoidCrisisProphylaxis(a, c);
        return a.Build();
    }

    /// <summary>RES-EHD: disease beyond the primary rules out curative intent (000 §2); limited stable disease is consider (001).</summary>
    private static void ExtrahepaticDisease(AssessmentBuilder a, DerivedFacts d)
    {
        var ehd = d.Imaging.ExtrahepaticDisease;
        var inputs = d.Imaging.Inputs(FactKind.ExtrahepaticDisease);
        switch (ehd?.Value)
        {
            case null:
                a.Missing("RES-EHD", FactKind.ExtrahepaticDisease, "extrahepatic disease not assessed", Cite("000 §2"));
                break;
            case Facts.ExtrahepaticDisease.Unresectable:
                a.Add("RES-EHD", FindingEffect.Contraindicated, "unresectable extrahepatic disease: no curative-intent liver resection", Cite("000 §2"), inputs);
                break;
            case Facts.ExtrahepaticDisease.LimitedStable:
                a.Add("RES-EHD", FindingEffect.Consider, "limited, stable extrahepatic disease: resection may still help, especially when symptomatic", Cite("001 Role of surgery"), inputs);
                break;
            default:
                a.Add("RES-EHD", FindingEffect.Eligible, "no extrahepatic disease", Cite("000 §2"), inputs);
                break;
        }
    }

    /// <summary>RES-BONE (002 Management prior to treatment).</summary>
    private static void BoneMetastases(AssessmentBuilder a, DerivedFacts d)
    {
        var evidence = Cite("002 Management prior to treatment");
        switch (d.Imaging.BoneMetastases?.Value)
        {
            case null:
                a.Missing("RES-BONE", FactKind.BoneMetastases, "bone metastases not assessed", evidence);
                break;
            case true:
                a.Add("RES-BONE", FindingEffect.Contraindicated, "bone metastases", evidence, d.Imaging.Inputs(FactKind.BoneMetastases));
                break;
            default:
                a.Add("RES-BONE", FindingEffect.Eligible, "no bone metastases", evidence, d.Imaging.Inputs(FactKind.BoneMetastases));
                break;
        }
    }

    /// <summary>
    /// RES-CUR and RES-DEBULK: at least 90 % (80-90 %, 004) of the liver disease removable, primary resected or
    /// resectable (001 Que criteria; 000 §2; 002 Surgery). Less extensive debulking is not indicated (000 §2, 002: it
    /// does not help, which is a limit of the indication, not a harm), except for mass effect at the hilum (004 Resection).
    /// </summary>
    private static void ByResectability(AssessmentBuilder a, EvaluationContext c, ResectionPolicy p)
    {
        var d = c.Derived;
        var r = d.Resectability;
        var curative = Cite("001 Role of surgery", "000 §2", "002 Surgery");
        switch (r.Kind)
        {
            case ResectabilityKind.Resectable:
                a.Add("RES-CUR", FindingEffect.Eligible, $"resectable: {r.Reason}", [.. curative, .. Cite("004")], r.Inputs);
                if (!r.FromSurgicalAssessment)
                {
                    a.Prerequisite("RES-CUR", "hepatobiliary surgical assessment (resectable/ablatable fraction, future liver remnant)", ClinicalOrder.HepatobiliarySurgicalAssessment);
                }
                else if (d.ResectableFraction?.Value.IsBelow(100m) == true)
                {
                    a.Add("RES-DEBULK", FindingEffect.Eligible, $"{d.ResectableFraction.Value} % removable: cytoreductive rather than complete resection",
                        Cite("000 §2", "002 Surgery", "004"), r.Inputs);
                }

                if (d.PrimaryResection is null)
                {
                    a.Prerequisite("RES-CUR", "primary tumour resected or resectable (synchronous or staged resection)", ClinicalOrder.HepatobiliarySurgicalAssessment);
                }

                if (d.FutureLiverRemnantAdequate?.Value == false)
                {
                    a.Add("RES-CUR", FindingEffect.Consider, "future liver remnant reported inadequate", curative, Inputs(FactKind.FutureLiverRemnantAdequate, d.FutureLiverRemnantAdequate));
                }

                break;
            case ResectabilityKind.Unresectable when d.Imaging.AtHilum?.Value == true:
                a.Add("RES-DEBULK", FindingEffect.Consider, $"{r.Reason}; debulking may still relieve mass effect from a hilar lesion",
                    Cite("004 Resection"), [.. r.Inputs, .. d.Imaging.Inputs(FactKind.LesionAtHilum)]);
                break;
            case ResectabilityKind.Unresectable:
                // Not-indicated, so a real contraindication (RES-BONE, RES-EHD) still wins by precedence.
                a.Add("RES-DEBULK", FindingEffect.NotIndicated, $"{r.Reason}: less extensive debulking does not help", Cite("000 §2", "002 Surgery", "004"), r.Inputs);
                if (d.IsFunctioning)
                {
                    a.Add("RES-DEBULK", FindingEffect.Note, "functioning tumour: debulking can be discussed if hormonal symptoms are refractory to medical therapy", Cite("004 Resection"));
                }

                break;
            default:
                a.Missing("RES-CUR", FactKind.ResectableFraction, $"resectability {r.Code}: {r.Reason}", curative, r.Inputs);
                break;
        }
    }
}

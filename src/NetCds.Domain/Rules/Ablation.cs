using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using static NetCds.Domain.Engine.Evidence;
using static NetCds.Domain.Rules.CommonRules;

namespace NetCds.Domain.Rules;

/// <summary>ABL: thermal ablation (RFA, MWA, cryoablation, LITT) and PEI.</summary>
public sealed class Ablation : ITherapyRules
{
    public TherapyId Therapy => TherapyId.Abl;

    public TherapyAssessment Assess(EvaluationContext c)
    {
        var a = new AssessmentBuilder(Therapy);
        var d = c.Derived;
        var p = c.Policy.Ablation;
        var imaging = d.Imaging;

        // ABL-IND (001 Image guided ablative techniques; 004): unresectable lesions, adjunct, recurrence, inoperable patient.
        var indication = Cite("001 Image guided ablative techniques", "004");
        if (LiverMetastasesPresent(a, c, "ABL-IND", indication) & LowGradeNet(a, c, "ABL-IND", "ABL-NEC", Cite("002 Ablative therapies")))
        {
            IndicatedUnlessResectable(a, c, "ABL-IND", "liver metastases of a well-differentiated NET", indication);
        }

        // ABL-SIZE (002 Table 1 and Ablative therapies; 003 §3.2.1 reports up to 7-9 cm).
        var sizeEvidence = Cite("002 Table 1", "002 Ablative therapies", "003 §3.2.1");
        if (imaging.LargestLesion is not { } largest)
        {
            a.Missing("ABL-SIZE", FactKind.LargestLesion, "largest lesion size not reported", sizeEvidence);
        }
        else
        {
            var inputs = imaging.Inputs(FactKind.LargestLesion);
            var size = largest.Value;
            switch (Bands.Of(size.IsBelow(p.SizeEligibleBelowCm), size.IsAbove(p.SizeContraindicatedAboveCm)))
            {
                case Band.Lower:
                    a.Add("ABL-SIZE", FindingEffect.Eligible, $"largest lesion {size} cm < {p.SizeEligibleBelowCm:0.#} cm", sizeEvidence, inputs);
                    break;
                case Band.Middle:
                    a.Add("ABL-SIZE", FindingEffect.Consider, $"largest lesion {size} cm ({p.SizeEligibleBelowCm:0.#}-{p.SizeContraindicatedAboveCm:0.#} cm): larger lesions ablate less completely", sizeEvidence, inputs);
                    break;
                case Band.Upper:
                    // A limit of the indication, not a harm (revised 2026-12-06): 003 §3.2.1 reports ablation up to 7-9 cm.
                    a.Add("ABL-SIZE", FindingEffect.NotIndicated, $"largest lesion {size} cm > {p.SizeContraindicatedAboveCm:0.#} cm: not for ablation as sole therapy", sizeEvidence, inputs);
                    break;
                default:
                    Undecided(a, "ABL-SIZE", FactKind.LargestLesion, $"largest lesion {size} cm", $"{p.SizeEligibleBelowCm:0.#} and {p.SizeContraindicatedAboveCm:0.#} cm", sizeEvidence, inputs);
                    break;
            }

            // ABL-3CM (000 §3, 004): a prognostic note, not a bar.
            if (size.IsAbove(p.SurvivalNoteAboveCm) == true)
            {
                a.Add("ABL-3CM", FindingEffect.Note, $"largest lesion > {p.SurvivalNoteAboveCm:0.#} cm predicts shorter survival after RFA", Cite("000 §3", "004"), inputs);
            }
        }

        // ABL-COUNT (003 §6 oligonodular; 003 §3.2.1 up to 12 in one sitting).
        var countEvidence = Cite("003 §6", "003 §3.2.1");
        if (imaging.LesionCount is not { } count)
        {
            a.Missing("ABL-COUNT", FactKind.LesionCount, "number of liver lesions not reported", countEvidence);
        }
        else
        {
            var inputs = imaging.Inputs(FactKind.LesionCount);
            var lesions = count.Value;
            switch (Bands.Of(lesions.IsBelow(p.CountEligibleBelow), lesions.IsAbove(p.CountConsiderAtMost)))
            {
                case Band.Lower:
                    a.Add("ABL-COUNT", FindingEffect.Eligible, $"{lesions} lesions (fewer than {p.CountEligibleBelow}: oligonodular)", countEvidence, inputs);
                    break;
                case Band.Middle:
                    a.Add("ABL-COUNT", FindingEffect.Consider, $"{lesions} lesions: up to {p.CountConsiderAtMost} can be treated in one sitting", countEvidence, inputs);
                    break;
                case Band.Upper:
                    a.Add("ABL-COUNT", FindingEffect.NotIndicated, $"{lesions} lesions > {p.CountConsiderAtMost}: not for ablation as sole therapy", countEvidence, inputs);
                    break;
                default:
                    Undecided(a, "ABL-COUNT", FactKind.LesionCount, $"{lesions} lesions", $"fewer than {p.CountEligibleBelow}, at most {p.CountConsiderAtMost}", countEvidence, inputs);
                    break;
            }
        }

        // Technique hints: they choose the method, not the status.
        if (imaging.NearMajorVessel?.Value == true)
        {
            a.Add("ABL-VESSEL", FindingEffect.Technique, "lesion next to a major hepatic vessel: heat sink, prefer microwave over RFA", Cite("000 §3", "001"), imaging.Inputs(FactKind.LesionNearMajorVessel));
        }

        if (imaging.NearVitalStructure?.Value == true)
        {
            a.Add("ABL-SURFACE", FindingEffect.Technique, "lesion at the liver surface or near a vital structure: RFA may be contraindicated; cryotherapy or PEI instead", Cite("002 Ablative therapies"), imaging.Inputs(FactKind.LesionNearVitalStructure));
        }

        Cryoablation(a, c);
        CarcinoidCrisisProphylaxis(a, c);
        return a.Build();
    }

    /// <summary>ABL-CRYO (000 §3): cryoablation causes coagulopathy and transfusion need.</summary>
    private static void Cryoablation(AssessmentBuilder a, EvaluationContext c)
    {
        var d = c.Derived;
        var p = c.Policy.Embolization;
        var inputs = new List<InputReference>();
        if (d.Condition(ConditionKind.Coagulopathy) is { } coagulopathy)
        {
            inputs.Add(InputReference.From(FactKind.Condition, coagulopathy));
        }

        if (d.Inr?.Value.IsAbove(p.InrContraindicatedAbove) == true)
        {
            inputs.Add(InputReference.From(FactKind.Inr, d.Inr));
        }

        if (d.Platelets?.Value.IsBelow(p.PlateletsContraindicatedBelow) == true)
        {
            inputs.Add(InputReference.From(FactKind.Platelets, d.Platelets));
        }

        if (inputs.Count > 0)
        {
            a.Add("ABL-CRYO", FindingEffect.Technique, "coagulopathy or thrombocytopenia: avoid cryoablation", Cite("000 §3"), inputs,
                [PolicySetting.Of("Eligibility:Embolization:InrContraindicatedAbove", p.InrContraindicatedAbove), PolicySetting.Of("Eligibility:Embolization:PlateletsContraindicatedBelow", p.PlateletsContraindicatedBelow)]);
        }
    }
}

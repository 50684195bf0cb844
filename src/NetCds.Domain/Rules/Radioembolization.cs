using NetCds.Domain.Derived;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using static NetCds.Domain.Engine.Evidence;
using static NetCds.Domain.Rules.CommonRules;

namespace NetCds.Domain.Rules;

/// <summary>SIRT: selective internal radiation therapy with Y-90 microspheres.</summary>
public sealed class Radioembolization : ITherapyRules
{
    public TherapyId Therapy => TherapyId.Sirt;

    public TherapyAssessment Assess(EvaluationContext c)
    {
        var a = new AssessmentBuilder(Therapy);
        var d = c.Derived;
        var p = c.Policy.Radioembolization;

        // SIRT-IND (001, 002): unresectable liver metastases, also after TAE/TACE and in disseminated disease.
        var indication = Cite("001", "002");
        if (LiverMetastasesPresent(a, c, "SIRT-IND", indication) & LowGradeNet(a, c, "SIRT-IND", "SIRT-IND", indication))
        {
            IndicatedUnlessResectable(a, c, "SIRT-IND", "liver metastases of a well-differentiated NET", indication);
        }

        LiverReserve(a, c, "SIRT-LIVER", Cite("001", "002"));

        // EMB-CIRRHOSIS applies to SIRT as well, under SIRT-LIVER: inadequate liver reserve (000 §4; 001, 002).
        ChronicLiverDisease(a, c, "SIRT-LIVER", Cite("000 §4", "001", "002"));
        PortalVein(a, d);
        Shunt(a, d, p);
        Burden(a, d, p);

        // SIRT-LONG (000 §5): always said, because the unknown is about the years ahead, not about this patient's data.
        a.Add("SIRT-LONG", FindingEffect.Note, "long-term radiation hepatotoxicity is unknown: caution in patients expected to live many years", Cite("000 §5"));

        CarcinoidCrisisProphylaxis(a, c);
        return a.Build();
    }

    /// <summary>SIRT-PV (001, 002): any compromise of the portal vein, partial included.</summary>
    private static void PortalVein(AssessmentBuilder a, DerivedFacts d)
    {
        var evidence = Cite("001", "002");
        var inputs = d.Imaging.Inputs(FactKind.PortalVein);
        switch (d.Imaging.PortalVein?.Value)
        {
            case null:
                a.Missing("SIRT-PV", FactKind.PortalVein, "portal vein status not reported", evidence);
                break;
            case PortalVeinStatus.Patent:
                a.Add("SIRT-PV", FindingEffect.Eligible, "portal vein patent", evidence, inputs);
                break;
            default:
                a.Add("SIRT-PV", FindingEffect.Contraindicated, "compromised portal vein / portal vein thrombosis", evidence, inputs);
                break;
        }
    }

    /// <summary>SIRT-SHUNT (000 §5, 001, 002): the MAA study comes first; a high lung shunt contraindicates.</summary>
    private static void Shunt(AssessmentBuilder a, DerivedFacts d, RadioembolizationPolicy p)
    {
        var evidence = Cite("000 §5", "001", "002");
        var setting = PolicySetting.Of("Eligibility:Radioembolization:LungShuntContraindicatedAbovePercent", p.LungShuntContraindicatedAbovePercent);
        if (d.LungShuntFraction is not { } shunt)
        {
            a.Prerequisite("SIRT-SHUNT", "Tc-99m MAA study: lung shunt fraction, gastrointestinal shunting and aberrant vessels", ClinicalOrder.MaaShuntStudy);
        }
        else if (shunt.Value.IsAbove(p.LungShuntContraindicatedAbovePercent) is not { } high)
        {
            // A safety rule: "< 30 %" does not rule out a shunt above 20 %.
            Undecided(a, "SIRT-SHUNT", FactKind.LungShuntFraction, $"lung shunt fraction {shunt.Value} %", $"{p.LungShuntContraindicatedAbovePercent:0.#} %", evidence, Inputs(FactKind.LungShuntFraction, shunt));
        }
        else if (high)
        {
            a.Add("SIRT-SHUNT", FindingEffect.Contraindicated, $"lung shunt fraction {shunt.Value} % > {p.LungShuntContraindicatedAbovePercent:0.#} %", evidence, Inputs(FactKind.LungShuntFraction, shunt), [setting]);
        }
        else
        {
            a.Add("SIRT-SHUNT", FindingEffect.Eligible, $"lung shunt fraction {shunt.Value} %", evidence, Inputs(FactKind.LungShuntFraction, shunt), [setting]);
        }
    }

    /// <summary>SIRT-BURDEN: 001 counts large burden against SIRT, 002 allows extensive replacement, so &gt; 75 % is consider.</summary>
    private static void Burden(AssessmentBuilder a, DerivedFacts d, RadioembolizationPolicy p)
    {
        var evidence = Cite("001", "002");
        if (d.Imaging.TumourBurden is not { } burden)
        {
            a.Missing("SIRT-BURDEN", FactKind.TumourBurden, "hepatic tumour burden not reported", evidence);
        }
        else if (burden.Value.IsAbove(p.BurdenConsiderAbovePercent) is not { } extensive)
        {
            Undecided(a, "SIRT-BURDEN", FactKind.TumourBurden, $"hepatic replacement {burden.Value} %", $"{p.BurdenConsiderAbovePercent:0.#} %", evidence, d.Imaging.Inputs(FactKind.TumourBurden));
        }
        else if (extensive)
        {
            a.Add("SIRT-BURDEN", FindingEffect.Consider, $"hepatic replacement {burden.Value} % > {p.BurdenConsiderAbovePercent:0.#} %: a contraindication in 001, allowed in 002", evidence, d.Imaging.Inputs(FactKind.TumourBurden));
        }
        else
        {
            a.Add("SIRT-BURDEN", FindingEffect.Eligible, $"hepatic replacement {burden.Value} %", evidence, d.Imaging.Inputs(FactKind.TumourBurden));
        }
    }
}

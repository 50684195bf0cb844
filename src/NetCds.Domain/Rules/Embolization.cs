using NetCds.Domain.Derived;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using static NetCds.Domain.Engine.Evidence;
using static NetCds.Domain.Rules.CommonRules;

namespace NetCds.Domain.Rules;

/// <summary>EMB: transarterial embolization and chemoembolization (TAE, TACE, DEB-TACE).</summary>
public sealed class Embolization : ITherapyRules
{
    public TherapyId Therapy => TherapyId.Emb;

    public TherapyAssessment Assess(EvaluationContext c)
    {
        var a = new AssessmentBuilder(Therapy);
        var d = c.Derived;
        var p = c.Policy.Embolization;

        // EMB-IND (002 Table 1; 003 §5, §6; 004 Summary) and EMB-NEC (002).
        var indication = Cite("002 Table 1", "003 §6", "003 §5", "004 Summary");
        if (LiverMetastasesPresent(a, c, "EMB-IND", indication) & LowGradeNet(a, c, "EMB-IND", "EMB-NEC", Cite("002 Table 1")))
        {
            IndicatedUnlessResectable(a, c, "EMB-IND", "liver-predominant disease of a NET G1/G2", indication);
        }

        PortalVein(a, d);
        LiverReserve(a, c, "EMB-LIVER", Cite("000 §4", "001", "002", "004"));

        ChronicLiverDisease(a, c, "EMB-CIRRHOSIS", Cite("000 §4"));
        Biliary(a, d);
        PerformanceStatus(a, d, p);
        Coagulation(a, d, p);
        Burden(a, d, p);
        Notes(a, d, p);
        CarcinoidCrisisProphylaxis(a, c);
        return a.Build();
    }

    /// <summary>EMB-PV (000 §4, 001, 002, 004): complete portal vein occlusion leaves the liver without inflow; partial is consider (000 §4).</summary>
    private static void PortalVein(AssessmentBuilder a, DerivedFacts d)
    {
        var evidence = Cite("000 §4", "001", "002", "004");
        var inputs = d.Imaging.Inputs(FactKind.PortalVein);
        switch (d.Imaging.PortalVein?.Value)
        {
            case null:
                a.Missing("EMB-PV", FactKind.PortalVein, "portal vein status not reported", evidence);
                break;
            case PortalVeinStatus.ThrombosisExtentUnknown:
                a.Missing("EMB-PV", FactKind.PortalVein, "portal vein thrombosis recorded without its extent: complete occlusion not ruled out", evidence, inputs);
                break;
            case PortalVeinStatus.CompleteThrombosis:
                a.Add("EMB-PV", FindingEffect.Contraindicated, "complete portal vein thrombosis", evidence, inputs);
                break;
            case PortalVeinStatus.PartialThrombosis:
                // 000 §4: the normal liver depends on portal inflow once its arterial supply is embolized; a partial
                // thrombosis leaves some inflow, so it is MDT judgement rather than a contraindication.
                a.Add("EMB-PV", FindingEffect.Consider, "partial portal vein thrombosis: selective embolization only, MDT judgement", Cite("000 §4"), inputs);
                break;
            default:
                a.Add("EMB-PV", FindingEffect.Eligible, "portal vein patent", evidence, inputs);
                break;
        }
    }

    /// <summary>
    /// EMB-BILIARY (001, 002): a biliary-enteric anastomosis lets bowel flora seed the ischaemic liver (abscess). A
    /// partial absence of the pancreas (Z90.411) follows a Whipple (anastomosis) or a distal pancreatectomy (none), so
    /// alone it is consider, and the card asks which operation it was.
    /// </summary>
    private static void Biliary(AssessmentBuilder a, DerivedFacts d)
    {
        var evidence = Cite("001", "002");
        if (d.Condition(ConditionKind.BiliaryEntericAnastomosis) is { } biliary)
        {
            a.Add("EMB-BILIARY", FindingEffect.Contraindicated, "biliary-enteric anastomosis or Whipple status: liver abscess risk", evidence, [InputReference.From(FactKind.Condition, biliary)]);
        }
        else if (d.Condition(ConditionKind.PartialAbsenceOfPancreas) is { } pancreas)
        {
            a.Add("EMB-BILIARY", FindingEffect.Consider,
                "partial absence of the pancreas recorded without the operation: which operation was it? A Whipple (biliary-enteric anastomosis, liver abscess risk) contraindicates embolization; a distal pancreatectomy does not",
                evidence, [InputReference.From(FactKind.Condition, pancreas)]);
        }
    }

    /// <summary>EMB-PS (002): poor performance status, ECOG ≥ 3 [site policy].</summary>
    private static void PerformanceStatus(AssessmentBuilder a, DerivedFacts d, EmbolizationPolicy p)
    {
        var evidence = Cite("002");
        var setting = PolicySetting.Of("Eligibility:Embolization:EcogContraindicatedFrom", p.EcogContraindicatedFrom);
        if (d.Ecog is not { } ecog)
        {
            a.Missing("EMB-PS", FactKind.Ecog, "performance status not recorded", evidence);
        }
        else if (ecog.Value >= p.EcogContraindicatedFrom)
        {
            a.Add("EMB-PS", FindingEffect.Contraindicated, $"ECOG {ecog.Value}: poor performance status", evidence, Inputs(FactKind.Ecog, ecog), [setting]);
        }
        else
        {
            a.Add("EMB-PS", FindingEffect.Eligible, $"ECOG {ecog.Value}", evidence, Inputs(FactKind.Ecog, ecog), [setting]);
        }
    }

    /// <summary>EMB-COAG (004): uncorrectable coagulopathy (INR, platelets [site policy]) or renal failure.</summary>
    private static void Coagulation(AssessmentBuilder a, DerivedFacts d, EmbolizationPolicy p)
    {
        var evidence = Cite("004");
        PolicySetting[] policy =
        [
            PolicySetting.Of("Eligibility:Embolization:InrContraindicatedAbove", p.InrContraindicatedAbove),
            PolicySetting.Of("Eligibility:Embolization:PlateletsContraindicatedBelow", p.PlateletsContraindicatedBelow),
            PolicySetting.Of("Eligibility:Embolization:RenalFailureClearanceBelow", p.RenalFailureClearanceBelow),
        ];

        var coagulopathy = d.Condition(ConditionKind.Coagulopathy);
        if (coagulopathy is not null)
        {
            a.Add("EMB-COAG", FindingEffect.Contraindicated, "coagulopathy recorded", evidence, [InputReference.From(FactKind.Condition, coagulopathy)]);
        }

        var inr = d.Inr?.Value.IsAbove(p.InrContraindicatedAbove);
        var lowPlatelets = d.Platelets?.Value.IsBelow(p.PlateletsContraindicatedBelow);
        var renalClearance = d.CreatinineClearance?.Value.IsBelow(p.RenalFailureClearanceBelow);
        if (d.Inr is null)
        {
            a.Missing("EMB-COAG", FactKind.Inr, "no INR: coagulopathy not ruled out", evidence);
        }
        else if (inr == true)
        {
            a.Add("EMB-COAG", FindingEffect.Contraindicated, $"INR {d.Inr.Value} > {p.InrContraindicatedAbove:0.##}", evidence, Inputs(FactKind.Inr, d.Inr), policy);
        }
        else if (inr is null)
        {
            Undecided(a, "EMB-COAG", FactKind.Inr, $"INR {d.Inr.Value}", $"{p.InrContraindicatedAbove:0.##}", evidence, Inputs(FactKind.Inr, d.Inr));
        }

        if (d.Platelets is null)
        {
            a.Missing("EMB-COAG", FactKind.Platelets, "no platelet count: thrombocytopenia not ruled out", evidence);
        }
        else if (lowPlatelets == true)
        {
            a.Add("EMB-COAG", FindingEffect.Contraindicated, $"platelets {d.Platelets.Value} ×10⁹/L < {p.PlateletsContraindicatedBelow:0}", evidence, Inputs(FactKind.Platelets, d.Platelets), policy);
        }
        else if (lowPlatelets is null)
        {
            Undecided(a, "EMB-COAG", FactKind.Platelets, $"platelets {d.Platelets.Value} ×10⁹/L", $"{p.PlateletsContraindicatedBelow:0}", evidence, Inputs(FactKind.Platelets, d.Platelets));
        }

        var renalFailure = d.Condition(ConditionKind.RenalFailure);
        if (renalFailure is not null)
        {
            a.Add("EMB-COAG", FindingEffect.Contraindicated, "renal failure recorded", evidence, [InputReference.From(FactKind.Condition, renalFailure)]);
        }
        else if (d.CreatinineClearance is null)
        {
            a.Missing("EMB-COAG", FactKind.CreatinineClearance, "no renal function: renal failure not ruled out", evidence);
        }
        else if (renalClearance == true)
        {
            a.Add("EMB-COAG", FindingEffect.Contraindicated, $"creatinine clearance {d.CreatinineClearance.Value} mL/min < {p.RenalFailureClearanceBelow:0}: renal failure", evidence, Inputs(FactKind.CreatinineClearance, d.CreatinineClearance), policy);
        }
        else if (renalClearance is null)
        {
            Undecided(a, "EMB-COAG", FactKind.CreatinineClearance, $"creatinine clearance {d.CreatinineClearance.Value} mL/min", $"{p.RenalFailureClearanceBelow:0}", evidence, Inputs(FactKind.CreatinineClearance, d.CreatinineClearance));
        }

        if (inr == false && lowPlatelets == false && coagulopathy is null && renalFailure is null && renalClearance == false)
        {
            a.Add("EMB-COAG", FindingEffect.Eligible, "INR, platelets and renal function acceptable", evidence,
                [.. Inputs(FactKind.Inr, d.Inr), .. Inputs(FactKind.Platelets, d.Platelets), .. Inputs(FactKind.CreatinineClearance, d.CreatinineClearance)], policy);
        }
    }

    /// <summary>EMB-BURDEN: ≤ 50 % eligible, 50-75 % consider (002 says not applicable, 000 allows), &gt; 75 % contraindicated (000 §4, 002).</summary>
    private static void Burden(AssessmentBuilder a, DerivedFacts d, EmbolizationPolicy p)
    {
        var evidence = Cite("000 §4", "002 Table 1");
        if (d.Imaging.TumourBurden is not { } burden)
        {
            a.Missing("EMB-BURDEN", FactKind.TumourBurden, "hepatic tumour burden not reported", evidence);
            return;
        }

        var inputs = d.Imaging.Inputs(FactKind.TumourBurden);
        var replaced = burden.Value;
        switch (Bands.Of(replaced.IsAtMost(p.BurdenEligibleAtMostPercent), replaced.IsAbove(p.BurdenContraindicatedAbovePercent)))
        {
            case Band.Lower:
                a.Add("EMB-BURDEN", FindingEffect.Eligible, $"hepatic replacement {replaced} % ≤ {p.BurdenEligibleAtMostPercent:0.#} %", evidence, inputs);
                break;
            case Band.Middle:
                a.Add("EMB-BURDEN", FindingEffect.Consider, $"hepatic replacement {replaced} %: 000 allows, 002 considers it not applicable", evidence, inputs);
                break;
            case Band.Upper:
                // [site policy]: 000 §4 calls it relative and 002 already excludes 50-75 %, so above 75 % both argue against.
                a.Add("EMB-BURDEN", FindingEffect.Contraindicated, $"hepatic replacement {replaced} % > {p.BurdenContraindicatedAbovePercent:0.#} %", evidence, inputs,
                    [PolicySetting.Of("Eligibility:Embolization:BurdenContraindicatedAbovePercent", p.BurdenContraindicatedAbovePercent)]);
                break;
            default:
                Undecided(a, "EMB-BURDEN", FactKind.TumourBurden, $"hepatic replacement {replaced} %", $"{p.BurdenEligibleAtMostPercent:0.#} and {p.BurdenContraindicatedAbovePercent:0.#} %", evidence, inputs);
                break;
        }
    }

    private static void Notes(AssessmentBuilder a, DerivedFacts d, EmbolizationPolicy p)
    {
        // EMB-EHD (000 §4, 003 §5): say so, because clinicians often assume otherwise.
        var ehd = d.Imaging.ExtrahepaticDisease?.Value;
        if (ehd is Facts.ExtrahepaticDisease.LimitedStable or Facts.ExtrahepaticDisease.Unresectable || d.PrimaryResection is null)
        {
            a.Add("EMB-EHD", FindingEffect.Note, "extrahepatic disease and an unresected primary are not contraindications to embolization", Cite("000 §4", "003 §5"), d.Imaging.Inputs(FactKind.ExtrahepaticDisease));
        }

        if (d.Imaging.AtHilum?.Value == true)
        {
            a.Add("EMB-HILUM", FindingEffect.Note, "hilar lesions respond poorly for mass-effect symptoms", Cite("004"), d.Imaging.Inputs(FactKind.LesionAtHilum));
        }

        if (d.Imaging.LargestLesion?.Value.IsBelow(p.DrugElutingBeadsLesionBelowCm) == true)
        {
            a.Add("EMB-DEB", FindingEffect.Note, $"largest lesion < {p.DrugElutingBeadsLesionBelowCm:0.#} cm: drug-eluting beads not advised (biloma risk)", Cite("000 §4"), d.Imaging.Inputs(FactKind.LargestLesion));
        }

        if (d.Albumin?.Value.IsBelow(p.AlbuminNoteBelowGdl) == true)
        {
            a.Add("EMB-ALB", FindingEffect.Note, $"albumin {d.Albumin.Value} g/dL < {p.AlbuminNoteBelowGdl:0.#}: poorer survival after TACE", Cite("000 Table 3"), Inputs(FactKind.Albumin, d.Albumin));
        }
    }
}

using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using static NetCds.Domain.Engine.Evidence;
using static NetCds.Domain.Rules.CommonRules;

namespace NetCds.Domain.Rules;

/// <summary>PRRT: Lu-177 / Y-90 DOTATATE.</summary>
public sealed class PeptideReceptorRadionuclideTherapy : ITherapyRules
{
    public TherapyId Therapy => TherapyId.Prrt;

    public TherapyAssessment Assess(EvaluationContext c)
    {
        var a = new AssessmentBuilder(Therapy);
        var d = c.Derived;
        var p = c.Policy.Prrt;

        // PRRT-IND (001, 002; 000 §6): unresectable/inoperable metastatic well-differentiated disease.
        var indication = Cite("001", "002", "000 §6");
        if (LiverMetastasesPresent(a, c, "PRRT-IND", indication) & LowGradeNet(a, c, "PRRT-IND", "PRRT-IND", indication))
        {
            IndicatedUnlessResectable(a, c, "PRRT-IND", "metastatic well-differentiated NET", indication);
        }

        if (d.Imaging.TumourBurden?.Value.IsAbove(p.ExtensiveBurdenAbovePercent) == true)
        {
            a.Add("PRRT-IND", FindingEffect.Note, "extensive liver load: early PRRT can be discussed", Cite("000 §6"), d.Imaging.Inputs(FactKind.TumourBurden));
        }

        // PRRT-SSTR (000 §6, 002): uptake at least that of normal liver.
        var sstrEvidence = Cite("000 §6", "002");
        if (d.SstrUptake is not { } sstr)
        {
            a.Missing("PRRT-SSTR", FactKind.SstrUptake, "no somatostatin-receptor imaging", sstrEvidence);
        }
        else if (sstr.Value < p.KrenningAtLeast)
        {
            a.Add("PRRT-SSTR", FindingEffect.NotIndicated, $"SSTR uptake Krenning {sstr.Value}: below normal liver", sstrEvidence, Inputs(FactKind.SstrUptake, sstr));
        }
        else
        {
            a.Add("PRRT-SSTR", FindingEffect.Eligible, $"SSTR uptake Krenning {sstr.Value}: at least normal liver", sstrEvidence, Inputs(FactKind.SstrUptake, sstr));
        }

        Marrow(a, c, p);
        Kidneys(a, c, p);
        CarcinoidCrisisProphylaxis(a, c);
        return a.Build();
    }

    /// <summary>PRRT-MARROW (000 §6, 001): haemoglobin and platelets [site policy].</summary>
    private static void Marrow(AssessmentBuilder a, EvaluationContext c, PrrtPolicy p)
    {
        var d = c.Derived;
        var evidence = Cite("000 §6", "001");
        PolicySetting[] policy =
        [
            PolicySetting.Of("Eligibility:Prrt:HaemoglobinContraindicatedBelowGdl", p.HaemoglobinContraindicatedBelowGdl),
            PolicySetting.Of("Eligibility:Prrt:PlateletsContraindicatedBelow", p.PlateletsContraindicatedBelow),
        ];
        if (d.Haemoglobin is null)
        {
            a.Missing("PRRT-MARROW", FactKind.Haemoglobin, "no haemoglobin: marrow reserve unknown", evidence);
        }

        if (d.Platelets is null)
        {
            a.Missing("PRRT-MARROW", FactKind.Platelets, "no platelet count: marrow reserve unknown", evidence);
        }

        var inputs = Inputs(FactKind.Haemoglobin, d.Haemoglobin).Concat(Inputs(FactKind.Platelets, d.Platelets)).ToList();
        var anaemia = d.Haemoglobin?.Value.IsBelow(p.HaemoglobinContraindicatedBelowGdl);
        var thrombocytopenia = d.Platelets?.Value.IsBelow(p.PlateletsContraindicatedBelow);
        if (anaemia == true)
        {
            a.Add("PRRT-MARROW", FindingEffect.Contraindicated, $"haemoglobin {d.Haemoglobin!.Value} g/dL < {p.HaemoglobinContraindicatedBelowGdl:0.#}", evidence, inputs, policy);
        }
        else if (d.Haemoglobin is not null && anaemia is null)
        {
            Undecided(a, "PRRT-MARROW", FactKind.Haemoglobin, $"haemoglobin {d.Haemoglobin.Value} g/dL", $"{p.HaemoglobinContraindicatedBelowGdl:0.#}", evidence, inputs);
        }

        if (thrombocytopenia == true)
        {
            a.Add("PRRT-MARROW", FindingEffect.Contraindicated, $"platelets {d.Platelets!.Value} ×10⁹/L < {p.PlateletsContraindicatedBelow:0}", evidence, inputs, policy);
        }
        else if (d.Platelets is not null && thrombocytopenia is null)
        {
            Undecided(a, "PRRT-MARROW", FactKind.Platelets, $"platelets {d.Platelets.Value} ×10⁹/L", $"{p.PlateletsContraindicatedBelow:0}", evidence, inputs);
        }

        if (anaemia == false && thrombocytopenia == false)
        {
            a.Add("PRRT-MARROW", FindingEffect.Eligible, "haemoglobin and platelets adequate", evidence, inputs, policy);
        }
    }

    /// <summary>PRRT-RENAL (000 §6, 001): creatinine clearance [site policy], renal failure.</summary>
    private static void Kidneys(AssessmentBuilder a, EvaluationContext c, PrrtPolicy p)
    {
        var d = c.Derived;
        var evidence = Cite("000 §6", "001");
        var setting = PolicySetting.Of("Eligibility:Prrt:ClearanceContraindicatedBelow", p.ClearanceContraindicatedBelow);
        if (d.Condition(ConditionKind.RenalFailure) is { } renalFailure)
        {
            a.Add("PRRT-RENAL", FindingEffect.Contraindicated, "renal failure recorded", evidence, [InputReference.From(FactKind.Condition, renalFailure)]);
        }
        else if (d.CreatinineClearance is not { } clearance)
        {
            a.Missing("PRRT-RENAL", FactKind.CreatinineClearance, "no creatinine clearance: renal toxicity risk unknown", evidence);
        }
        else if (clearance.Value.IsBelow(p.ClearanceContraindicatedBelow) is not { } low)
        {
            Undecided(a, "PRRT-RENAL", FactKind.CreatinineClearance, $"creatinine clearance {clearance.Value} mL/min", $"{p.ClearanceContraindicatedBelow:0}", evidence, Inputs(FactKind.CreatinineClearance, clearance));
        }
        else if (low)
        {
            a.Add("PRRT-RENAL", FindingEffect.Contraindicated, $"creatinine clearance {clearance.Value} mL/min < {p.ClearanceContraindicatedBelow:0}", evidence, Inputs(FactKind.CreatinineClearance, clearance), [setting]);
        }
        else
        {
            a.Add("PRRT-RENAL", FindingEffect.Eligible, $"creatinine clearance {clearance.Value} mL/min", evidence, Inputs(FactKind.CreatinineClearance, clearance), [setting]);
        }
    }
}

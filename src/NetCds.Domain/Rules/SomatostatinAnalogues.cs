using NetCds.Domain.Derived;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using static NetCds.Domain.Engine.Evidence;
using static NetCds.Domain.Rules.CommonRules;

namespace NetCds.Domain.Rules;

/// <summary>
/// SSA: octreotide LAR, lanreotide. Two uses, symptom control and antiproliferative; the status is the better
/// of the two (SSA-SYMPTOM), then capped at consider for insulinoma (SSA-INSULINOMA).
/// </summary>
public sealed class SomatostatinAnalogues : ITherapyRules
{
    public TherapyId Therapy => TherapyId.Ssa;

    public TherapyAssessment Assess(EvaluationContext c)
    {
        var d = c.Derived;
        var antiproliferative = Antiproliferative(c);
        var symptom = d.IsFunctioning ? SymptomControl(c) : null;

        var better = symptom is null || antiproliferative.Status <= symptom.Status ? antiproliferative : symptom;
        var status = better.Status;
        var findings = antiproliferative.Findings.Concat(symptom?.Findings ?? []).ToList();
        var notes = new List<string>();
        if (symptom is not null)
        {
            notes.Add($"Status is the better of symptom control ({symptom.Status.Code()}) and antiproliferative use ({antiproliferative.Status.Code()}).");
        }

        // SSA-INSULINOMA [site policy]: an SSA can deepen hypoglycaemia; 002 uses diazoxide and feeds.
        if (d.Condition(ConditionKind.Insulinoma) is { } insulinoma && c.Policy.SomatostatinAnalogues.InsulinomaConsider)
        {
            findings.Add(new Finding("SSA-INSULINOMA", FindingEffect.Consider, "insulinoma: an SSA may worsen hypoglycaemia", Cite("002"), [InputReference.From(FactKind.Condition, insulinoma)],
                [PolicySetting.Of("Eligibility:SomatostatinAnalogues:InsulinomaConsider", true)]));
            status = status < EligibilityStatus.Consider ? EligibilityStatus.Consider : status;
        }

        // SSA-PROMID (000 §7, 002): most benefit with low liver involvement and a resected primary.
        if (d.Imaging.TumourBurden?.Value.IsAtMost(c.Policy.SomatostatinAnalogues.PromidBurdenAtMostPercent) == true && d.PrimaryResection is not null)
        {
            findings.Add(new Finding("SSA-PROMID", FindingEffect.Note, $"liver involvement ≤ {c.Policy.SomatostatinAnalogues.PromidBurdenAtMostPercent:0.#} % with a resected primary: the group with most benefit in PROMID",
                Cite("000 §7", "002"), d.Imaging.Inputs(FactKind.TumourBurden), []));
        }

        return new TherapyAssessment(Therapy, status, findings,
            [.. antiproliferative.Missing.Concat(symptom?.Missing ?? []).DistinctBy(m => m.Fact)],
            [.. antiproliferative.Prerequisites.Concat(symptom?.Prerequisites ?? [])],
            notes);
    }

    /// <summary>SSA-SYMPTOM (000 §7, 001, 003 §2.2): a hormonal syndrome is treated even before SSTR imaging.</summary>
    private static TherapyAssessment SymptomControl(EvaluationContext c)
    {
        var d = c.Derived;
        var a = new AssessmentBuilder(TherapyId.Ssa);
        a.Add("SSA-SYMPTOM", FindingEffect.Eligible, $"functioning tumour ({string.Join(", ", d.Syndromes.Select(s => s.Value).Distinct())}): symptom control",
            Cite("000 §7", "001", "003 §2.2"), [.. d.Syndromes.Select(s => InputReference.From(FactKind.Condition, s))]);
        if (d.SstrUptake is null)
        {
            a.Prerequisite("SSA-SYMPTOM", "somatostatin-receptor imaging (Ga-68 DOTATATE PET or SRS)", ClinicalOrder.SstrImaging);
        }

        return a.Build();
    }

    /// <summary>SSA-ANTIPROLIF (002) and SSA-SSTR (002 Table 1).</summary>
    private static TherapyAssessment Antiproliferative(EvaluationContext c)
    {
        var d = c.Derived;
        var a = new AssessmentBuilder(TherapyId.Ssa);
        var evidence = Cite("002", "000 §7");
        if (LiverMetastasesPresent(a, c, "SSA-ANTIPROLIF", evidence))
        {
            var tumour = d.Tumour;
            switch (tumour.Class)
            {
                case TumourClass.NetG1:
                    a.Add("SSA-ANTIPROLIF", FindingEffect.Eligible, "NET G1: antiproliferative SSA", evidence, tumour.Inputs);
                    break;
                case TumourClass.NetG2:
                    a.Add("SSA-ANTIPROLIF", FindingEffect.Consider, "NET G2: antiproliferative data lacking (CLARINET enrolled Ki-67 < 10 %)", evidence, tumour.Inputs);
                    break;
                case TumourClass.NetLowGrade:
                    // G1 is eligible and G2 consider: a value that does not decide between them decides nothing here.
                    a.Missing("SSA-ANTIPROLIF", FactKind.Ki67, $"{tumour.Describe()}: G1 is eligible, G2 consider", evidence, tumour.Inputs);
                    break;
                case TumourClass.NetG3 when d.PrimarySite?.Value == PrimarySite.Pancreas && !d.IsFunctioning:
                    a.Add("SSA-ANTIPROLIF", FindingEffect.NotIndicated, "non-functioning pancreatic NET G3", evidence, tumour.Inputs);
                    break;
                case TumourClass.NetG3 when d.PrimarySite is null && !d.IsFunctioning:
                    // Unknown is never false: a non-functioning NET G3 of unrecorded site may be pancreatic (not indicated).
                    a.Missing("SSA-ANTIPROLIF", FactKind.PrimarySite, "non-functioning NET G3 with the primary site not recorded: a pancreatic primary is not indicated", evidence, tumour.Inputs);
                    break;
                case TumourClass.NetG3:
                    a.Add("SSA-ANTIPROLIF", FindingEffect.Consider, "well-differentiated NET G3: outside the trial evidence, MDT judgement", evidence, tumour.Inputs);
                    break;
                case TumourClass.Nec:
                    a.Add("SSA-ANTIPROLIF", FindingEffect.NotIndicated, "neuroendocrine carcinoma: no antiproliferative role", evidence, tumour.Inputs);
                    break;
                default:
                    a.Missing("SSA-ANTIPROLIF", tumour.Missing.FirstOrDefault(FactKind.Ki67), "tumour grade unknown", evidence, tumour.Inputs);
                    break;
            }
        }

        // SSA-FAILED (002 Somatostatin analogues): progression on an SSA is not an untreated tumour; the options are a
        // shorter interval or a higher dose, so the antiproliferative use is consider. Symptom control is unchanged.
        if (d.ProgressionOn(MedicationKind.SomatostatinAnalogue) is ({ } course, { } progression))
        {
            a.Add("SSA-FAILED", FindingEffect.Consider, $"{SystemicGates.ProgressionOnDrug(course.Value.Name, course, progression)}: shorten the interval or raise the dose",
                Cite("002 Somatostatin analogues"), [InputReference.From(FactKind.Medication, course), progression]);
        }

        var sstrEvidence = Cite("002 Table 1");
        var minimum = c.Policy.SomatostatinAnalogues.KrenningPositiveFrom;
        switch (d.SstrUptake?.Value)
        {
            case null:
                a.Missing("SSA-SSTR", FactKind.SstrUptake, "no somatostatin-receptor imaging (SRS or Ga-68 PET)", sstrEvidence);
                break;
            case 0:
                a.Add("SSA-SSTR", FindingEffect.NotIndicated, "SSTR imaging negative (Krenning 0): interferon is the alternative", sstrEvidence, Inputs(FactKind.SstrUptake, d.SstrUptake));
                break;
            case var score when score < minimum:
                a.Add("SSA-SSTR", FindingEffect.Consider, $"SSTR uptake weak (Krenning {score})", sstrEvidence, Inputs(FactKind.SstrUptake, d.SstrUptake));
                break;
            case var score:
                a.Add("SSA-SSTR", FindingEffect.Eligible, $"SSTR uptake positive (Krenning {score})", sstrEvidence, Inputs(FactKind.SstrUptake, d.SstrUptake));
                break;
        }

        return a.Build();
    }
}

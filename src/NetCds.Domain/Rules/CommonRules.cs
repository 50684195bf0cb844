using NetCds.Domain.Derived;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using static NetCds.Domain.Engine.Evidence;

namespace NetCds.Domain.Rules;

/// <summary>Checks several therapies share. Each takes the rule id to report under, so cards name the therapy's own rule.</summary>
internal static class CommonRules
{
    /// <summary>Every therapy here treats liver metastases: absent is not-indicated, unknown asks for liver imaging.</summary>
    public static bool LiverMetastasesPresent(AssessmentBuilder a, EvaluationContext c, string rule, IReadOnlyList<Evidence> evidence)
    {
        switch (c.Derived.LiverMetastases)
        {
            case true:
                return true;
            case false:
                a.Add(rule, FindingEffect.NotIndicated, "no liver metastases on the latest imaging", evidence, c.Derived.LiverMetastasesInputs);
                return false;
            default:
                a.Missing(rule, FactKind.LiverMetastases, "liver metastases not documented: no diagnosis and no liver imaging", evidence);
                return false;
        }
    }

    /// <summary>
    /// Grade gate for therapies whose evidence is in well-differentiated G1/G2 NET. NEC is not indicated,
    /// "NET G3" (WHO 2017, after the articles) is consider, an undecided grade asks for what would decide it.
    /// Returns true for NET G1/G2.
    /// </summary>
    public static bool LowGradeNet(AssessmentBuilder a, EvaluationContext c, string indicationRule, string highGradeRule, IReadOnlyList<Evidence> evidence)
    {
        var tumour = c.Derived.Tumour;
        switch (tumour.Class)
        {
            case TumourClass.NetG1 or TumourClass.NetG2 or TumourClass.NetLowGrade:
                return true;
            case TumourClass.Nec:
                a.Add(highGradeRule, FindingEffect.NotIndicated, "poorly differentiated neuroendocrine carcinoma", evidence, tumour.Inputs);
                return false;
            case TumourClass.NetG3:
                a.Add(highGradeRule, FindingEffect.Consider, "well-differentiated NET G3: the evidence is in G1/G2, MDT judgement", evidence, tumour.Inputs);
                return false;
            default:
                foreach (var missing in tumour.Missing)
                {
                    var why = missing == FactKind.Differentiation
                        ? "grade 3 with differentiation not reported: NET G3 and NEC are treated differently"
                        : "tumour grade unknown: no Ki-67 index (or decisive mitotic count)";
                    a.Missing(indicationRule, missing, why, evidence, tumour.Inputs);
                }

                return false;
        }
    }

    /// <summary>
    /// ABL, EMB, SIRT and PRRT are indicated whether or not resectability is known; when the disease is
    /// resectable they become consider, resection being preferred (000 §11, 003 §5, 004 Summary).
    /// </summary>
    public static void IndicatedUnlessResectable(AssessmentBuilder a, EvaluationContext c, string rule, string indication, IReadOnlyList<Evidence> evidence)
    {
        var tumour = c.Derived.Tumour;
        var resectability = c.Derived.Resectability;
        var inputs = tumour.Inputs.Concat(c.Derived.LiverMetastasesInputs).Concat(resectability.Inputs).ToList();
        if (resectability.Kind == ResectabilityKind.Resectable)
        {
            a.Add(rule, FindingEffect.Consider, $"{indication}; disease is resectable, so resection is preferred and this serves as adjunct, bridge or neoadjuvant therapy",
                [.. evidence, .. Cite("000 §11", "003 §5", "004 Summary")], inputs);
        }
        else
        {
            a.Add(rule, FindingEffect.Eligible, $"{indication} ({tumour.Describe()}; resectability {resectability.Code})", evidence, inputs);
        }
    }

    /// <summary>SSA-PROPHYLAXIS: a functioning tumour needs peri-procedural octreotide before any procedure (001; 000 §3, §6).</summary>
    public static void CarcinoidCrisisProphylaxis(AssessmentBuilder a, EvaluationContext c)
    {
        if (c.Derived.IsFunctioning)
        {
            a.Prerequisite("SSA-PROPHYLAXIS", "peri-procedural octreotide to prevent carcinoid crisis (functioning tumour)");
        }
    }

    /// <summary>EMB-LIVER and SIRT-LIVER: severe hepatic dysfunction contraindicates, borderline bilirubin is consider.</summary>
    public static void LiverReserve(AssessmentBuilder a, EvaluationContext c, string rule, IReadOnlyList<Evidence> evidence)
    {
        var p = c.Policy.Embolization;
        var d = c.Derived;
        if (d.Condition(ConditionKind.LiverFailure) is { } failure)
        {
            a.Add(rule, FindingEffect.Contraindicated, "liver failure (or encephalopathy/ascites) recorded", evidence, [InputReference.From(FactKind.Condition, failure)]);
        }

        var severe = PolicySetting.Of("Eligibility:Embolization:BilirubinContraindicatedAboveMgDl", p.BilirubinContraindicatedAboveMgDl);
        var borderline = PolicySetting.Of("Eligibility:Embolization:BilirubinConsiderFromMgDl", p.BilirubinConsiderFromMgDl);
        if (d.Bilirubin is not { } bilirubin)
        {
            a.Missing(rule, FactKind.Bilirubin, "no total bilirubin: severe hepatic dysfunction not ruled out", evidence);
            return;
        }

        // The thresholds are in mg/dL; µmol/L results were converted at 17.1 µmol/L per mg/dL when mapped.
        var input = InputReference.From(FactKind.Bilirubin, bilirubin);
        var value = bilirubin.Value;
        switch (Bands.Of(value.IsBelow(p.BilirubinConsiderFromMgDl), value.IsAbove(p.BilirubinContraindicatedAboveMgDl)))
        {
            case Band.Upper:
                a.Add(rule, FindingEffect.Contraindicated, $"bilirubin {value} mg/dL > {p.BilirubinContraindicatedAboveMgDl:0.##}: severe hepatic dysfunction", evidence, [input], [severe]);
                break;
            case Band.Middle:
                a.Add(rule, FindingEffect.Consider, $"bilirubin {value} mg/dL between {p.BilirubinConsiderFromMgDl:0.##} and {p.BilirubinContraindicatedAboveMgDl:0.##}: reduced liver reserve", evidence, [input], [borderline]);
                break;
            case Band.Lower:
                a.Add(rule, FindingEffect.Eligible, $"bilirubin {value} mg/dL: no severe hepatic dysfunction", evidence, [input], [severe]);
                break;
            default:
                Undecided(a, rule, FactKind.Bilirubin, $"bilirubin {value} mg/dL", $"{p.BilirubinConsiderFromMgDl:0.##} and {p.BilirubinContraindicatedAboveMgDl:0.##} mg/dL", evidence, [input]);
                break;
        }
    }

    /// <summary>
    /// EMB-CIRRHOSIS, and SIRT-LIVER for SIRT: active cirrhosis (or another chronic liver disease the terminology
    /// maps to it) is consider, because compromised synthetic function risks decompensation after embolization
    /// (000 §4). Only active conditions reach the rules, so a resolved diagnosis changes nothing.
    /// </summary>
    public static void ChronicLiverDisease(AssessmentBuilder a, EvaluationContext c, string rule, IReadOnlyList<Evidence> evidence)
    {
        if (c.Derived.Condition(ConditionKind.Cirrhosis) is { } cirrhosis)
        {
            a.Add(rule, FindingEffect.Consider, "cirrhosis (chronic liver disease) recorded: risk of hepatic decompensation, liver reserve needs MDT judgement",
                evidence, [InputReference.From(FactKind.Condition, cirrhosis)]);
        }
    }

    /// <summary>
    /// A value reported as a bound or range that reaches over a rule's threshold decides nothing for that rule
    /// (catalogue: quantities are intervals): insufficient-data, asking for the measurement that would settle it.
    /// </summary>
    public static void Undecided(AssessmentBuilder a, string rule, FactKind fact, string found, string thresholds, IReadOnlyList<Evidence> evidence, IReadOnlyList<InputReference> inputs) =>
        a.Missing(rule, fact, $"{found} does not settle the threshold ({thresholds}): an exact value is needed", evidence, inputs);

    /// <summary>Disease course for rules that need progression: returns it, or records what is missing.</summary>
    public static DiseaseCourse? KnownCourse(AssessmentBuilder a, EvaluationContext c, string rule, IReadOnlyList<Evidence> evidence)
    {
        var course = c.Derived.Course;
        if (course.Kind != CourseKind.Unknown)
        {
            return course;
        }

        a.Missing(rule, FactKind.DiseaseStatus, $"disease course unknown: {course.Reason}", evidence, course.Inputs);
        return null;
    }

    public static IReadOnlyList<InputReference> Inputs<T>(FactKind kind, Fact<T>? fact) =>
        fact is null ? [] : [InputReference.From(kind, fact)];
}

using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using static NetCds.Domain.Engine.Evidence;
using static NetCds.Domain.Rules.CommonRules;

namespace NetCds.Domain.Rules;

/// <summary>
/// FIT: the patient's fitness before any therapy [site policy], applied by the engine to every therapy's own
/// assessment (002 Management prior to treatment: performance status and comorbidities decide the treatment).
/// FIT findings only add: a poor performance status never improves a status another rule settled.
/// </summary>
public static class Fitness
{
    /// <summary>
    /// FIT-PS: poor performance status asks for MDT judgement of fitness (consider). LT is not-indicated instead
    /// (002 Liver transplantation), EMB keeps its own EMB-PS (contraindicated), and SSA is unaffected.
    /// </summary>
    private static readonly Dictionary<TherapyId, FindingEffect> PoorPerformance = new()
    {
        [TherapyId.Res] = FindingEffect.Consider,
        [TherapyId.Abl] = FindingEffect.Consider,
        [TherapyId.Sirt] = FindingEffect.Consider,
        [TherapyId.Lt] = FindingEffect.NotIndicated,
        [TherapyId.Inf] = FindingEffect.Consider,
        [TherapyId.Prrt] = FindingEffect.Consider,
        [TherapyId.Mibg] = FindingEffect.Consider,
        [TherapyId.Eve] = FindingEffect.Consider,
        [TherapyId.Sun] = FindingEffect.Consider,
        [TherapyId.Chemo] = FindingEffect.Consider,
    };

    /// <summary>FIT-HEART [site policy]: the therapies a carcinoid heart needs working up before (procedures and PRRT).</summary>
    private static readonly HashSet<TherapyId> HeartWorkUpBefore = [TherapyId.Res, TherapyId.Lt, TherapyId.Emb, TherapyId.Sirt, TherapyId.Prrt];

    /// <summary>The therapy's assessment with the FIT findings added and its status settled again by catalogue precedence.</summary>
    public static TherapyAssessment Apply(TherapyAssessment assessment, EvaluationContext c)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        ArgumentNullException.ThrowIfNull(c);
        var a = new AssessmentBuilder(assessment.Therapy);
        if (PoorPerformance.TryGetValue(assessment.Therapy, out var whenPoor))
        {
            PerformanceStatus(a, c, whenPoor);
        }

        if (HeartWorkUpBefore.Contains(assessment.Therapy) && c.Derived.Condition(ConditionKind.CarcinoidHeartDisease) is not null)
        {
            a.Prerequisite("FIT-HEART", "echocardiography and cardiology review (carcinoid heart disease)");
        }

        return a.AddTo(assessment);
    }

    /// <summary>
    /// FIT-PS: ECOG at or above the policy limit, or Karnofsky at or below its own, whichever was recorded last. A
    /// missing performance status is listed as missing (the work-up card orders it) but changes no status: the
    /// catalogue makes it decisive only for EMB (EMB-PS).
    /// </summary>
    private static void PerformanceStatus(AssessmentBuilder a, EvaluationContext c, FindingEffect whenPoor)
    {
        var p = c.Policy.Fitness;
        var evidence = whenPoor == FindingEffect.NotIndicated
            ? Cite("002 Management prior to treatment", "002 Liver transplantation")
            : Cite("002 Management prior to treatment");
        var d = c.Derived;
        PolicySetting[] policy =
        [
            PolicySetting.Of("Eligibility:Fitness:EcogPoorFrom", p.EcogPoorFrom),
            PolicySetting.Of("Eligibility:Fitness:KarnofskyPoorAtMost", p.KarnofskyPoorAtMost),
        ];
        var (found, poor, inputs) = (d.Karnofsky, d.Ecog) switch
        {
            ({ } karnofsky, _) => ($"Karnofsky {karnofsky.Value}", karnofsky.Value <= p.KarnofskyPoorAtMost, Inputs(FactKind.Karnofsky, karnofsky)),
            (null, { } ecog) => ($"ECOG {ecog.Value}", ecog.Value >= p.EcogPoorFrom, Inputs(FactKind.Ecog, ecog)),
            _ => ((string?)null, false, []),
        };
        if (found is null)
        {
            a.Missing("FIT-PS", FactKind.Ecog, "performance status not recorded: fitness for treatment not assessed (changes no status)", evidence, effect: FindingEffect.Note);
        }
        else if (poor)
        {
            var why = whenPoor == FindingEffect.NotIndicated
                ? $"{found}: poor performance status, not a transplant candidate"
                : $"{found}: poor performance status, MDT judgement of fitness for this treatment";
            a.Add("FIT-PS", whenPoor, why, evidence, inputs, policy);
        }
        else
        {
            // A note, not a vote: fitness never makes a therapy indicated (INF and MIBG stay at most consider).
            a.Add("FIT-PS", FindingEffect.Note, $"{found}: performance status does not argue against treatment", evidence, inputs, policy);
        }
    }
}

using NetCds.Domain.Derived;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using static NetCds.Domain.Engine.Evidence;
using static NetCds.Domain.Rules.CommonRules;
using static NetCds.Domain.Rules.SystemicGates;

namespace NetCds.Domain.Rules;

/// <summary>EVE: everolimus.</summary>
public sealed class Everolimus : ITherapyRules
{
    public TherapyId Therapy => TherapyId.Eve;

    public TherapyAssessment Assess(EvaluationContext c)
    {
        var a = new AssessmentBuilder(Therapy);
        var d = c.Derived;
        var evidence = Cite("000 §9", "002");

        // EVE-IND (000 §9 RADIANT-3, 002): advanced G1/G2 pNET progressive within 12 months.
        var site = AdvancedLowGradeNet(a, c, "EVE-IND", "EVE-IND", evidence);
        if (site == PrimarySite.Pancreas)
        {
            Progression(a, c, "EVE-IND", "advanced well-differentiated pancreatic NET, progressive", evidence);
            Line(a, c);
        }
        else if (site is not null && d.Syndromes.Any(s => s.Value is ConditionKind.CarcinoidSyndrome or ConditionKind.CarcinoidHeartDisease))
        {
            // EVE-CARCINOID (000 §9): RADIANT-2 enrolled progressive functioning carcinoid tumours, everolimus added
            // to an SSA, so it needs progression within the window like EVE-IND; stable disease is outside it.
            var onSsa = d.ActiveMedication(MedicationKind.SomatostatinAnalogue);
            var evidenceRadiant2 = Cite("000 §9");
            if (KnownCourse(a, c, "EVE-CARCINOID", evidenceRadiant2) is { } course)
            {
                List<InputReference> inputs = [.. d.Syndromes.Select(s => InputReference.From(FactKind.Condition, s)), .. Inputs(FactKind.Medication, onSsa), .. course.Inputs];
                if (course.Kind == CourseKind.Progressing)
                {
                    a.Add("EVE-CARCINOID", FindingEffect.Consider,
                        onSsa is null
                            ? $"progressive functioning carcinoid ({course.Reason}): everolimus with an SSA (RADIANT-2); no SSA on record yet"
                            : $"progressive functioning carcinoid on an SSA ({course.Reason}): everolimus may be added (RADIANT-2)",
                        evidenceRadiant2, inputs);
                }
                else
                {
                    a.Add("EVE-CARCINOID", FindingEffect.NotIndicated, $"functioning carcinoid with documented stable disease ({course.Reason}): RADIANT-2 enrolled progressive tumours", evidenceRadiant2, inputs);
                }
            }
        }
        else if (site is PrimarySite.Lung or PrimarySite.Stomach or PrimarySite.Duodenum or PrimarySite.SmallIntestine
            or PrimarySite.Appendix or PrimarySite.Colon or PrimarySite.Rectum && !d.IsFunctioning)
        {
            // EVE-NONPANC [site policy]: RADIANT-4 (after the articles) for non-functioning lung/GI NET.
            var extended = c.Policy.Everolimus.NonPancreatic;
            a.Add("EVE-NONPANC", extended ? FindingEffect.Consider : FindingEffect.NotIndicated,
                extended ? $"non-functioning {site} NET: everolimus per RADIANT-4 (site policy, after the articles)" : $"non-functioning {site} NET: this site does not extend everolimus beyond pancreatic NET and carcinoid",
                evidence, Inputs(FactKind.PrimarySite, d.PrimarySite), [PolicySetting.Of("Eligibility:Everolimus:NonPancreatic", extended)]);
        }
        else if (site is not null)
        {
            // Outside RADIANT-2/3/4: a functioning non-carcinoid GI/lung NET, an unknown or extra-abdominal primary.
            var why = d.IsFunctioning ? $"functioning {site} NET without carcinoid syndrome" : $"{site} primary";
            a.Add("EVE-NONPANC", FindingEffect.NotIndicated, $"{why}: outside the everolimus evidence (pancreatic NET, functioning carcinoid, non-functioning lung/GI NET)",
                evidence, [.. Inputs(FactKind.PrimarySite, d.PrimarySite), .. d.Syndromes.Select(s => InputReference.From(FactKind.Condition, s))]);
        }

        if (site is not null)
        {
            FailedOn(a, c, "EVE-FAILED", MedicationKind.Everolimus, "everolimus", c.Policy.Everolimus.ProgressionOnDrugIsFailure);
        }

        return a.Build();
    }

    /// <summary>EVE-LINE (002): ENETS places everolimus after chemotherapy, NCCN accepts it first line.</summary>
    private static void Line(AssessmentBuilder a, EvaluationContext c)
    {
        var line = c.Policy.Everolimus.Line;
        var setting = PolicySetting.Of("Eligibility:Everolimus:Line", line);
        var priorChemotherapy = c.Derived.AnyMedication(MedicationKind.Chemotherapy);
        if (line == EverolimusLinePolicy.AfterChemotherapy && priorChemotherapy is null && a.CurrentStatus == EligibilityStatus.Eligible)
        {
            a.Add("EVE-LINE", FindingEffect.Consider, "chemotherapy-naive: ENETS places everolimus after chemotherapy, first line only in selected cases", Cite("002"), [], [setting]);
        }
        else
        {
            a.Add("EVE-LINE", FindingEffect.Note, line == EverolimusLinePolicy.FirstLineAcceptable ? "first line acceptable (NCCN line policy)" : "after chemotherapy (ENETS line policy)",
                Cite("002"), Inputs(FactKind.Medication, priorChemotherapy), [setting]);
        }
    }
}

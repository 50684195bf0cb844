using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;

namespace NetCds.Domain.Derived;

public enum Grade
{
    G1 = 1,
    G2 = 2,
    G3 = 3,
}

/// <summary>WHO class the rules branch on: NET G1/G2, "NET G3" (well differentiated, Ki-67 &gt; 20 %: WHO 2017) or NEC.</summary>
public enum TumourClass
{
    NetG1,
    NetG2,
    NetG3,
    Nec,
}

/// <summary>
/// Grade and differentiation (002 Introduction, WHO 2010; 2-3 % gap closed per WHO 2017 [site policy]).
/// </summary>
/// <param name="Class">Null when it cannot be decided; <see cref="Missing"/> says what would decide it.</param>
/// <param name="Ki67">The Ki-67 behind the grade (highest of the newest report per specimen).</param>
/// <param name="DifferentiationInferred">True when no differentiation was reported and G1/G2 implies a well-differentiated NET (WHO 2010).</param>
public sealed record TumourGrading(
    Grade? Grade,
    Differentiation? Differentiation,
    TumourClass? Class,
    PathologyValue? Ki67,
    PathologyValue? Mitoses,
    bool DifferentiationInferred,
    IReadOnlyList<InputReference> Inputs,
    IReadOnlyList<FactKind> Missing)
{
    public bool IsLowGradeNet => Class is TumourClass.NetG1 or TumourClass.NetG2;

    public string Describe() => Class switch
    {
        TumourClass.NetG1 => "NET G1",
        TumourClass.NetG2 => "NET G2",
        TumourClass.NetG3 => "well-differentiated NET G3",
        TumourClass.Nec => "poorly differentiated neuroendocrine carcinoma (NEC)",
        _ when Grade is not null => $"grade {Grade}, differentiation unknown",
        _ => "grade unknown",
    };

    public static TumourGrading Derive(PatientFacts facts, GradingPolicy policy)
    {
        var inputs = new List<InputReference>();

        // Grade per specimen from its newest report; the highest specimen grade wins (catalogue, site policy).
        // Values without a specimen are taken as one unspecified specimen, so an old report cannot outvote a newer one.
        var specimens = facts.Ki67.Select(v => v.Specimen).Concat(facts.MitoticCount.Select(v => v.Specimen)).Distinct();
        Grade? grade = null;
        PathologyValue? gradeKi67 = null;
        PathologyValue? gradeMitoses = null;
        foreach (var specimen in specimens)
        {
            var ki67 = facts.Ki67.Where(v => v.Specimen == specimen).Newest();
            var mitoses = facts.MitoticCount.Where(v => v.Specimen == specimen).Newest();
            var byKi67 = ki67 is null ? (Grade?)null : GradeOfKi67(ki67.Value, policy);
            var byMitoses = mitoses is null ? (Grade?)null : GradeOfMitoses(mitoses.Value, policy);

            // When Ki-67 and mitoses disagree the higher grade wins. Without Ki-67 only a mitotic G3 is decisive:
            // a mitotic G1/G2 could still be raised by the Ki-67 nobody measured.
            Grade? specimenGrade = byKi67 is null
                ? byMitoses == Derived.Grade.G3 ? Derived.Grade.G3 : null
                : (Grade)Math.Max((int)byKi67, (int)(byMitoses ?? byKi67));
            if (specimenGrade is null)
            {
                continue;
            }

            if (grade is null || specimenGrade > grade || (specimenGrade == grade && (ki67?.Value ?? 0) > (gradeKi67?.Value ?? 0)))
            {
                grade = specimenGrade;
                gradeKi67 = ki67;
                gradeMitoses = mitoses;
            }
        }

        if (gradeKi67 is not null)
        {
            inputs.Add(InputReference.From(FactKind.Ki67, gradeKi67, "%"));
        }

        if (gradeMitoses is not null)
        {
            inputs.Add(InputReference.From(FactKind.MitoticCount, gradeMitoses, "/10 HPF"));
        }

        var differentiation = facts.Differentiation.Newest();
        if (differentiation is not null)
        {
            inputs.Add(InputReference.From(FactKind.Differentiation, differentiation));
        }

        var missing = new List<FactKind>();
        TumourClass? tumourClass;
        var inferred = false;
        if (differentiation?.Value == Facts.Differentiation.Poorly)
        {
            // Poorly differentiated histology is NEC whatever the Ki-67.
            tumourClass = TumourClass.Nec;
        }
        else if (grade is null)
        {
            tumourClass = null;
            missing.Add(FactKind.Ki67);
        }
        else if (differentiation?.Value == Facts.Differentiation.Well)
        {
            tumourClass = grade switch { Derived.Grade.G1 => TumourClass.NetG1, Derived.Grade.G2 => TumourClass.NetG2, _ => TumourClass.NetG3 };
        }
        else if (grade is Derived.Grade.G1 or Derived.Grade.G2)
        {
            // WHO 2010: G1 and G2 tumours are by definition well-differentiated NETs.
            tumourClass = grade == Derived.Grade.G1 ? TumourClass.NetG1 : TumourClass.NetG2;
            inferred = true;
        }
        else
        {
            // G3 without morphology: NET G3 and NEC are treated differently, so it stays unknown.
            tumourClass = null;
            missing.Add(FactKind.Differentiation);
        }

        return new TumourGrading(grade, differentiation?.Value, tumourClass, gradeKi67, gradeMitoses, inferred, inputs, missing);
    }

    internal static Grade GradeOfKi67(decimal ki67, GradingPolicy policy) =>
        ki67 < policy.Ki67G1Below ? Derived.Grade.G1 : ki67 > policy.Ki67G3Above ? Derived.Grade.G3 : Derived.Grade.G2;

    internal static Grade GradeOfMitoses(decimal mitoses, GradingPolicy policy) =>
        mitoses < policy.MitosesG1Below ? Derived.Grade.G1 : mitoses > policy.MitosesG3Above ? Derived.Grade.G3 : Derived.Grade.G2;
}

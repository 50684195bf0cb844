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

    /// <summary>Well-differentiated G1 or G2, the measures not deciding which (e.g. Ki-67 "&lt; 10 %").</summary>
    NetLowGrade,
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
    /// <summary>A reported measure (Ki-67 or mitotic count) is wholly in the G3 range.</summary>
    public bool ShowsG3 { get; init; }

    public bool IsLowGradeNet => Class is TumourClass.NetG1 or TumourClass.NetG2 or TumourClass.NetLowGrade;

    public string Describe() => Class switch
    {
        TumourClass.NetG1 => "NET G1",
        TumourClass.NetG2 => "NET G2",
        TumourClass.NetLowGrade => "NET G1 or G2 (the reported values do not decide which)",
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
        // A value reported as a bound or range gives a span of grades (Ki-67 "< 10 %" is G1 or G2): the grade is
        // decided only when the span is one grade, but a span within G1-G2 still says "low grade".
        var specimens = facts.Ki67.Select(v => v.Specimen).Concat(facts.MitoticCount.Select(v => v.Specimen)).Distinct();
        GradeSpan? span = null;
        PathologyValue? gradeKi67 = null;
        PathologyValue? gradeMitoses = null;
        foreach (var specimen in specimens)
        {
            var ki67 = facts.Ki67.Where(v => v.Specimen == specimen).Newest();
            var mitoses = facts.MitoticCount.Where(v => v.Specimen == specimen).Newest();
            var byKi67 = ki67 is null ? (GradeSpan?)null : GradeSpan.Of(ki67.Value, policy.Ki67G1Below, policy.Ki67G3Above);
            var byMitoses = mitoses is null ? (GradeSpan?)null : GradeSpan.Of(mitoses.Value, policy.MitosesG1Below, policy.MitosesG3Above);

            // When Ki-67 and mitoses disagree the higher grade wins. Without Ki-67 only a mitotic G3 is decisive:
            // a mitotic G1/G2 could still be raised by the Ki-67 nobody measured.
            GradeSpan? specimenSpan = byKi67 is not { } k
                ? byMitoses is { Lowest: Derived.Grade.G3 } ? byMitoses : null
                : byMitoses is { } m ? k.Higher(m) : k;
            if (specimenSpan is not { } current)
            {
                continue;
            }

            // The cited report is the specimen with the highest grade (ties: the larger value).
            if (span is not { } so || current.Outranks(so) || (current == so && Upper(ki67) > Upper(gradeKi67)))
            {
                gradeKi67 = ki67;
                gradeMitoses = mitoses;
            }

            span = span is { } before ? before.Higher(current) : current;
        }

        Grade? grade = span is { } decided && decided.Lowest == decided.Highest ? decided.Lowest : null;

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
        else if (span is null || (grade is null && span.Value.Highest == Derived.Grade.G3))
        {
            // No grade, or a span that reaches G3 (Ki-67 "> 10 %"): only a decisive Ki-67 settles it.
            tumourClass = null;
            missing.Add(FactKind.Ki67);
        }
        else if (grade is null)
        {
            // A span within G1-G2: low grade, which of the two undecided. WHO 2010: G1/G2 are well differentiated.
            tumourClass = TumourClass.NetLowGrade;
            inferred = differentiation is null;
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

        return new TumourGrading(grade, differentiation?.Value, tumourClass, gradeKi67, gradeMitoses, inferred, inputs, missing)
        {
            ShowsG3 = span?.Lowest == Derived.Grade.G3,
        };
    }

    /// <summary>For choosing which of two equal-grade reports to cite: the larger value shown.</summary>
    private static decimal Upper(PathologyValue? value) => value?.Value.High ?? value?.Value.Low ?? 0;
}

/// <summary>
/// The grades a value allows: G1 below the G1 limit, G3 above the G3 limit, G2 between (both inclusive).
/// An exact value gives one grade; "&lt; 10 %" Ki-67 gives G1-G2.
/// </summary>
internal readonly record struct GradeSpan(Grade Lowest, Grade Highest)
{
    public static GradeSpan Of(Interval value, decimal g1Below, decimal g3Above)
    {
        var lowest = value.IsAbove(g3Above) == true ? Grade.G3 : value.IsAtLeast(g1Below) == true ? Grade.G2 : Grade.G1;
        var highest = value.IsBelow(g1Below) == true ? Grade.G1 : value.IsAtMost(g3Above) == true ? Grade.G2 : Grade.G3;
        return new GradeSpan(lowest, highest);
    }

    public bool Outranks(GradeSpan other) => Highest > other.Highest || (Highest == other.Highest && Lowest > other.Lowest);

    /// <summary>When two measures disagree the higher grade wins, bound by bound.</summary>
    public GradeSpan Higher(GradeSpan other) =>
        new((Grade)Math.Max((int)Lowest, (int)other.Lowest), (Grade)Math.Max((int)Highest, (int)other.Highest));
}

using NetCds.Domain.Facts;

namespace NetCds.Domain.Engine;

/// <summary>One therapy assessed in one case of the spanning inputs.</summary>
public sealed record CaseAssessment(InputCase Case, EvaluationContext Context, TherapyAssessment Assessment);

/// <summary>
/// Combines one therapy's assessments over the cases an interval input allows (issue 21; catalogue, "Quantities are
/// intervals"). The same status in every case is that status: Ki-67 15-25 % is G2 or NET G3, and interferon is
/// not-indicated either way. Cases that disagree give insufficient-data naming the input that decides, unless every
/// case is at least not-indicated (then that much is certain, as a known contraindication wins over missing data).
/// Findings true in every case are kept once; a finding of some cases only is kept with its case in front ("if
/// Ki-67 &gt; 20 and ≤ 25 %: ..."), and can never raise the status above what every case shares.
/// </summary>
public static class DecidedByCases
{
    public static TherapyAssessment Combine(TherapyId therapy, IReadOnlyList<SpanningInput> spanning, IReadOnlyList<CaseAssessment> cases)
    {
        ArgumentNullException.ThrowIfNull(spanning);
        ArgumentNullException.ThrowIfNull(cases);
        if (cases.Count == 1)
        {
            return cases[0].Assessment;
        }

        var statuses = cases.Select(c => c.Assessment.Status).Distinct().ToList();
        var agreed = statuses.Count == 1;
        var status = agreed ? statuses[0] : (EligibilityStatus)Math.Max((int)EligibilityStatus.InsufficientData, (int)statuses.Min());

        // Cases with the same findings are one outcome: their pieces are said together ("if platelets ≥ 50").
        var outcomes = Outcomes(cases);
        var everyCase = outcomes.Select(o => o.Cases[0].Assessment.Findings.Select(Key).ToHashSet()).Aggregate((a, b) => [.. a.Intersect(b)]);
        var findings = new List<Finding>();
        var conditional = new List<Finding>();
        foreach (var finding in outcomes[0].Cases[0].Assessment.Findings.Where(f => everyCase.Contains(Key(f))))
        {
            findings.Add(finding);
        }

        foreach (var outcome in outcomes)
        {
            foreach (var finding in outcome.Cases[0].Assessment.Findings.Where(f => !everyCase.Contains(Key(f))))
            {
                conditional.Add(finding);
                // A finding of some cases only is no vote when the cases disagree (a safety rule never passes on one
                // side of a bound), nor can it carry the therapy past what every case shares.
                var effect = !agreed || finding.Effect.AsStatus() is { } voted && voted > status ? FindingEffect.Note : finding.Effect;
                findings.Add(finding with { Effect = effect, Reason = $"if {CaseText(spanning, outcome)}: {finding.Reason}" });
            }
        }

        if (conditional.Count == 0)
        {
            // No rule of this therapy reads the spanning inputs: every case is the same assessment.
            return cases[0].Assessment;
        }

        var missing = cases.SelectMany(c => c.Assessment.Missing).DistinctBy(m => m.Fact).ToList();
        var rule = conditional.FirstOrDefault(f => f.Effect.AsStatus() is not null)?.Rule ?? conditional[0].Rule;
        var evidence = conditional.SelectMany(f => f.Evidence).Distinct().ToList();
        for (var i = 0; i < spanning.Count; i++)
        {
            var input = spanning[i];
            if (!agreed && Decides(i, cases))
            {
                var certain = status == EligibilityStatus.InsufficientData ? "an exact value is needed" : $"{status.Code()} at least in every case";
                findings.Add(new Finding(rule, status.AsEffect(), $"{input.Display} spans cases that decide differently ({StatusByCategory(input, i, outcomes)}): {certain}",
                    evidence, [input.Input], []));
                if (missing.All(m => m.Fact != input.Fact))
                {
                    missing.Add(new MissingInput(input.Fact, FactOrders.OrderFor(input.Fact), rule));
                }
            }
            else if (agreed && Matters(i, cases))
            {
                var categories = input.GradesTheTumour
                    ? string.Join(" or ", cases.Select(c => c.Context.Derived.Tumour.Describe()).Distinct())
                    : string.Join(" or ", outcomes.Select(o => input.Describe(o.Cases.Select(c => c.Case.Pieces[i]))).Distinct());
                findings.Add(new Finding(rule, FindingEffect.Note, $"{input.Display}: {categories}; {status.Code()} either way", evidence, [input.Input], []));
            }
        }

        return new TherapyAssessment(
            therapy,
            status,
            findings,
            missing,
            [.. cases.SelectMany(c => c.Assessment.Prerequisites).Distinct()],
            [.. cases.SelectMany(c => c.Assessment.Notes).Distinct()]);
    }

    /// <summary>One outcome: the cases that end in the same findings, in the order of their pieces.</summary>
    private sealed record Outcome(IReadOnlyList<CaseAssessment> Cases);

    private static List<Outcome> Outcomes(IReadOnlyList<CaseAssessment> cases) =>
        [.. cases.GroupBy(c => FindingsKey(c.Assessment)).Select(g => new Outcome([.. g]))];

    private static string FindingsKey(TherapyAssessment assessment) =>
        $"{assessment.Status}\n{string.Join("\n", assessment.Findings.Select(Key))}";

    private static string Key(Finding f) =>
        $"{f.Rule}|{f.Effect}|{f.Reason}|{string.Join(";", f.Inputs.Select(i => $"{i.Fact}={i.Value}@{i.Source}"))}";

    /// <summary>
    /// The pieces an outcome covers, input by input. When the outcome is not every combination of its pieces (two inputs
    /// that both matter), its cases are listed one by one so the text never claims a combination it did not evaluate.
    /// </summary>
    private static string CaseText(IReadOnlyList<SpanningInput> spanning, Outcome outcome)
    {
        var perInput = spanning.Select((_, i) => outcome.Cases.Select(c => c.Case.Pieces[i]).Distinct().Count()).Aggregate(1, (n, k) => n * k);
        return perInput == outcome.Cases.Count
            ? string.Join(" and ", spanning.Select((input, i) => input.Describe(outcome.Cases.Select(c => c.Case.Pieces[i]))))
            : string.Join(" or ", outcome.Cases.Select(c => string.Join(" and ", spanning.Select((input, i) => input.Describe([c.Case.Pieces[i]])))));
    }

    /// <summary>Each status with what the input is in it: the grade for Ki-67 and mitoses, otherwise its range.</summary>
    private static string StatusByCategory(SpanningInput input, int index, IReadOnlyList<Outcome> outcomes) =>
        string.Join("; ", outcomes
            .GroupBy(o => o.Cases[0].Assessment.Status)
            .Select(g => $"{g.Key.Code()} if {(input.GradesTheTumour
                ? string.Join(" or ", g.SelectMany(o => o.Cases).Select(c => c.Context.Derived.Tumour.Describe()).Distinct())
                : input.Describe(g.SelectMany(o => o.Cases).Select(c => c.Case.Pieces[index])))}"));

    /// <summary>The status changes with this input when the other inputs stay in the same piece.</summary>
    private static bool Decides(int index, IReadOnlyList<CaseAssessment> cases) =>
        cases.GroupBy(c => Others(c.Case, index)).Any(g => g.Select(c => c.Assessment.Status).Distinct().Count() > 1);

    /// <summary>Some finding changes with this input when the other inputs stay in the same piece.</summary>
    private static bool Matters(int index, IReadOnlyList<CaseAssessment> cases) =>
        cases.GroupBy(c => Others(c.Case, index))
            .Any(g => g.Select(c => string.Join("\n", c.Assessment.Findings.Select(Key).Order(StringComparer.Ordinal))).Distinct().Count() > 1);

    private static string Others(InputCase one, int index) =>
        string.Join("|", one.Pieces.Where((_, i) => i != index).Select(p => p.Values.ToString() + p.Values.Low + p.Values.LowInclusive + p.Values.High + p.Values.HighInclusive));
}

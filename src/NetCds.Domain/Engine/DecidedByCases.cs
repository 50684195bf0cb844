using NetCds.Domain.Facts;

namespace NetCds.Domain.Engine;

/// <summary>One therapy assessed in one case of the spanning inputs.</summary>
public sealed record CaseAssessment(InputCase Case, EvaluationContext Context, TherapyAssessment Assessment);

/// <summary>
/// Combines one therapy's assessments over the cases an interval input allows (issue 21; catalogue, "Quantities are
/// intervals"). The same status in every case is that status: Ki-67 15-25 % is G2 or NET G3, and interferon is
/// not-indicated either way. Cases that disagree give insufficient-data naming the input that decides, unless every
/// case is at least not-indicated (then that much is certain, as a known contraindication wins over missing data).
/// Findings true in every case are kept once. When the cases agree, a finding of some cases only is kept with its case
/// in front ("if Ki-67 &gt; 20 %: ..."), and can never raise the status above what every case shares. When they
/// disagree, one finding per deciding input says what each case would give ("consider if bilirubin ≤ 3 mg/dL;
/// contraindicated if bilirubin &gt; 3 mg/dL"), as a rule undecided by a bound always has: one finding, one order.
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
            conditional.AddRange(outcome.Cases[0].Assessment.Findings.Where(f => !everyCase.Contains(Key(f))));
        }

        if (conditional.Count == 0)
        {
            // No rule of this therapy reads the spanning inputs: every case is the same assessment.
            return cases[0].Assessment;
        }

        // The rule each input's summary speaks for: of the findings that change with that input, the one that votes
        // highest in some case (the safety rule, when there is one).
        var holdingCases = conditional.DistinctBy(Key).ToDictionary(Key, f => cases.Where(c => c.Assessment.Findings.Any(x => Key(x) == Key(f))).ToList());
        var speakingFor = Enumerable.Range(0, spanning.Count)
            .Select(i => conditional.Where(f => VariesWith(i, holdingCases[Key(f)], cases)).DefaultIfEmpty(conditional[0])
                .MaxBy(f => f.Effect.AsStatus() is { } voted ? (int)voted : -1)!)
            .ToList();
        var summarised = agreed ? [] : speakingFor.Where((_, i) => Decides(i, cases)).Select(f => f.Rule).ToHashSet();
        foreach (var finding in conditional.DistinctBy(Key))
        {
            // A finding of some cases only never carries the therapy past what every case shares; when the cases
            // disagree it is no vote at all (a safety rule never passes on one side of a bound), and the summary below
            // speaks for its rule. Its reason says in which cases it holds.
            var effect = finding.Effect.AsStatus() is { } voted && (!agreed || voted > status) ? FindingEffect.Note : finding.Effect;
            if (!summarised.Contains(finding.Rule))
            {
                findings.Add(finding with { Effect = effect, Reason = $"if {CaseText(spanning, holdingCases[Key(finding)])}: {finding.Reason}" });
            }
        }

        var missing = cases.SelectMany(c => c.Assessment.Missing).DistinctBy(m => m.Fact).ToList();
        for (var i = 0; i < spanning.Count; i++)
        {
            var input = spanning[i];
            var rule = speakingFor[i].Rule;
            var evidence = conditional.Where(f => f.Rule == rule).SelectMany(f => f.Evidence).Distinct().ToList();
            if (!agreed && Decides(i, cases))
            {
                // Every case at least not-indicated: the findings common to all carry that status; this one only explains.
                var undecided = status == EligibilityStatus.InsufficientData;
                var certain = undecided ? "an exact value is needed" : $"{status.Code()} in every case, whichever it is";
                findings.Add(new Finding(rule, undecided ? FindingEffect.InsufficientData : FindingEffect.Note, $"{input.Display} spans cases that decide differently ({StatusByCategory(input, i, outcomes)}): {certain}",
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
                    : string.Join(" or ", outcomes.Select(o => input.Ranges(o.Cases.Select(c => c.Case.Pieces[i]))).Distinct()) + input.UnitSuffix;
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
    /// The pieces some cases cover, input by input. When they are not every combination of their pieces (two inputs that
    /// both matter), the cases are listed one by one so the text never claims a combination it did not evaluate.
    /// </summary>
    private static string CaseText(IReadOnlyList<SpanningInput> spanning, List<CaseAssessment> holding)
    {
        // An input with every piece among these cases does not shape them, so the case text leaves it out.
        var shaping = Enumerable.Range(0, spanning.Count)
            .Where(i => holding.Select(c => c.Case.Pieces[i]).Distinct().Count() < spanning[i].Pieces.Count).ToList();
        if (shaping.Count == 0)
        {
            shaping = [.. Enumerable.Range(0, spanning.Count)];
        }

        // Every combination of their pieces, or the cases one by one.
        var combinations = Enumerable.Range(0, spanning.Count).Select(i => holding.Select(c => c.Case.Pieces[i]).Distinct().Count()).Aggregate(1, (n, k) => n * k);
        return combinations == holding.Count
            ? string.Join(" and ", shaping.Select(i => spanning[i].Describe(holding.Select(c => c.Case.Pieces[i]))))
            : string.Join(" or ", holding.Select(c => string.Join(" and ", shaping.Select(i => spanning[i].Describe([c.Case.Pieces[i]])))).Distinct());
    }

    /// <summary>Each status with what the input is in it: the grade for Ki-67 and mitoses, otherwise its range.</summary>
    private static string StatusByCategory(SpanningInput input, int index, IReadOnlyList<Outcome> outcomes) =>
        string.Join("; ", outcomes
            .GroupBy(o => o.Cases[0].Assessment.Status)
            .Select(g => $"{g.Key.Code()} if {(input.GradesTheTumour
                ? string.Join(" or ", g.SelectMany(o => o.Cases).Select(c => c.Context.Derived.Tumour.Describe()).Distinct())
                : input.Describe(g.SelectMany(o => o.Cases).Select(c => c.Case.Pieces[index])))}"));

    /// <summary>A finding changes with this input: a case holds it and a case differing only in this input does not.</summary>
    private static bool VariesWith(int index, List<CaseAssessment> holding, IReadOnlyList<CaseAssessment> cases) =>
        cases.GroupBy(c => Others(c.Case, index)).Any(g => g.Any(holding.Contains) && !g.All(holding.Contains));

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

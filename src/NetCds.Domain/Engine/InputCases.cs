using NetCds.Domain.Derived;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;

namespace NetCds.Domain.Engine;

/// <summary>
/// One interval input that spans a threshold some rule branches on (Ki-67 "15-25 %" spans the G3 limit of 20 %),
/// with the pieces it splits into: each piece lies wholly on one side of every threshold, so every rule decides on it.
/// </summary>
/// <param name="Name">The input as a clinician names it ("Ki-67", "bilirubin").</param>
/// <param name="Value">The value as written, comparator included ("15-25").</param>
/// <param name="Input">The value as a card cites it (resource and date).</param>
public sealed record SpanningInput(FactKind Fact, string Name, string Unit, Interval Value, InputReference Input, IReadOnlyList<InputPiece> Pieces)
{
    public string Written => Value.Written;

    /// <summary>The input as a reason names it: "Ki-67 15-25 %".</summary>
    public string Display => $"{Name} {Written}{UnitSuffix}";

    /// <summary>
    /// Some pieces as a reason names them, neighbours joined into one range: "Ki-67 &gt; 20 %" (within 15-25 %),
    /// "platelets &lt; 50 ×10⁹/L". A bound the value as written did not have is not shown ("&lt; 50", not "≥ 0 and &lt; 50").
    /// </summary>
    public string Describe(IEnumerable<InputPiece> pieces) => $"{Name} {Ranges(pieces)}{UnitSuffix}";

    /// <summary>As <see cref="Describe"/> without the name and unit: "≤ 3 or ≥ 5".</summary>
    public string Ranges(IEnumerable<InputPiece> pieces)
    {
        var indices = pieces.Select(p => Pieces.ToList().IndexOf(p)).Distinct().Order().ToList();
        var runs = new List<(int From, int To)>();
        foreach (var index in indices)
        {
            runs = runs.Count > 0 && runs[^1].To == index - 1 ? [.. runs[..^1], (runs[^1].From, index)] : [.. runs, (index, index)];
        }

        return string.Join(" or ", runs.Select(r => Range(Pieces[r.From].Values, Pieces[r.To].Values)));
    }

    private string Range(Interval first, Interval last)
    {
        if (first.Low == last.High && first.Low is { } point && first.LowInclusive && last.HighInclusive)
        {
            return Interval.Format(point);
        }

        // A bound that is the written value's own bound adds nothing: "> 20" within "15-25" reads "> 20".
        var low = first.Low is { } l && (l != Value.Low || first.LowInclusive != Value.LowInclusive) && !(l == 0 && Value.Low is null)
            ? (first.LowInclusive ? "≥ " : "> ") + Interval.Format(l) : null;
        var high = last.High is { } h && (h != Value.High || last.HighInclusive != Value.HighInclusive)
            ? (last.HighInclusive ? "≤ " : "< ") + Interval.Format(h) : null;
        return (low, high) switch
        {
            (null, null) => Value.Written,
            ({ }, null) => low,
            (null, { }) => high,
            _ => $"{low} and {high}",
        };
    }

    /// <summary>Grade is what Ki-67 and the mitotic count are read for; a case says its grade, not only its range.</summary>
    public bool GradesTheTumour => Fact is FactKind.Ki67 or FactKind.MitoticCount;

    public string UnitSuffix => Unit.Length == 0 ? "" : " " + Unit;
}

/// <summary>One piece of a <see cref="SpanningInput"/>: the values it stands for ("&gt; 20 and ≤ 25") and the facts with the input narrowed to it.</summary>
public sealed record InputPiece(Interval Values, Func<PatientFacts, PatientFacts> Narrow);

/// <summary>One way the spanning inputs could turn out: one piece of each, and the patient's facts narrowed to them.</summary>
public sealed record InputCase(PatientFacts Facts, IReadOnlyList<InputPiece> Pieces);

/// <summary>
/// Finds the interval inputs that span a threshold the rules branch on, and the cases they split into (catalogue,
/// "Quantities are intervals"; issue 21, decided by cases). Only the values the derivation reads are split: the newest
/// of each fact, and for Ki-67 and the mitotic count the newest per specimen (grade is decided per specimen).
/// Thresholds of notes are left out: notes fire only when certain and never change a status.
/// </summary>
public static class InputCases
{
    /// <summary>
    /// Above this many cases the evaluation keeps the undivided intervals (each rule then says which input it needs):
    /// a bound on the work per evaluation, reached only by several wide intervals at once.
    /// </summary>
    public const int MostCases = 64;

    public static IReadOnlyList<SpanningInput> Spanning(PatientFacts facts, EligibilityPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(policy);
        var g = policy.Grading;
        var e = policy.Embolization;
        var ab = policy.Ablation;
        var r = policy.Resection;
        var prrt = policy.Prrt;
        var inputs = new List<SpanningInput>();

        // Grade (002 Introduction; WHO 2010/2017) and LT-KI67 (002 Table 2).
        inputs.AddRange(Pathology(facts, FactKind.Ki67, "Ki-67", "%", f => f.Ki67, (f, v) => f with { Ki67 = v }, [g.Ki67G1Below, g.Ki67G3Above, policy.Transplant.Ki67Below], wholeNumbers: false));
        inputs.AddRange(Pathology(facts, FactKind.MitoticCount, "mitotic count", "/10 HPF", f => f.MitoticCount, (f, v) => f with { MitoticCount = v }, [g.MitosesG1Below, g.MitosesG3Above], wholeNumbers: true));

        // EMB-LIVER and SIRT-LIVER bands (site policy, mg/dL).
        Add(inputs, facts, FactKind.Bilirubin, "bilirubin", "mg/dL", f => f.Bilirubin, (f, v) => f with { Bilirubin = v }, [e.BilirubinConsiderFromMgDl, e.BilirubinContraindicatedAboveMgDl]);

        // EMB-COAG, PRRT-MARROW, PRRT-RENAL.
        Add(inputs, facts, FactKind.Inr, "INR", "", f => f.Inr, (f, v) => f with { Inr = v }, [e.InrContraindicatedAbove]);
        Add(inputs, facts, FactKind.Platelets, "platelets", "×10⁹/L", f => f.Platelets, (f, v) => f with { Platelets = v }, [e.PlateletsContraindicatedBelow, prrt.PlateletsContraindicatedBelow]);
        Add(inputs, facts, FactKind.CreatinineClearance, "creatinine clearance", "mL/min", f => f.CreatinineClearance, (f, v) => f with { CreatinineClearance = v }, [e.RenalFailureClearanceBelow, prrt.ClearanceContraindicatedBelow]);
        Add(inputs, facts, FactKind.Haemoglobin, "haemoglobin", "g/dL", f => f.Haemoglobin, (f, v) => f with { Haemoglobin = v }, [prrt.HaemoglobinContraindicatedBelowGdl]);

        // Liver imaging: liver metastases present (any lesion), ABL-COUNT, ABL-SIZE, RES-IDEAL and likely-unresectable,
        // EMB-BURDEN, SIRT-BURDEN, LT-BURDEN.
        Add(inputs, facts, FactKind.LesionCount, "lesion count", "", f => f.LesionCount, (f, v) => f with { LesionCount = v },
            [0, ab.CountEligibleBelow, ab.CountConsiderAtMost, r.LikelyUnresectableLesionsAbove, r.IdealBilobarLesionsBelow, r.OligonodularLesionsBelow], wholeNumbers: true);
        Add(inputs, facts, FactKind.LargestLesion, "largest lesion", "cm", f => f.LargestLesion, (f, v) => f with { LargestLesion = v },
            [ab.SizeEligibleBelowCm, ab.SizeContraindicatedAboveCm, r.IdealBilobarSizeBelowCm, r.OligonodularSizeBelowCm]);
        Add(inputs, facts, FactKind.TumourBurden, "tumour burden", "%", f => f.TumourBurden, (f, v) => f with { TumourBurden = v },
            [e.BurdenEligibleAtMostPercent, e.BurdenContraindicatedAbovePercent, policy.Radioembolization.BurdenConsiderAbovePercent, policy.Transplant.BurdenBelowPercent, r.LikelyUnresectableBurdenAbovePercent]);

        // SIRT-SHUNT (site policy), RES-CUR / RES-DEBULK.
        Add(inputs, facts, FactKind.LungShuntFraction, "lung shunt fraction", "%", f => f.LungShuntFraction, (f, v) => f with { LungShuntFraction = v }, [policy.Radioembolization.LungShuntContraindicatedAbovePercent]);
        Add(inputs, facts, FactKind.ResectableFraction, "resectable fraction", "%", f => f.ResectableFraction, (f, v) => f with { ResectableFraction = v }, [r.ResectableFractionAtLeastPercent]);
        return inputs;
    }

    /// <summary>
    /// Every combination of pieces, each with the facts narrowed to it; a single case (the facts as given) when no
    /// input spans a threshold or when the combinations would exceed <see cref="MostCases"/>.
    /// </summary>
    public static IReadOnlyList<InputCase> Of(PatientFacts facts, IReadOnlyList<SpanningInput> spanning)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(spanning);
        var count = spanning.Aggregate(1L, (n, input) => n * input.Pieces.Count);
        if (spanning.Count == 0 || count > MostCases)
        {
            return [new InputCase(facts, [])];
        }

        IEnumerable<IReadOnlyList<InputPiece>> combinations = [[]];
        foreach (var input in spanning)
        {
            combinations = combinations.SelectMany(chosen => input.Pieces.Select(piece => (IReadOnlyList<InputPiece>)[.. chosen, piece])).ToList();
        }

        return [.. combinations.Select(pieces => new InputCase(pieces.Aggregate(facts, (f, piece) => piece.Narrow(f)), pieces))];
    }

    private static void Add(
        List<SpanningInput> inputs,
        PatientFacts facts,
        FactKind kind,
        string name,
        string unit,
        Func<PatientFacts, IReadOnlyList<Fact<Interval>>> get,
        Func<PatientFacts, IReadOnlyList<Fact<Interval>>, PatientFacts> set,
        decimal[] thresholds,
        bool wholeNumbers = false)
    {
        var values = get(facts);
        if (values.Newest() is not { } newest)
        {
            return;
        }

        // The derivation reads the newest value; ties keep the last given, so the same element is replaced.
        var index = LastIndexOf(values, newest);
        var pieces = Pieces(newest.Value, thresholds, wholeNumbers);
        if (pieces.Count > 1)
        {
            inputs.Add(new SpanningInput(kind, name, unit, newest.Value, InputReference.From(kind, newest),
                [.. pieces.Select(piece => new InputPiece(piece, f => set(f, Replace(get(f), index, get(f)[index] with { Value = Keep(piece, newest.Value) }))))]));
        }
    }

    private static IEnumerable<SpanningInput> Pathology(
        PatientFacts facts,
        FactKind kind,
        string name,
        string unit,
        Func<PatientFacts, IReadOnlyList<PathologyValue>> get,
        Func<PatientFacts, IReadOnlyList<PathologyValue>, PatientFacts> set,
        decimal[] thresholds,
        bool wholeNumbers)
    {
        var values = get(facts);
        foreach (var specimen in values.Select(v => v.Specimen).Distinct())
        {
            // Grade is decided on the newest report of each specimen (TumourGrading.Derive).
            var newest = values.Where(v => v.Specimen == specimen).Newest()!;
            var index = LastIndexOf(values, newest);
            var pieces = Pieces(newest.Value, thresholds, wholeNumbers);
            if (pieces.Count > 1)
            {
                yield return new SpanningInput(kind, name, unit, newest.Value, InputReference.From(kind, newest, unit),
                    [.. pieces.Select(piece => new InputPiece(piece, f => set(f, Replace(get(f), index, get(f)[index] with { Value = Keep(piece, newest.Value) }))))]);
            }
        }
    }

    private static int LastIndexOf<T>(IReadOnlyList<T> values, T value)
        where T : class
    {
        for (var i = values.Count - 1; i >= 0; i--)
        {
            if (ReferenceEquals(values[i], value))
            {
                return i;
            }
        }

        throw new InvalidOperationException("The selected value is not in its list.");
    }

    private static IReadOnlyList<T> Replace<T>(IReadOnlyList<T> values, int index, T value) =>
        [.. values.Select((v, i) => i == index ? value : v)];

    /// <summary>
    /// A piece keeps the text it was written as, so the inputs a card cites still show the value as reported
    /// (catalogue: a comparator is never dropped); the case's own range is said in each finding's reason.
    /// </summary>
    private static Interval Keep(Interval piece, Interval original) =>
        Interval.Restore(piece.Low, piece.LowInclusive, piece.High, piece.HighInclusive, original.Written);

    /// <summary>
    /// The interval cut at every threshold inside it: below each threshold, the threshold itself, above it. Each
    /// piece lies wholly on one side of every threshold whichever of &gt;, ≥, &lt;, ≤ a rule asks. Pieces that hold
    /// no value (or, for counts, no whole number) are dropped.
    /// </summary>
    internal static IReadOnlyList<Interval> Pieces(Interval value, IEnumerable<decimal> thresholds, bool wholeNumbers)
    {
        // Every quantity split here (a percentage, a count, a concentration, a size) is never negative.
        value = Intersect(value, Interval.Restore(0, true, null, false, "")) ?? value;
        var cuts = thresholds.Distinct().Order().ToList();
        var pieces = new List<Interval>();
        decimal? from = null;
        var fromInclusive = false;
        foreach (var cut in cuts)
        {
            pieces.Add(Interval.Restore(from, fromInclusive, cut, false, ""));
            pieces.Add(Interval.Restore(cut, true, cut, true, ""));
            from = cut;
            fromInclusive = false;
        }

        pieces.Add(Interval.Restore(from, fromInclusive, null, false, ""));
        return [.. pieces.Select(p => Intersect(value, p)).OfType<Interval>().Where(p => !wholeNumbers || HoldsWholeNumber(p))];
    }

    private static Interval? Intersect(Interval a, Interval b)
    {
        var (low, lowInclusive) = (a.Low, b.Low) switch
        {
            (null, _) => (b.Low, b.LowInclusive),
            (_, null) => (a.Low, a.LowInclusive),
            ({ } x, { } y) when x > y => (a.Low, a.LowInclusive),
            ({ } x, { } y) when y > x => (b.Low, b.LowInclusive),
            _ => (a.Low, a.LowInclusive && b.LowInclusive),
        };
        var (high, highInclusive) = (a.High, b.High) switch
        {
            (null, _) => (b.High, b.HighInclusive),
            (_, null) => (a.High, a.HighInclusive),
            ({ } x, { } y) when x < y => (a.High, a.HighInclusive),
            ({ } x, { } y) when y < x => (b.High, b.HighInclusive),
            _ => (a.High, a.HighInclusive && b.HighInclusive),
        };
        if (low is { } l && high is { } h && (l > h || (l == h && !(lowInclusive && highInclusive))))
        {
            return null;
        }

        return Interval.Restore(low, lowInclusive, high, highInclusive, "");
    }

    private static bool HoldsWholeNumber(Interval piece)
    {
        var lowest = piece.Low is { } l ? (piece.LowInclusive ? Math.Ceiling(l) : Math.Floor(l) + 1) : decimal.MinValue;
        var highest = piece.High is { } h ? (piece.HighInclusive ? Math.Floor(h) : Math.Ceiling(h) - 1) : decimal.MaxValue;
        return lowest <= highest;
    }
}

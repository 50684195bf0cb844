using System.Globalization;
using System.Text.RegularExpressions;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using ScottPlot;

namespace NetCds.Service.Mdt;

/// <summary>One value on a chart, as written, with the resource it came from.</summary>
public sealed record ChartPoint(DateTimeOffset Date, string Series, string Written, string Source, bool Plotted);

/// <summary>One value to draw: where it goes on the chart, and how the record wrote it.</summary>
public sealed record Sample(Interval Value, DateTimeOffset Date, string Source, string Written)
{
    public static IReadOnlyList<Sample> Of(IEnumerable<Fact<Interval>> facts, string unit) =>
        [.. facts.Select(f => new Sample(f.Value, f.Effective, f.Source, $"{f.Value.Written} {unit}"))];
}

/// <summary>
/// One line of a chart's legend: its text, colour, dash pattern (SVG <c>stroke-dasharray</c>, null when solid) and
/// marker (<c>circle</c>, <c>square</c>, <c>diamond</c>, <c>open</c>; null for a threshold line).
/// </summary>
public sealed record LegendEntry(string Label, string Colour, string? Dash, string? Marker);

/// <summary>
/// A chart of one measure over time: the SVG (rendered on the server), its legend, the points behind it (those in the
/// window shown) and how many values are older than the window.
/// </summary>
public sealed record ChartFigure(string Id, string Title, string? Svg, IReadOnlyList<LegendEntry> Legend, IReadOnlyList<ChartPoint> Points, string? Note, int Earlier);

/// <summary>The time a chart shows: from <see cref="From"/> (null: the whole history) to the evaluation instant.</summary>
public sealed record ChartWindow(DateTimeOffset? From, DateTimeOffset AsOf)
{
    /// <summary>The default: the last 24 months before the evaluation instant (never the wall clock).</summary>
    public static ChartWindow Recent(DateTimeOffset asOf) => new(asOf.AddMonths(-24), asOf);

    public static ChartWindow Full(DateTimeOffset asOf) => new(null, asOf);

    public bool Shows(DateTimeOffset date) => From is null || date >= From;
}

/// <summary>
/// The MDT view's plots over time, drawn by ScottPlot as SVG on the server (no script, no CDN, prints as drawn).
/// Threshold lines are the policy's own values, so the chart shows the limits the rules applied.
/// Small multiples: drawn at the size they print (three to an A4 row), legends in the page rather than over the plot,
/// dates on the axis as on the rest of the page (yyyy-MM-dd).
/// </summary>
public static partial class MdtCharts
{
    private const int Width = 240;
    private const int Height = 150;
    private const float FontSize = 10;

    /// <summary>Series colours (each at least 4.5:1 on white), markers differing by shape too, so colour is never the only cue.</summary>
    private static readonly (string Colour, MarkerShape Shape, string Marker)[] SeriesStyles =
        [("#1f5fa8", MarkerShape.FilledCircle, "circle"), ("#a04c00", MarkerShape.FilledSquare, "square"), ("#6b3fa0", MarkerShape.FilledDiamond, "diamond")];

    private static readonly (string Colour, LinePattern Pattern, string Dash)[] ThresholdStyles = [("#4a5561", LinePattern.Dashed, "6 3"), ("#b3261e", LinePattern.Dotted, "2 2")];

    public static IReadOnlyList<ChartFigure> For(PatientFacts facts, EligibilityPolicy policy, ChartWindow window)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(window);
        return
        [
            Chromogranin(facts.ChromograninA, policy.Chromogranin, window),
            Draw("ki67", "Ki-67 (%)", [("Ki-67", (IReadOnlyList<Sample>)[.. facts.Ki67.Select(k => new Sample(k.Value, k.Effective, k.Source, $"{k.Value.Written} %"))])],
                [(policy.Grading.Ki67G1Below, "G1 below"), (policy.Grading.Ki67G3Above, "G3 above")], window),
            Draw("burden", "Hepatic tumour burden (%)", [("burden", Sample.Of(facts.TumourBurden, "%"))],
                [(policy.Embolization.BurdenEligibleAtMostPercent, "EMB-BURDEN eligible up to"), (policy.Embolization.BurdenContraindicatedAbovePercent, "EMB-BURDEN contraindicated above")], window),
            Draw("lesions", "Lesion size (cm)", [("largest lesion", Sample.Of(facts.LargestLesion, "cm")), ("sum of diameters", Sample.Of(facts.LesionDiameterSum, "cm"))],
                [(policy.Ablation.SizeEligibleBelowCm, "ABL-SIZE eligible below")], window),
            Draw("bilirubin", "Total bilirubin (mg/dL)", [("bilirubin", Sample.Of(facts.Bilirubin, "mg/dL"))],
                [(policy.Embolization.BilirubinConsiderFromMgDl, "EMB-LIVER consider from"), (policy.Embolization.BilirubinContraindicatedAboveMgDl, "EMB-LIVER contraindicated above")], window),
            Draw("platelets", "Platelets (10⁹/L)", [("platelets", Sample.Of(facts.Platelets, "10⁹/L"))],
                [(policy.Embolization.PlateletsContraindicatedBelow, "EMB-COAG below"), (policy.Prrt.PlateletsContraindicatedBelow, "PRRT-MARROW below")], window),
            Draw("clearance", "Creatinine clearance (mL/min)", [("clearance", Sample.Of(facts.CreatinineClearance, "mL/min"))],
                [(policy.Embolization.RenalFailureClearanceBelow, "EMB-COAG below"), (policy.Prrt.ClearanceContraindicatedBelow, "PRRT-RENAL below")], window),
        ];
    }

    /// <summary>
    /// Chromogranin A: values of different units or assays are never compared (CGA-TREND), so the chart is in
    /// multiples of the ULN when every value carries one, and otherwise one series per unit and assay. The response
    /// (fall from the baseline) and progression (rise over the nadir) lines are drawn for the newest comparable series.
    /// </summary>
    private static ChartFigure Chromogranin(IReadOnlyList<ChromograninMeasurement> values, ChromograninPolicy policy, ChartWindow window)
    {
        var byUln = values.Count > 0 && values.All(v => v.UpperReferenceLimit is > 0);
        var series = values
            .GroupBy(v => byUln ? (v.Assay ?? "×ULN") : $"{Unit(v.Unit)}{(v.Assay is null ? "" : ", " + v.Assay)}")
            .Select(g => (Name: g.Key, Samples: (IReadOnlyList<Sample>)[.. g.Select(v => new Sample(
                byUln ? v.Value.Convert(x => x / v.UpperReferenceLimit!.Value) : v.Value, v.Effective, v.Source,
                $"{v.Value.Written} {Unit(v.Unit)}{(v.UpperReferenceLimit is { } uln ? $" (ULN {uln.ToString("0.##", CultureInfo.InvariantCulture)})" : "")}"))]))
            .ToList();
        var thresholds = new List<(decimal, string)>();
        if (series.Count > 0)
        {
            var newest = series.OrderByDescending(s => s.Samples.Max(f => f.Date)).First().Samples.OrderBy(f => f.Date).Where(f => f.Value.Exact is not null).ToList();
            if (newest.Count > 0)
            {
                var baseline = newest[0].Value.Exact!.Value;
                var nadir = newest.Min(f => f.Value.Exact!.Value);
                thresholds.Add((baseline * (1 - (policy.ResponseFallPercent / 100m)), $"response: {policy.ResponseFallPercent:0.#} % below baseline"));
                thresholds.Add((nadir * (1 + (policy.ProgressionRisePercent / 100m)), $"progression: {policy.ProgressionRisePercent:0.#} % over nadir"));
            }
        }

        return Draw("chromogranin-a", byUln ? "Chromogranin A (× upper reference limit)" : "Chromogranin A (per unit and assay)", series, thresholds, window);
    }

    private static ChartFigure Draw(string id, string title, IReadOnlyList<(string Name, IReadOnlyList<Sample> Samples)> series, IReadOnlyList<(decimal Value, string Label)> thresholds, ChartWindow window)
    {
        var all = series.SelectMany(s => s.Samples.Select(f => new ChartPoint(f.Date, s.Name, f.Written, f.Source, Plottable(f.Value) is not null)))
            .OrderBy(p => p.Date).ToList();
        var points = all.Where(p => window.Shows(p.Date)).ToList();
        var earlier = all.Count - points.Count;
        if (points.Count == 0)
        {
            var note = all.LastOrDefault() is { } last
                ? $"No value in the last 24 months; the last one: {last.Written} ({last.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)})."
                : "No value on record: unknown, not normal.";
            return new ChartFigure(id, title, null, [], points, note, earlier);
        }

        using var plot = new Plot();
        plot.Font.Set("DejaVu Sans");
        var legend = new List<LegendEntry>();
        foreach (var ((name, facts), (colour, shape, marker)) in series.Zip(SeriesStyles))
        {
            var shown = facts.Where(f => window.Shows(f.Date)).ToList();
            var exact = shown.Where(f => f.Value.Exact is not null).OrderBy(f => f.Date).ToList();
            if (exact.Count > 0)
            {
                var line = plot.Add.Scatter(exact.Select(f => f.Date.UtcDateTime.ToOADate()).ToArray(), exact.Select(f => (double)f.Value.Exact!.Value).ToArray());
                line.Color = Color.FromHex(colour);
                line.MarkerShape = shape;
                line.MarkerFillColor = Color.FromHex(colour);
                line.MarkerLineColor = Color.FromHex(colour);
                line.MarkerSize = 6;
                legend.Add(new LegendEntry(name, colour, null, marker));
            }

            // A value with a comparator is drawn at its bound with an open marker: shown, never taken as the value.
            var bounds = shown.Where(f => f.Value.Exact is null && Plottable(f.Value) is not null).ToList();
            if (bounds.Count > 0)
            {
                var open = plot.Add.ScatterPoints(bounds.Select(f => f.Date.UtcDateTime.ToOADate()).ToArray(), bounds.Select(f => (double)Plottable(f.Value)!.Value).ToArray());
                open.Color = Color.FromHex(colour);
                open.MarkerShape = MarkerShape.OpenCircle;
                open.MarkerSize = 8;
                legend.Add(new LegendEntry($"{name} (bound, as written)", colour, null, "open"));
            }
        }

        foreach (var ((value, label), (colour, pattern, dash)) in thresholds.Zip(ThresholdStyles))
        {
            var line = plot.Add.HorizontalLine((double)value);
            line.Color = Color.FromHex(colour);
            line.LinePattern = pattern;
            line.LineWidth = 1.5f;
            legend.Add(new LegendEntry($"{label} {value.ToString("0.##", CultureInfo.InvariantCulture)}", colour, dash, null));
        }

        plot.Axes.Bottom.TickLabelStyle.FontSize = FontSize;
        plot.Axes.Left.TickLabelStyle.FontSize = FontSize;
        plot.Axes.Margins(0.05, 0.15);
        plot.Axes.AutoScale();
        var (from, to) = Range(points.Min(p => p.Date), points.Max(p => p.Date));
        plot.Axes.SetLimitsX(from.ToOADate(), to.ToOADate());
        var ticks = Ticks(from, to);
        plot.Axes.Bottom.SetTicks([.. ticks.Select(t => t.ToOADate())], [.. ticks.Select(t => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))]);
        return new ChartFigure(id, title, Inline(plot.GetSvgXml(Width, Height), id), legend, points,
            points.Any(p => !p.Plotted) ? "Values without a number (a range with no bound) are listed, not drawn." : null, earlier);
    }

    /// <summary>
    /// The x-range: the dates shown with a margin either side, and at least four months, so a single value sits in
    /// the middle of a readable window instead of hours around it.
    /// </summary>
    public static (DateTime From, DateTime To) Range(DateTimeOffset first, DateTimeOffset last)
    {
        var span = last - first;
        var margin = TimeSpan.FromDays(Math.Max(span.TotalDays * 0.06, 20));
        var (from, to) = (first.UtcDateTime - margin, last.UtcDateTime + margin);
        var least = TimeSpan.FromDays(122);
        if (to - from < least)
        {
            var middle = first.UtcDateTime + (span / 2);
            (from, to) = (middle - (least / 2), middle + (least / 2));
        }

        return (from, to);
    }

    /// <summary>
    /// Ticks on the first of a month, every 1, 2, 3, 6, 12, 24, 60 or 120 months: the smallest step that leaves two labels at
    /// most (an ISO date is a quarter of the small chart's width), none so near an edge that its label would be cut off.
    /// </summary>
    public static IReadOnlyList<DateTime> Ticks(DateTime from, DateTime to)
    {
        var edge = (to - from) * 0.12;
        var (low, high) = (from + edge, to - edge);
        foreach (var step in (int[])[1, 2, 3, 6, 12, 24, 60, 120])
        {
            var first = new DateTime(low.Year, low.Month, 1, 0, 0, 0, DateTimeKind.Utc);
            while (first < low || (first.Month - 1) % step != 0)
            {
                first = first.AddMonths(1);
            }

            var ticks = new List<DateTime>();
            for (var t = first; t <= high; t = t.AddMonths(step))
            {
                ticks.Add(t);
            }

            if (ticks.Count is > 0 and <= 2)
            {
                return ticks;
            }
        }

        return [low + ((high - low) / 2)];
    }

    private static decimal? Plottable(Interval value) => value.Exact ?? value.High ?? value.Low;

    /// <summary>SVG for inlining: no XML declaration, scalable (viewBox), and ids made unique per chart on the page.</summary>
    private static string Inline(string svg, string id)
    {
        var body = svg[svg.IndexOf("<svg", StringComparison.Ordinal)..];
        body = IdAttribute().Replace(body, m => $"id=\"{id}-{m.Groups[1].Value}\"");
        body = IdReference().Replace(body, m => $"{m.Groups[1].Value}{id}-{m.Groups[2].Value}");
        return body.Replace($"width=\"{Width}\" height=\"{Height}\"", $"width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-labelledby=\"chart-{id}-caption\"", StringComparison.Ordinal);
    }

    private static string Unit(ChromograninUnit unit) => unit switch
    {
        ChromograninUnit.MassConcentration => "ng/mL",
        ChromograninUnit.SubstanceConcentration => "nmol/L",
        _ => "U/L",
    };

    [GeneratedRegex("id=\"([^\"]+)\"")]
    private static partial Regex IdAttribute();

    // Only references (url(#x), href="#x"): a colour such as #A04C00 is not an id.
    [GeneratedRegex("(url\\(#|href=\"#)([A-Za-z_][\\w-]*)(?=[)\"])")]
    private static partial Regex IdReference();
}

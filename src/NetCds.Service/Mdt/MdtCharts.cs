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

/// <summary>A chart of one measure over time: the SVG (rendered on the server) and the points behind it.</summary>
public sealed record ChartFigure(string Id, string Title, string? Svg, IReadOnlyList<ChartPoint> Points, string? Note);

/// <summary>
/// The MDT view's plots over time, drawn by ScottPlot as SVG on the server (no script, no CDN, prints as drawn).
/// Threshold lines are the policy's own values, so the chart shows the limits the rules applied.
/// </summary>
public static partial class MdtCharts
{
    private const int Width = 640;
    private const int Height = 260;

    public static IReadOnlyList<ChartFigure> For(PatientFacts facts, EligibilityPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(policy);
        return
        [
            Chromogranin(facts.ChromograninA, policy.Chromogranin),
            Draw("ki67", "Ki-67 (%)", [("Ki-67", (IReadOnlyList<Sample>)[.. facts.Ki67.Select(k => new Sample(k.Value, k.Effective, k.Source, $"{k.Value.Written} %"))])],
                [(policy.Grading.Ki67G1Below, "G1 below"), (policy.Grading.Ki67G3Above, "G3 above")]),
            Draw("burden", "Hepatic tumour burden (%)", [("burden", Sample.Of(facts.TumourBurden, "%"))],
                [(policy.Embolization.BurdenEligibleAtMostPercent, "EMB-BURDEN eligible up to"), (policy.Embolization.BurdenContraindicatedAbovePercent, "EMB-BURDEN contraindicated above")]),
            Draw("lesions", "Lesion size (cm)", [("largest lesion", Sample.Of(facts.LargestLesion, "cm")), ("sum of diameters", Sample.Of(facts.LesionDiameterSum, "cm"))],
                [(policy.Ablation.SizeEligibleBelowCm, "ABL-SIZE eligible below")]),
            Draw("bilirubin", "Total bilirubin (mg/dL)", [("bilirubin", Sample.Of(facts.Bilirubin, "mg/dL"))],
                [(policy.Embolization.BilirubinConsiderFromMgDl, "EMB-LIVER consider from"), (policy.Embolization.BilirubinContraindicatedAboveMgDl, "EMB-LIVER contraindicated above")]),
            Draw("platelets", "Platelets (10⁹/L)", [("platelets", Sample.Of(facts.Platelets, "10⁹/L"))],
                [(policy.Embolization.PlateletsContraindicatedBelow, "EMB-COAG below"), (policy.Prrt.PlateletsContraindicatedBelow, "PRRT-MARROW below")]),
            Draw("clearance", "Creatinine clearance (mL/min)", [("clearance", Sample.Of(facts.CreatinineClearance, "mL/min"))],
                [(policy.Embolization.RenalFailureClearanceBelow, "EMB-COAG below"), (policy.Prrt.ClearanceContraindicatedBelow, "PRRT-RENAL below")]),
        ];
    }

    /// <summary>
    /// Chromogranin A: values of different units or assays are never compared (CGA-TREND), so the chart is in
    /// multiples of the ULN when every value carries one, and otherwise one series per unit and assay. The response
    /// (fall from the baseline) and progression (rise over the nadir) lines are drawn for the newest comparable series.
    /// </summary>
    private static ChartFigure Chromogranin(IReadOnlyList<ChromograninMeasurement> values, ChromograninPolicy policy)
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

        return Draw("chromogranin-a", byUln ? "Chromogranin A (× upper reference limit)" : "Chromogranin A (per unit and assay)", series, thresholds);
    }

    private static ChartFigure Draw(string id, string title, IReadOnlyList<(string Name, IReadOnlyList<Sample> Samples)> series, IReadOnlyList<(decimal Value, string Label)> thresholds)
    {
        var points = series.SelectMany(s => s.Samples.Select(f => new ChartPoint(f.Date, s.Name, f.Written, f.Source, Plottable(f.Value) is not null)))
            .OrderBy(p => p.Date).ToList();
        if (points.Count == 0)
        {
            return new ChartFigure(id, title, null, points, "No value on record: unknown, not normal.");
        }

        using var plot = new Plot();
        plot.Font.Set("DejaVu Sans");
        foreach (var (name, facts) in series)
        {
            var exact = facts.Where(f => f.Value.Exact is not null).OrderBy(f => f.Date).ToList();
            if (exact.Count > 0)
            {
                var line = plot.Add.Scatter(exact.Select(f => f.Date.UtcDateTime.ToOADate()).ToArray(), exact.Select(f => (double)f.Value.Exact!.Value).ToArray());
                line.LegendText = name;
                line.MarkerSize = 8;
            }

            // A value with a comparator is drawn at its bound with an open marker: shown, never taken as the value.
            var bounds = facts.Where(f => f.Value.Exact is null && Plottable(f.Value) is not null).ToList();
            if (bounds.Count > 0)
            {
                var open = plot.Add.ScatterPoints(bounds.Select(f => f.Date.UtcDateTime.ToOADate()).ToArray(), bounds.Select(f => (double)Plottable(f.Value)!.Value).ToArray());
                open.MarkerShape = MarkerShape.OpenCircle;
                open.MarkerSize = 10;
                open.LegendText = $"{name} (bound, as written)";
            }
        }

        foreach (var (value, label) in thresholds)
        {
            var line = plot.Add.HorizontalLine((double)value);
            line.LinePattern = LinePattern.Dashed;
            line.LineWidth = 1.5f;
            line.LegendText = $"{label} {value.ToString("0.##", CultureInfo.InvariantCulture)}";
        }

        plot.Axes.DateTimeTicksBottom();
        plot.Axes.Margins(0.08, 0.15);
        plot.ShowLegend(Alignment.UpperLeft);
        return new ChartFigure(id, title, Inline(plot.GetSvgXml(Width, Height), id), points,
            points.Any(p => !p.Plotted) ? "Values without a number (a range with no bound) are listed, not drawn." : null);
    }

    private static decimal? Plottable(Interval value) => value.Exact ?? value.High ?? value.Low;

    /// <summary>SVG for inlining: no XML declaration, scalable (viewBox), and ids made unique per chart on the page.</summary>
    private static string Inline(string svg, string id)
    {
        var body = svg[svg.IndexOf("<svg", StringComparison.Ordinal)..];
        body = IdAttribute().Replace(body, m => $"id=\"{id}-{m.Groups[1].Value}\"");
        body = IdReference().Replace(body, m => $"#{id}-{m.Groups[1].Value}");
        return body.Replace($"width=\"{Width}\" height=\"{Height}\"", $"width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\"", StringComparison.Ordinal);
    }

    private static string Unit(ChromograninUnit unit) => unit switch
    {
        ChromograninUnit.MassConcentration => "ng/mL",
        ChromograninUnit.SubstanceConcentration => "nmol/L",
        _ => "U/L",
    };

    [GeneratedRegex("id=\"([^\"]+)\"")]
    private static partial Regex IdAttribute();

    [GeneratedRegex("#([A-Za-z_][\\w-]*)(?=[)\"])")]
    private static partial Regex IdReference();
}

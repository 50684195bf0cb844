using System.Globalization;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;

namespace NetCds.Domain.Derived;

public enum BiochemicalTrend
{
    /// <summary>No chromogranin A on record.</summary>
    None,

    /// <summary>One value, or none comparable with the newest.</summary>
    NotComparable,
    Response,
    Stable,
    Progression,
}

/// <summary>
/// Chromogranin A trend (002: best general marker; 000 §4, 003 §4.2: biochemical response is a valid endpoint).
/// Values are compared only within one assay and unit, or as multiples of each report's upper reference limit;
/// mass and U/L are never converted into each other.
/// </summary>
/// <param name="Basis">"same assay" or "multiples of ULN", or why nothing could be compared.</param>
/// <param name="Confounders">Known causes of false elevation present (site policy): PPI, renal impairment, atrophic gastritis.</param>
public sealed record ChromograninTrend(
    BiochemicalTrend Trend,
    decimal? ChangeFromBaselinePercent,
    decimal? ChangeFromNadirPercent,
    string Basis,
    IReadOnlyList<string> Confounders,
    IReadOnlyList<InputReference> Inputs)
{
    public static ChromograninTrend Derive(PatientFacts facts, DateTimeOffset asOf, ChromograninPolicy policy)
    {
        var confounders = FindConfounders(facts, policy);
        var dated = facts.ChromograninA.Where(v => v.Effective <= asOf).OrderBy(v => v.Effective).ToList();
        if (dated.Count == 0)
        {
            return new ChromograninTrend(BiochemicalTrend.None, null, null, "no chromogranin A on record", confounders, []);
        }

        // A change in percent needs values: a result reported as a bound ("> 1000 ng/mL", above the assay's range)
        // is shown but not compared (catalogue: an interval that straddles a threshold decides nothing).
        if (dated[^1].Value.Exact is null)
        {
            return new ChromograninTrend(BiochemicalTrend.NotComparable, null, null, $"the latest value is reported as {dated[^1].Value}", confounders, [InputReference.From(dated[^1])]);
        }

        var values = dated.Where(v => v.Value.Exact is not null).ToList();

        var latest = values[^1];
        var sameAssay = values.Where(v => v.Unit == latest.Unit && v.Assay == latest.Assay).ToList();
        List<(ChromograninMeasurement Value, decimal Level)> series;
        string basis;
        if (sameAssay.Count >= 2)
        {
            series = [.. sameAssay.Select(v => (v, v.Value.Exact!.Value))];
            basis = $"same assay ({InputReference.UnitText(latest.Unit)})";
        }
        else if (latest.UpperReferenceLimit > 0 && values.Count(v => v.UpperReferenceLimit > 0) >= 2)
        {
            series = [.. values.Where(v => v.UpperReferenceLimit > 0).Select(v => (v, v.Value.Exact!.Value / v.UpperReferenceLimit!.Value))];
            basis = "multiples of the upper reference limit (assays differ)";
        }
        else
        {
            var why = values.Count == 1 ? "a single value" : "assays differ and no upper reference limits were reported";
            return new ChromograninTrend(BiochemicalTrend.NotComparable, null, null, why, confounders, [InputReference.From(latest)]);
        }

        var baseline = series[0].Level;
        var nadir = series.Take(series.Count - 1).Min(s => s.Level);
        var current = series[^1].Level;
        var fromBaseline = baseline == 0 ? 0 : (current - baseline) / baseline * 100m;
        var fromNadir = nadir == 0 ? 0 : (current - nadir) / nadir * 100m;

        // A rise over the nadir is the newer news, so it outranks an earlier fall from baseline.
        // Thresholds are compared before rounding, so a 49.96 % fall is not a response.
        var trend = fromNadir >= policy.ProgressionRisePercent ? BiochemicalTrend.Progression
            : -fromBaseline >= policy.ResponseFallPercent ? BiochemicalTrend.Response
            : BiochemicalTrend.Stable;
        return new ChromograninTrend(trend, Math.Round(fromBaseline, 1), Math.Round(fromNadir, 1), basis, confounders, [.. series.Select(s => InputReference.From(s.Value))]);
    }

    public string Describe() => Trend switch
    {
        BiochemicalTrend.None => "no chromogranin A on record",
        BiochemicalTrend.NotComparable => $"chromogranin A trend not assessable: {Basis}",
        _ => string.Create(CultureInfo.InvariantCulture,
            $"chromogranin A {Trend.ToString().ToLowerInvariant()}: {ChangeFromBaselinePercent:+0.#;-0.#;0}% from baseline, {ChangeFromNadirPercent:+0.#;-0.#;0}% from nadir ({Basis})"),
    };

    private static List<string> FindConfounders(PatientFacts facts, ChromograninPolicy policy)
    {
        var found = new List<string>();
        if (facts.Medications.Any(m => m.Value is { Kind: MedicationKind.ProtonPumpInhibitor, Active: true }))
        {
            found.Add("proton-pump inhibitor use");
        }

        var clearance = facts.CreatinineClearance.Newest();
        if (facts.Conditions.Any(c => c.Value == ConditionKind.RenalFailure) || clearance?.Value.IsBelow(policy.RenalImpairmentClearanceBelow) == true)
        {
            found.Add("renal impairment");
        }

        if (facts.Conditions.Any(c => c.Value == ConditionKind.AtrophicGastritis))
        {
            found.Add("atrophic gastritis");
        }

        return found;
    }
}

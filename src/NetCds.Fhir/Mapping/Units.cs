using System.Collections.Concurrent;
using Fhir.Metrics;

namespace NetCds.Fhir.Mapping;

/// <summary>
/// Exact unit conversions into the domain's canonical units. Dimensional conversions (mm → cm, g/L → g/dL,
/// 10*3/uL → 10*9/L) go through UCUM (Fhir.Metrics); mass ↔ molar only where the analyte's molar mass makes it
/// exact and the terminology contract lists it (bilirubin 17.1, creatinine 88.4, 5-HIAA 191.18 g/mol).
/// Anything else is not guessed: the caller reports it as a data problem.
/// </summary>
internal static class Units
{
    private const string Ucum = "http://unitsofmeasure.org";

    public const string Centimetre = "cm";
    public const string Percent = "%";
    public const string MilligramPerDecilitre = "mg/dL";
    public const string GramPerDecilitre = "g/dL";
    public const string PerNanolitre = "10*9/L";
    public const string MillilitrePerMinute = "mL/min";

    private const int CachedPairsAtMost = 1_000;

    private static readonly ConcurrentDictionary<(string From, string To), decimal?> Factors = new();

    /// <summary>Normalises how units are written in the wild (µ, spaces) to UCUM case-sensitive codes.</summary>
    public static string? Normalise(string? unit) => unit?.Trim().Replace('µ', 'u').Replace('μ', 'u').Replace(" ", "", StringComparison.Ordinal);

    public static bool TryConvert(decimal value, string? unit, string target, out decimal result)
    {
        result = 0;
        var from = Normalise(unit);
        if (string.IsNullOrEmpty(from))
        {
            return false;
        }

        if (from == target)
        {
            result = value;
            return true;
        }

        if (Factor(from, target) is not { } factor)
        {
            return false;
        }

        result = value * factor;
        return true;
    }

    /// <summary>
    /// The factor from one unit to another, asked of UCUM once per pair: a Fhir.Metrics conversion costs 0.2-2 ms and
    /// every quantity of every resource needs one (issue 10 profile: about 40 % of the service's CPU). The units
    /// converted here are ratio scales without offsets, so one factor per pair is exact. Unknown pairs are cached too
    /// (null), so a bad unit stays cheap; the cache stops growing at <see cref="CachedPairsAtMost"/> pairs, since units
    /// come from input.
    /// </summary>
    private static decimal? Factor(string from, string target)
    {
        if (Factors.TryGetValue((from, target), out var cached))
        {
            return cached;
        }

        decimal? factor = FhirMetricService.Instance.Value.TryConvertTo((1m, from, Ucum), target, out var converted) && converted is { } q ? q.Item1 : null;
        if (Factors.Count < CachedPairsAtMost)
        {
            Factors.TryAdd((from, target), factor);
        }

        return factor;
    }

    /// <summary>Bilirubin to mg/dL: 1 mg/dL = 17.1 µmol/L.</summary>
    public static bool TryBilirubin(decimal value, string? unit, out decimal mgDl) => TryMolar(value, unit, 17.1m, out mgDl);

    /// <summary>Creatinine to mg/dL: 1 mg/dL = 88.4 µmol/L.</summary>
    public static bool TryCreatinine(decimal value, string? unit, out decimal mgDl) => TryMolar(value, unit, 88.4m, out mgDl);

    private static bool TryMolar(decimal value, string? unit, decimal umolPerMgDl, out decimal mgDl)
    {
        if (TryConvert(value, unit, "umol/L", out var umol) && Normalise(unit)!.Contains("mol", StringComparison.Ordinal))
        {
            mgDl = Math.Round(umol / umolPerMgDl, 3);
            return true;
        }

        return TryConvert(value, unit, MilligramPerDecilitre, out mgDl);
    }

    /// <summary>Urinary 5-HIAA to µmol/24 h (molar mass 191.18 g/mol).</summary>
    public static bool TryUrinary5Hiaa(decimal value, string? unit, out decimal umolPerDay)
    {
        var u = Normalise(unit)?.Replace("/24h", "/(24.h)", StringComparison.Ordinal).Replace("/d", "/(24.h)", StringComparison.Ordinal);
        if (TryConvert(value, u, "umol/(24.h)", out umolPerDay))
        {
            return true;
        }

        if (TryConvert(value, u, "mg/(24.h)", out var mg))
        {
            umolPerDay = Math.Round(mg * 1000m / 191.18m, 1);
            return true;
        }

        return false;
    }

    /// <summary>Creatinine clearance or eGFR: mL/min, with or without the per-1.73 m² normalisation.</summary>
    public static bool TryClearance(decimal value, string? unit, out decimal mlMin)
    {
        var u = Normalise(unit);
        if (u is "mL/min/{1.73_m2}" or "mL/min/1.73m2" or "mL/min/1.73_m2" or "mL/min/{1.73m2}")
        {
            mlMin = value;
            return true;
        }

        return TryConvert(value, u, MillilitrePerMinute, out mlMin);
    }

    /// <summary>INR is a ratio: no unit, or an annotation.</summary>
    public static bool IsRatio(string? unit) => Normalise(unit) is null or "" or "1" or "{INR}" or "{ratio}" or "{Ratio}" or "INR" or "ratio";

    /// <summary>Mitoses per 10 HPF, or per 2 mm² (taken as equivalent, WHO 2017).</summary>
    public static bool IsMitoticUnit(string? unit) => Normalise(unit) is "/10.HPF" or "/10{HPF}" or "{mitoses}/10{HPF}" or "/2.mm2" or "/2mm2" or "{mitoses}/2.mm2" or "/10HPF";
}

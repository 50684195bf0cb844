using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;

namespace NetCds.Domain.Derived;

public enum ResectabilityKind
{
    Resectable,
    Unresectable,
    LikelyUnresectable,
    Unknown,
}

/// <summary>
/// Resectability of the liver disease: a surgical assessment decides when there is one (RES-CUR threshold);
/// otherwise imaging that fits RES-IDEAL is resectable, extensive bilobar disease likely unresectable [site policy].
/// </summary>
/// <param name="FromSurgicalAssessment">True when a hepatobiliary surgeon's resectable fraction decided it.</param>
/// <param name="FitsIdeal">Imaging fits RES-IDEAL (003 §2.1, §6); null when the imaging needed is missing.</param>
public sealed record Resectability(
    ResectabilityKind Kind,
    string Reason,
    bool FromSurgicalAssessment,
    bool? FitsIdeal,
    IReadOnlyList<InputReference> Inputs)
{
    public string Code => Kind switch
    {
        ResectabilityKind.Resectable => "resectable",
        ResectabilityKind.Unresectable => "unresectable",
        ResectabilityKind.LikelyUnresectable => "likely-unresectable",
        _ => "unknown",
    };

    public static Resectability Derive(LiverImaging imaging, Fact<Interval>? resectableFraction, ResectionPolicy policy)
    {
        var fitsIdeal = FitsIdealPattern(imaging, policy);
        if (resectableFraction is not null)
        {
            var input = InputReference.From(FactKind.ResectableFraction, resectableFraction);
            var fraction = resectableFraction.Value;
            var threshold = policy.ResectableFractionAtLeastPercent;
            switch (fraction.IsAtLeast(threshold))
            {
                case true:
                    return new Resectability(ResectabilityKind.Resectable, $"surgical assessment: {fraction} % resectable/ablatable (threshold {threshold:0.#} %)", true, fitsIdeal, [input]);
                case false:
                    return new Resectability(ResectabilityKind.Unresectable, $"surgical assessment: only {fraction} % resectable/ablatable (threshold {threshold:0.#} %)", true, fitsIdeal, [input]);
                default:
                    // A reported range across the threshold decides nothing (catalogue: quantities are intervals).
                    return new Resectability(ResectabilityKind.Unknown, $"surgical assessment: {fraction} % resectable/ablatable does not settle the {threshold:0.#} % threshold", true, fitsIdeal, [input]);
            }
        }

        var inputs = imaging.Inputs(FactKind.LesionDistribution, FactKind.LesionCount, FactKind.LargestLesion, FactKind.TumourBurden);
        if (fitsIdeal == true)
        {
            return new Resectability(ResectabilityKind.Resectable, "no surgical assessment; imaging fits the resectable pattern (RES-IDEAL)", false, true, inputs);
        }

        var bilobar = imaging.Distribution?.Value == LesionDistribution.Bilobar;
        if (bilobar && (imaging.LesionCount?.Value.IsAbove(policy.LikelyUnresectableLesionsAbove) == true
            || imaging.TumourBurden?.Value.IsAbove(policy.LikelyUnresectableBurdenAbovePercent) == true))
        {
            return new Resectability(ResectabilityKind.LikelyUnresectable,
                $"no surgical assessment; bilobar disease with > {policy.LikelyUnresectableLesionsAbove} lesions or > {policy.LikelyUnresectableBurdenAbovePercent:0.#} % burden", false, fitsIdeal, inputs);
        }

        return new Resectability(ResectabilityKind.Unknown, "no surgical assessment and imaging does not settle it", false, fitsIdeal, inputs);
    }

    /// <summary>RES-IDEAL: single-lobe disease; or fewer than 3-5 lesions in both lobes under 3 cm; or oligonodular (&lt; 5 lesions &lt; 5 cm).</summary>
    internal static bool? FitsIdealPattern(LiverImaging imaging, ResectionPolicy policy)
    {
        if (imaging.Distribution?.Value == LesionDistribution.Unilobar)
        {
            return true;
        }

        if (imaging.LesionCount is null || imaging.LargestLesion is null)
        {
            return null;
        }

        var count = imaging.LesionCount.Value;
        var largest = imaging.LargestLesion.Value;
        return ThreeValued.Or(
            ThreeValued.And(count.IsBelow(policy.IdealBilobarLesionsBelow), largest.IsBelow(policy.IdealBilobarSizeBelowCm)),
            ThreeValued.And(count.IsBelow(policy.OligonodularLesionsBelow), largest.IsBelow(policy.OligonodularSizeBelowCm)));
    }
}

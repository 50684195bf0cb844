using System.Globalization;
using NetCds.Domain.Derived;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using static NetCds.Domain.Engine.Evidence;

namespace NetCds.Domain.Rules;

/// <summary>What every card reports beside the therapy statuses (catalogue "Also reported").</summary>
public static class AlsoReported
{
    public static IReadOnlyList<ReportItem> Items(EvaluationContext c)
    {
        var items = new List<ReportItem>();
        Primary(items, c);
        Syndromes(items, c.Derived);
        Markers(items, c);

        // MDT (000 §11, 001 Conclusion, 002): always.
        items.Add(new ReportItem("MDT", "Discuss at a multidisciplinary tumour board: these are eligibility findings, not orders.", Cite("000 §11", "001 Conclusion", "002"), []));
        return items;
    }

    /// <summary>PRIMARY (002 Table 1, Surgery): the pancreatic primary and MEN1.</summary>
    private static void Primary(List<ReportItem> items, EvaluationContext c)
    {
        var d = c.Derived;
        var p = c.Policy.AlsoReported;
        if (d.PrimarySite?.Value != PrimarySite.Pancreas || d.PrimaryResection is not null)
        {
            return;
        }

        var evidence = Cite("002 Table 1", "002 Surgery");
        var sizes = d.PrimaryTumourSize;
        var latest = sizes.Count > 0 ? sizes[^1] : null;
        var inputs = sizes.Select(s => InputReference.From(FactKind.PrimaryTumourSize, s)).ToList();
        var text = latest is null
            ? "Pancreatic primary in place, size not recorded: resection is considered above 2 cm."
            : latest.Value.IsAbove(p.PancreaticPrimaryAboveCm) switch
            {
                true => $"Pancreatic primary {latest.Value} cm (> {p.PancreaticPrimaryAboveCm.ToString("0.#", CultureInfo.InvariantCulture)} cm): resection of the primary to be discussed.",
                false => $"Pancreatic primary {latest.Value} cm (≤ {p.PancreaticPrimaryAboveCm.ToString("0.#", CultureInfo.InvariantCulture)} cm).",
                null => $"Pancreatic primary {latest.Value} cm: an exact size is needed to compare with {p.PancreaticPrimaryAboveCm.ToString("0.#", CultureInfo.InvariantCulture)} cm.",
            };

        if (d.Condition(ConditionKind.Men1) is { } men1)
        {
            inputs.Add(InputReference.From(FactKind.Condition, men1));
            var growth = GrowthPerYear(sizes);
            text += growth is null
                ? " MEN1: resect when > 2 cm or growing > 0.5 cm/year; growth not measurable from the record."
                : growth > p.Men1GrowthAboveCmPerYear
                    ? string.Create(CultureInfo.InvariantCulture, $" MEN1: growth {growth:0.##} cm/year (> {p.Men1GrowthAboveCmPerYear:0.#}): resection to be discussed.")
                    : string.Create(CultureInfo.InvariantCulture, $" MEN1: growth {growth:0.##} cm/year.");
        }

        if (d.Resectability.Kind is ResectabilityKind.Unresectable or ResectabilityKind.LikelyUnresectable)
        {
            text += " With unresectable liver metastases, primary resection is not routine.";
        }

        items.Add(new ReportItem("PRIMARY", text, evidence, inputs));
    }

    private static decimal? GrowthPerYear(IReadOnlyList<Fact<Interval>> sizes)
    {
        if (sizes.Count < 2)
        {
            return null;
        }

        // Growth needs two values: sizes reported as a bound are left out of the rate.
        var exact = sizes.Where(s => s.Value.Exact is not null).ToList();
        if (exact.Count < 2)
        {
            return null;
        }

        var years = (decimal)(exact[^1].Effective - exact[0].Effective).TotalDays / 365.25m;
        return years <= 0 ? null : (exact[^1].Value.Exact!.Value - exact[0].Value.Exact!.Value) / years;
    }

    /// <summary>SYNDROME (002): syndrome-specific measures.</summary>
    private static void Syndromes(List<ReportItem> items, DerivedFacts d)
    {
        if (d.Condition(ConditionKind.ZollingerEllison) is { } zes)
        {
            items.Add(new ReportItem("SYNDROME", "Zollinger-Ellison syndrome: high-dose proton-pump inhibitor.", Cite("002"), [InputReference.From(FactKind.Condition, zes)]));
        }

        if (d.Condition(ConditionKind.Insulinoma) is { } insulinoma)
        {
            items.Add(new ReportItem("SYNDROME", "Insulinoma: diazoxide and frequent feeds for hypoglycaemia.", Cite("002"), [InputReference.From(FactKind.Condition, insulinoma)]));
        }
    }

    /// <summary>Chromogranin A trend (002; 000 §4; 003 §4.2) and urinary 5-HIAA (003 §4.2), prognostic only.</summary>
    private static void Markers(List<ReportItem> items, EvaluationContext c)
    {
        var trend = c.Derived.Chromogranin;
        if (trend.Trend != BiochemicalTrend.None)
        {
            var text = char.ToUpperInvariant(trend.Describe()[0]) + trend.Describe()[1..] + ".";
            if (trend.Confounders.Count > 0)
            {
                text += $" Possible false elevation (site policy): {string.Join(", ", trend.Confounders)}.";
            }

            items.Add(new ReportItem("CGA-TREND", text, Cite("002", "000 §4", "003 §4.2"), trend.Inputs));
        }

        var hiaa = c.Derived.Urinary5Hiaa;
        var limit = c.Policy.AlsoReported.Urinary5HiaaPrognosticAbove;
        if (hiaa is not null && hiaa.Value.IsAbove(limit) == true)
        {
            items.Add(new ReportItem("5-HIAA", string.Create(CultureInfo.InvariantCulture, $"Urinary 5-HIAA {hiaa.Value} µmol/24 h (> {limit:0}): predicts reduced survival (prognostic only)."),
                Cite("003 §4.2"), [InputReference.From(FactKind.Urinary5Hiaa, hiaa)]));
        }
    }
}

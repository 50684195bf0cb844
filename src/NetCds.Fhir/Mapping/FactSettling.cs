using NetCds.Domain.Facts;

namespace NetCds.Fhir.Mapping;

/// <summary>
/// One patient's facts from its resources' facts, in record order: the same value at the same instant twice is one
/// fact; two different values at the same instant are a conflict, reported, and neither is used.
/// </summary>
internal sealed class FactSettling(IReadOnlyList<ResourceFacts> resources, List<DataProblem> problems)
{
    public PatientFacts Build(string? patient) => new()
    {
        Patient = patient,
        BirthDate = resources.LastOrDefault(r => r.BirthDate is not null)?.BirthDate,
        Conditions = Distinct(All(r => r.Conditions)),
        PrimarySites = Settle(All(r => r.PrimarySites), "primary site"),
        Differentiation = Settle(All(r => r.Differentiation), "differentiation"),
        Ki67 = SettlePathology(All(r => r.Ki67), "Ki-67"),
        MitoticCount = SettlePathology(All(r => r.MitoticCount), "mitotic count"),
        ChromograninA = SettleChromogranin(All(r => r.ChromograninA)),
        Urinary5Hiaa = Quantity(FactKind.Urinary5Hiaa),
        Bilirubin = Quantity(FactKind.Bilirubin),
        Albumin = Quantity(FactKind.Albumin),
        Inr = Quantity(FactKind.Inr),
        Creatinine = Quantity(FactKind.Creatinine),
        CreatinineClearance = Quantity(FactKind.CreatinineClearance),
        Platelets = Quantity(FactKind.Platelets),
        Neutrophils = Quantity(FactKind.Neutrophils),
        Haemoglobin = Quantity(FactKind.Haemoglobin),
        WhiteCellCount = Quantity(FactKind.WhiteCellCount),
        Ecog = Integer(FactKind.Ecog),
        Karnofsky = Integer(FactKind.Karnofsky),
        DiseaseStatus = Settle(All(r => r.DiseaseStatus), "disease status"),
        LesionCount = Quantity(FactKind.LesionCount),
        LargestLesion = Quantity(FactKind.LargestLesion),
        LesionDiameterSum = Quantity(FactKind.LesionDiameterSum),
        TumourBurden = Quantity(FactKind.TumourBurden),
        LesionDistribution = Settle(All(r => r.LesionDistribution), "lesion distribution"),
        PortalVein = Settle(All(r => r.PortalVein), "portal vein status"),
        ExtrahepaticDisease = Settle(All(r => r.ExtrahepaticDisease), "extrahepatic disease"),
        BoneMetastases = Boolean(FactKind.BoneMetastases),
        LesionNearMajorVessel = Boolean(FactKind.LesionNearMajorVessel),
        LesionNearVitalStructure = Boolean(FactKind.LesionNearVitalStructure),
        LesionAtHilum = Boolean(FactKind.LesionAtHilum),
        SstrUptake = Integer(FactKind.SstrUptake),
        MibgUptake = Boolean(FactKind.MibgUptake),
        LungShuntFraction = Quantity(FactKind.LungShuntFraction),
        ResectableFraction = Quantity(FactKind.ResectableFraction),
        FutureLiverRemnantAdequate = Boolean(FactKind.FutureLiverRemnantAdequate),
        PrimaryTumourSize = Quantity(FactKind.PrimaryTumourSize),
        Procedures = Distinct(All(r => r.Procedures)),
        Medications = Distinct(All(r => r.Medications)),
    };

    // Most kinds are absent from most resources (a hook call's 100 resources fill a few of the 35 kinds), so a kind
    // no resource has costs one look per resource and allocates nothing but its empty result (issue 20, measured).
    private List<T> All<T>(Func<ResourceFacts, List<T>?> facts)
    {
        List<T>? all = null;
        foreach (var resource in resources)
        {
            if (facts(resource) is { Count: > 0 } own)
            {
                (all ??= []).AddRange(own);
            }
        }

        return all ?? [];
    }

    private List<Fact<Interval>> Quantity(FactKind kind) => Settle(All(r => r.Intervals.GetValueOrDefault(kind)), kind.ToString());

    private List<Fact<int>> Integer(FactKind kind) => Settle(All(r => r.Integers.GetValueOrDefault(kind)), kind.ToString());

    private List<Fact<bool>> Boolean(FactKind kind) => Settle(All(r => r.Booleans.GetValueOrDefault(kind)), kind.ToString());

    private static List<Fact<T>> Distinct<T>(List<Fact<T>> facts) =>
        facts.Count < 2 ? facts : [.. facts.DistinctBy(f => (f.Value, f.Effective, f.Source))];

    private List<Fact<T>> Settle<T>(List<Fact<T>> facts, string what) =>
        SettleBy(facts, f => f.Effective, f => f.Value, f => f.Source, what);

    private List<PathologyValue> SettlePathology(List<PathologyValue> values, string what) =>
        SettleBy(values, v => (v.Effective, v.Specimen), v => v.Value, v => v.Source, what);

    private List<ChromograninMeasurement> SettleChromogranin(List<ChromograninMeasurement> values) =>
        SettleBy(values, v => (v.Effective, v.Unit, v.Assay), v => v.Value, v => v.Source, "chromogranin A");

    private List<T> SettleBy<T, TKey, TValue>(List<T> items, Func<T, TKey> instant, Func<T, TValue> value, Func<T, string> source, string what)
    {
        if (items.Count < 2 || EachAtItsOwnInstant(items, instant))
        {
            // Nothing to settle: no instant holds two values (the common case, a series of results).
            return items;
        }

        var settled = new List<T>();
        foreach (var group in items.GroupBy(instant))
        {
            var values = group.DistinctBy(value).ToList();
            if (values.Count == 1)
            {
                settled.Add(values[0]);
                continue;
            }

            // Different values for the same instant: using either would be a guess.
            var sources = string.Join(", ", group.Select(source).Distinct());
            foreach (var item in group.DistinctBy(source))
            {
                problems.Add(new DataProblem(source(item), null, DataProblemKind.Conflict,
                    $"conflicting {what} values at the same time ({string.Join(" vs ", values.Select(value))}; {sources}): none used"));
            }
        }

        return settled;
    }

    private static bool EachAtItsOwnInstant<T, TKey>(List<T> items, Func<T, TKey> instant)
    {
        // Wrapped, so that an item without an instant (a null key) is counted like any other.
        var seen = new HashSet<ValueTuple<TKey>>(items.Count);
        foreach (var item in items)
        {
            if (!seen.Add(new ValueTuple<TKey>(instant(item))))
            {
                return false;
            }
        }

        return true;
    }
}

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

    private List<T> All<T>(Func<ResourceFacts, List<T>> facts) => [.. resources.SelectMany(facts)];

    private List<Fact<Interval>> Quantity(FactKind kind) => Settle(All(r => r.Intervals.GetValueOrDefault(kind) ?? []), kind.ToString());

    private List<Fact<int>> Integer(FactKind kind) => Settle(All(r => r.Integers.GetValueOrDefault(kind) ?? []), kind.ToString());

    private List<Fact<bool>> Boolean(FactKind kind) => Settle(All(r => r.Booleans.GetValueOrDefault(kind) ?? []), kind.ToString());

    private static List<Fact<T>> Distinct<T>(List<Fact<T>> facts) =>
        [.. facts.DistinctBy(f => (f.Value, f.Effective, f.Source))];

    private List<Fact<T>> Settle<T>(List<Fact<T>> facts, string what) =>
        SettleBy(facts, f => f.Effective, f => f.Value, f => f.Source, what);

    private List<PathologyValue> SettlePathology(List<PathologyValue> values, string what) =>
        SettleBy(values, v => (v.Effective, v.Specimen), v => v.Value, v => v.Source, what);

    private List<ChromograninMeasurement> SettleChromogranin(List<ChromograninMeasurement> values) =>
        SettleBy(values, v => (v.Effective, v.Unit, v.Assay), v => v.Value, v => v.Source, "chromogranin A");

    private List<T> SettleBy<T, TKey, TValue>(List<T> items, Func<T, TKey> instant, Func<T, TValue> value, Func<T, string> source, string what)
    {
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
}

using NetCds.Domain.Facts;

namespace NetCds.Fhir.Mapping;

/// <summary>
/// Gathers facts while resources are read, then settles duplicates and conflicts: the same value at the same
/// instant twice is one fact; two different values at the same instant are a conflict, reported, and neither is used.
/// </summary>
internal sealed class FactsCollector(List<DataProblem> problems)
{
    public Fact<DateOnly>? BirthDate { get; set; }

    public List<Fact<ConditionKind>> Conditions { get; } = [];

    public List<Fact<PrimarySite>> PrimarySites { get; } = [];

    public List<Fact<Differentiation>> Differentiation { get; } = [];

    public List<PathologyValue> Ki67 { get; } = [];

    public List<PathologyValue> MitoticCount { get; } = [];

    public List<ChromograninMeasurement> ChromograninA { get; } = [];

    public Dictionary<FactKind, List<Fact<Interval>>> Intervals { get; } = [];

    public Dictionary<FactKind, List<Fact<int>>> Integers { get; } = [];

    public Dictionary<FactKind, List<Fact<bool>>> Booleans { get; } = [];

    public List<Fact<DiseaseStatus>> DiseaseStatus { get; } = [];

    public List<Fact<LesionDistribution>> LesionDistribution { get; } = [];

    public List<Fact<PortalVeinStatus>> PortalVein { get; } = [];

    public List<Fact<ExtrahepaticDisease>> ExtrahepaticDisease { get; } = [];

    public List<Fact<ProcedureKind>> Procedures { get; } = [];

    public List<Fact<MedicationUse>> Medications { get; } = [];

    public void Add(FactKind kind, Fact<Interval> fact) => ListOf(Intervals, kind).Add(fact);

    public void Add(FactKind kind, Fact<int> fact) => ListOf(Integers, kind).Add(fact);

    public void Add(FactKind kind, Fact<bool> fact) => ListOf(Booleans, kind).Add(fact);

    /// <summary>What was gathered from one resource, empty lists left out (a collector per resource).</summary>
    public ResourceFacts Export(List<DataProblem> resourceProblems, bool live) => new()
    {
        BirthDate = BirthDate,
        Conditions = NullIfEmpty(Conditions),
        PrimarySites = NullIfEmpty(PrimarySites),
        Differentiation = NullIfEmpty(Differentiation),
        Ki67 = NullIfEmpty(Ki67),
        MitoticCount = NullIfEmpty(MitoticCount),
        ChromograninA = NullIfEmpty(ChromograninA),
        Intervals = Intervals.Count > 0 ? Intervals : null,
        Integers = Integers.Count > 0 ? Integers : null,
        Booleans = Booleans.Count > 0 ? Booleans : null,
        DiseaseStatus = NullIfEmpty(DiseaseStatus),
        LesionDistribution = NullIfEmpty(LesionDistribution),
        PortalVein = NullIfEmpty(PortalVein),
        ExtrahepaticDisease = NullIfEmpty(ExtrahepaticDisease),
        Procedures = NullIfEmpty(Procedures),
        Medications = NullIfEmpty(Medications),
        Problems = NullIfEmpty(resourceProblems),
        Live = live,
    };

    /// <summary>Adds one resource's facts (in resource order: the order settling sees is the order of the record).</summary>
    public void Import(ResourceFacts facts)
    {
        BirthDate = facts.BirthDate ?? BirthDate;
        Conditions.AddRange(facts.Conditions ?? []);
        PrimarySites.AddRange(facts.PrimarySites ?? []);
        Differentiation.AddRange(facts.Differentiation ?? []);
        Ki67.AddRange(facts.Ki67 ?? []);
        MitoticCount.AddRange(facts.MitoticCount ?? []);
        ChromograninA.AddRange(facts.ChromograninA ?? []);
        foreach (var (kind, values) in facts.Intervals ?? [])
        {
            ListOf(Intervals, kind).AddRange(values);
        }

        foreach (var (kind, values) in facts.Integers ?? [])
        {
            ListOf(Integers, kind).AddRange(values);
        }

        foreach (var (kind, values) in facts.Booleans ?? [])
        {
            ListOf(Booleans, kind).AddRange(values);
        }

        DiseaseStatus.AddRange(facts.DiseaseStatus ?? []);
        LesionDistribution.AddRange(facts.LesionDistribution ?? []);
        PortalVein.AddRange(facts.PortalVein ?? []);
        ExtrahepaticDisease.AddRange(facts.ExtrahepaticDisease ?? []);
        Procedures.AddRange(facts.Procedures ?? []);
        Medications.AddRange(facts.Medications ?? []);
    }

    private static List<T>? NullIfEmpty<T>(List<T> list) => list.Count > 0 ? list : null;

    public PatientFacts Build(string? patient) => new()
    {
        Patient = patient,
        BirthDate = BirthDate,
        Conditions = Distinct(Conditions),
        PrimarySites = Settle(PrimarySites, "primary site"),
        Differentiation = Settle(Differentiation, "differentiation"),
        Ki67 = SettlePathology(Ki67, "Ki-67"),
        MitoticCount = SettlePathology(MitoticCount, "mitotic count"),
        ChromograninA = SettleChromogranin(ChromograninA),
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
        DiseaseStatus = Settle(DiseaseStatus, "disease status"),
        LesionCount = Quantity(FactKind.LesionCount),
        LargestLesion = Quantity(FactKind.LargestLesion),
        LesionDiameterSum = Quantity(FactKind.LesionDiameterSum),
        TumourBurden = Quantity(FactKind.TumourBurden),
        LesionDistribution = Settle(LesionDistribution, "lesion distribution"),
        PortalVein = Settle(PortalVein, "portal vein status"),
        ExtrahepaticDisease = Settle(ExtrahepaticDisease, "extrahepatic disease"),
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
        Procedures = Distinct(Procedures),
        Medications = Distinct(Medications),
    };

    private static List<T> ListOf<T>(Dictionary<FactKind, List<T>> lists, FactKind kind)
    {
        if (!lists.TryGetValue(kind, out var list))
        {
            lists[kind] = list = [];
        }

        return list;
    }

    private List<Fact<Interval>> Quantity(FactKind kind) => Settle(ListOf(Intervals, kind), kind.ToString());

    private List<Fact<int>> Integer(FactKind kind) => Settle(ListOf(Integers, kind), kind.ToString());

    private List<Fact<bool>> Boolean(FactKind kind) => Settle(ListOf(Booleans, kind), kind.ToString());

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

using System.Text.Json.Serialization;
using NetCds.Domain.Facts;

namespace NetCds.Fhir.Mapping;

/// <summary>
/// What one resource contributes to its patient's facts, and the problems it raised: the unit of the patient's fact
/// state (issue 10, "map once"). Derived when the resource is accepted and kept beside it, so a recompute merges
/// these and runs the engine instead of parsing and mapping the whole record. Merging the resources' facts gives
/// exactly what mapping them together gives (<see cref="FactMapper.Merge"/>): duplicates and conflicts between
/// resources are settled only then (<see cref="FactSettling"/>). The readers gather into it as they read; kept, empty
/// collections are left out (<see cref="FactStateJson"/>).
/// </summary>
public sealed record ResourceFacts
{
    public Fact<DateOnly>? BirthDate { get; set; }

    public List<Fact<ConditionKind>> Conditions { get; set; } = [];

    public List<Fact<PrimarySite>> PrimarySites { get; set; } = [];

    public List<Fact<Differentiation>> Differentiation { get; set; } = [];

    public List<PathologyValue> Ki67 { get; set; } = [];

    public List<PathologyValue> MitoticCount { get; set; } = [];

    public List<ChromograninMeasurement> ChromograninA { get; set; } = [];

    public Dictionary<FactKind, List<Fact<Interval>>> Intervals { get; set; } = [];

    public Dictionary<FactKind, List<Fact<int>>> Integers { get; set; } = [];

    public Dictionary<FactKind, List<Fact<bool>>> Booleans { get; set; } = [];

    public List<Fact<DiseaseStatus>> DiseaseStatus { get; set; } = [];

    public List<Fact<LesionDistribution>> LesionDistribution { get; set; } = [];

    public List<Fact<PortalVeinStatus>> PortalVein { get; set; } = [];

    public List<Fact<ExtrahepaticDisease>> ExtrahepaticDisease { get; set; } = [];

    public List<Fact<ProcedureKind>> Procedures { get; set; } = [];

    public List<Fact<MedicationUse>> Medications { get; set; } = [];

    /// <summary>What in the resource was not used as given.</summary>
    public List<DataProblem> Problems { get; set; } = [];

    /// <summary>
    /// The facts depend on more than the resource: on the evaluation instant (a date after it, a planned procedure
    /// dated "now") or on another resource (a referenced Medication). Such facts are mapped again at every
    /// evaluation and never kept.
    /// </summary>
    [JsonIgnore]
    public bool Live { get; set; }

    internal void Add(FactKind kind, Fact<Interval> fact) => ListOf(Intervals, kind).Add(fact);

    internal void Add(FactKind kind, Fact<int> fact) => ListOf(Integers, kind).Add(fact);

    internal void Add(FactKind kind, Fact<bool> fact) => ListOf(Booleans, kind).Add(fact);

    private static List<T> ListOf<T>(Dictionary<FactKind, List<T>> lists, FactKind kind)
    {
        if (!lists.TryGetValue(kind, out var list))
        {
            lists[kind] = list = [];
        }

        return list;
    }
}

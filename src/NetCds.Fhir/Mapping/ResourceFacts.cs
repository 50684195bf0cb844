using System.Text.Json.Serialization;
using NetCds.Domain.Facts;

namespace NetCds.Fhir.Mapping;

/// <summary>
/// What one resource contributes to its patient's facts, and the problems it raised: the unit of the patient's fact
/// state (issue 10, "map once"). Derived when the resource is accepted and kept beside it, so a recompute merges
/// these and runs the engine instead of parsing and mapping the whole record. Merging the resources' facts gives
/// exactly what mapping them together gives (<see cref="FactMapper.Merge"/>): duplicates and conflicts between
/// resources are settled only then.
/// </summary>
public sealed record ResourceFacts
{
    public Fact<DateOnly>? BirthDate { get; init; }

    public List<Fact<ConditionKind>>? Conditions { get; init; }

    public List<Fact<PrimarySite>>? PrimarySites { get; init; }

    public List<Fact<Differentiation>>? Differentiation { get; init; }

    public List<PathologyValue>? Ki67 { get; init; }

    public List<PathologyValue>? MitoticCount { get; init; }

    public List<ChromograninMeasurement>? ChromograninA { get; init; }

    public Dictionary<FactKind, List<Fact<Interval>>>? Intervals { get; init; }

    public Dictionary<FactKind, List<Fact<int>>>? Integers { get; init; }

    public Dictionary<FactKind, List<Fact<bool>>>? Booleans { get; init; }

    public List<Fact<DiseaseStatus>>? DiseaseStatus { get; init; }

    public List<Fact<LesionDistribution>>? LesionDistribution { get; init; }

    public List<Fact<PortalVeinStatus>>? PortalVein { get; init; }

    public List<Fact<ExtrahepaticDisease>>? ExtrahepaticDisease { get; init; }

    public List<Fact<ProcedureKind>>? Procedures { get; init; }

    public List<Fact<MedicationUse>>? Medications { get; init; }

    /// <summary>What in the resource was not used as given.</summary>
    public List<DataProblem>? Problems { get; init; }

    /// <summary>
    /// The facts depend on more than the resource: on the evaluation instant (a date after it, a planned procedure
    /// dated "now") or on another resource (a referenced Medication). Such facts are mapped again at every
    /// evaluation and never kept.
    /// </summary>
    [JsonIgnore]
    public bool Live { get; init; }
}

namespace NetCds.Domain.Facts;

/// <summary>
/// Everything known about one patient, as read from the record: every value with its date and source.
/// Lists hold every usable observation (the FHIR layer has already dropped preliminary, cancelled and
/// entered-in-error data); choosing the newest, the trend or the grade is the job of <see cref="Derived.DerivedFacts"/>.
/// Values are in the canonical unit named on each property; quantities are <see cref="Interval"/>s, so a value
/// reported with a comparator or as a range keeps its meaning all the way to the card.
/// </summary>
public sealed record PatientFacts
{
    public static PatientFacts Empty { get; } = new();

    /// <summary>FHIR logical reference of the patient, e.g. <c>Patient/123</c>. Never logged.</summary>
    public string? Patient { get; init; }

    public Fact<DateOnly>? BirthDate { get; init; }

    public IReadOnlyList<Fact<ConditionKind>> Conditions { get; init; } = [];

    public IReadOnlyList<Fact<PrimarySite>> PrimarySites { get; init; } = [];

    public IReadOnlyList<Fact<Differentiation>> Differentiation { get; init; } = [];

    /// <summary>Ki-67 index, %.</summary>
    public IReadOnlyList<PathologyValue> Ki67 { get; init; } = [];

    /// <summary>Mitoses per 10 HPF (per 2 mm², taken as equivalent).</summary>
    public IReadOnlyList<PathologyValue> MitoticCount { get; init; } = [];

    public IReadOnlyList<ChromograninMeasurement> ChromograninA { get; init; } = [];

    /// <summary>Urinary 5-HIAA, µmol/24 h.</summary>
    public IReadOnlyList<Fact<Interval>> Urinary5Hiaa { get; init; } = [];

    /// <summary>Total bilirubin, mg/dL.</summary>
    public IReadOnlyList<Fact<Interval>> Bilirubin { get; init; } = [];

    /// <summary>Albumin, g/dL.</summary>
    public IReadOnlyList<Fact<Interval>> Albumin { get; init; } = [];

    public IReadOnlyList<Fact<Interval>> Inr { get; init; } = [];

    /// <summary>Serum creatinine, mg/dL.</summary>
    public IReadOnlyList<Fact<Interval>> Creatinine { get; init; } = [];

    /// <summary>Creatinine clearance or eGFR, mL/min (per 1.73 m² for eGFR).</summary>
    public IReadOnlyList<Fact<Interval>> CreatinineClearance { get; init; } = [];

    /// <summary>Platelets, 10⁹/L.</summary>
    public IReadOnlyList<Fact<Interval>> Platelets { get; init; } = [];

    /// <summary>Neutrophils, 10⁹/L.</summary>
    public IReadOnlyList<Fact<Interval>> Neutrophils { get; init; } = [];

    /// <summary>Haemoglobin, g/dL.</summary>
    public IReadOnlyList<Fact<Interval>> Haemoglobin { get; init; } = [];

    /// <summary>White cells, 10⁹/L.</summary>
    public IReadOnlyList<Fact<Interval>> WhiteCellCount { get; init; } = [];

    public IReadOnlyList<Fact<int>> Ecog { get; init; } = [];

    public IReadOnlyList<Fact<int>> Karnofsky { get; init; } = [];

    public IReadOnlyList<Fact<DiseaseStatus>> DiseaseStatus { get; init; } = [];

    public IReadOnlyList<Fact<Interval>> LesionCount { get; init; } = [];

    /// <summary>Largest liver lesion, cm.</summary>
    public IReadOnlyList<Fact<Interval>> LargestLesion { get; init; } = [];

    /// <summary>Sum of target lesion diameters, cm: the series the morphological course is read from.</summary>
    public IReadOnlyList<Fact<Interval>> LesionDiameterSum { get; init; } = [];

    /// <summary>Hepatic tumour burden, % of liver volume replaced.</summary>
    public IReadOnlyList<Fact<Interval>> TumourBurden { get; init; } = [];

    public IReadOnlyList<Fact<LesionDistribution>> LesionDistribution { get; init; } = [];

    public IReadOnlyList<Fact<PortalVeinStatus>> PortalVein { get; init; } = [];

    public IReadOnlyList<Fact<ExtrahepaticDisease>> ExtrahepaticDisease { get; init; } = [];

    public IReadOnlyList<Fact<bool>> BoneMetastases { get; init; } = [];

    public IReadOnlyList<Fact<bool>> LesionNearMajorVessel { get; init; } = [];

    public IReadOnlyList<Fact<bool>> LesionNearVitalStructure { get; init; } = [];

    public IReadOnlyList<Fact<bool>> LesionAtHilum { get; init; } = [];

    /// <summary>Somatostatin-receptor imaging uptake, Krenning score 0-4.</summary>
    public IReadOnlyList<Fact<int>> SstrUptake { get; init; } = [];

    public IReadOnlyList<Fact<bool>> MibgUptake { get; init; } = [];

    /// <summary>Tc-99m MAA lung shunt fraction, %.</summary>
    public IReadOnlyList<Fact<Interval>> LungShuntFraction { get; init; } = [];

    /// <summary>Surgical assessment: % of the liver tumour that can be resected and/or ablated.</summary>
    public IReadOnlyList<Fact<Interval>> ResectableFraction { get; init; } = [];

    public IReadOnlyList<Fact<bool>> FutureLiverRemnantAdequate { get; init; } = [];

    /// <summary>Primary tumour size, cm (for the pancreatic primary and MEN1 notes).</summary>
    public IReadOnlyList<Fact<Interval>> PrimaryTumourSize { get; init; } = [];

    /// <summary>Completed procedures, and planned ones for <see cref="ProcedureKind.PlannedExenteration"/>.</summary>
    public IReadOnlyList<Fact<ProcedureKind>> Procedures { get; init; } = [];

    public IReadOnlyList<Fact<MedicationUse>> Medications { get; init; } = [];
}

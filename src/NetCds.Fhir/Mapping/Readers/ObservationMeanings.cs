using NetCds.Domain.Facts;

namespace NetCds.Fhir.Mapping.Readers;

/// <summary>Converts a value in the given unit into the fact's canonical unit; false when the unit cannot be used.</summary>
internal delegate bool Conversion(decimal value, string? unit, out decimal result);

/// <summary>How an Observation value is read for one meaning.</summary>
internal enum ValueShape
{
    /// <summary>A Quantity (comparator kept), an integer, or a Range: read as an <see cref="Interval"/>.</summary>
    Quantity,

    /// <summary>A whole-number score (ECOG, Karnofsky, Krenning): only an exact value can be used.</summary>
    Score,

    Boolean,

    /// <summary>A CodeableConcept whose meaning is in the map's <c>values</c> section.</summary>
    Coded,

    /// <summary>Chromogranin A: a Quantity kept in its unit family, with its upper reference limit and assay.</summary>
    Chromogranin,
}

/// <summary>One row of the table from a terminology meaning to the fact it supplies.</summary>
/// <param name="Kind">The fact.</param>
/// <param name="Shape">How its value is read.</param>
internal sealed record ObservationMeaning(FactKind Kind, ValueShape Shape)
{
    /// <summary>The display unit the fact carries (its canonical unit), when it has one.</summary>
    public string? Unit { get; init; }

    /// <summary>Into the canonical unit; applied to each bound of an interval (every conversion here is increasing).</summary>
    public Conversion Convert { get; init; } = NoUnit;

    /// <summary>The units accepted, as the data problem names them.</summary>
    public string Accepted { get; init; } = "";

    /// <summary>Every bound must be a percentage, 0-100.</summary>
    public bool Percent { get; init; }

    /// <summary>Every bound (or the score) must be a whole number in this range.</summary>
    public (int Min, int Max)? Whole { get; init; }

    /// <summary>For <see cref="ValueShape.Coded"/>: parses the value meaning's name and adds the fact (effective, source); false when it is no such value.</summary>
    public Func<ResourceFacts, string, DateTimeOffset, string, bool>? AddCoded { get; init; }

    /// <summary>For <see cref="ValueShape.Chromogranin"/>: the unit family the code promises.</summary>
    public ChromograninUnit? Family { get; init; }

    /// <summary>The value section prefix of coded values, e.g. <c>PortalVein</c> for <c>PortalVein.Patent</c>.</summary>
    public string ValuePrefix => Kind.ToString();

    private static bool NoUnit(decimal value, string? unit, out decimal result)
    {
        result = value;
        return true;
    }
}

/// <summary>
/// The table from each observation meaning of the terminology map (<c>observations</c> section) to its fact kind,
/// canonical unit and converter. Meanings not listed (<c>Serotonin</c>, the <c>LiverImagingPanel</c> itself) are
/// recognised but feed no rule.
/// </summary>
internal static class ObservationMeanings
{
    private static readonly Conversion Percent = (decimal value, string? unit, out decimal result) =>
    {
        result = value;
        return Units.Normalise(unit) == Units.Percent;
    };

    private static readonly Conversion Centimetres = (decimal value, string? unit, out decimal result) => Units.TryConvert(value, unit, Units.Centimetre, out result);

    private static readonly Conversion GramsPerDecilitre = (decimal value, string? unit, out decimal result) => Units.TryConvert(value, unit, Units.GramPerDecilitre, out result);

    private static readonly Conversion PerNanolitre = (decimal value, string? unit, out decimal result) => Units.TryConvert(value, unit, Units.PerNanolitre, out result);

    private static readonly Conversion Ratio = (decimal value, string? unit, out decimal result) =>
    {
        result = value;
        return Units.IsRatio(unit);
    };

    private static readonly Conversion Mitoses = (decimal value, string? unit, out decimal result) =>
    {
        result = value;
        return Units.IsMitoticUnit(unit);
    };

    private static ObservationMeaning Percentage(FactKind kind) =>
        new(kind, ValueShape.Quantity) { Unit = Units.Percent, Convert = Percent, Accepted = "a percentage (%)", Percent = true };

    private static ObservationMeaning Length(FactKind kind) =>
        new(kind, ValueShape.Quantity) { Unit = Units.Centimetre, Convert = Centimetres, Accepted = "cm or mm" };

    private static ObservationMeaning Count(FactKind kind) =>
        new(kind, ValueShape.Quantity) { Unit = Units.PerNanolitre, Convert = PerNanolitre, Accepted = "10*9/L or 10*3/uL" };

    private static ObservationMeaning Score(FactKind kind, int min, int max) => new(kind, ValueShape.Score) { Whole = (min, max) };

    private static ObservationMeaning Flag(FactKind kind) => new(kind, ValueShape.Boolean);

    private static ObservationMeaning Coded<T>(FactKind kind, Func<ResourceFacts, List<Fact<T>>> list)
        where T : struct, Enum => new(kind, ValueShape.Coded)
        {
            AddCoded = (facts, name, effective, source) =>
            {
                if (!Enum.TryParse<T>(name, out var parsed))
                {
                    return false;
                }

                list(facts).Add(new Fact<T>(parsed, effective, source));
                return true;
            },
        };

    private static ObservationMeaning Chromogranin(ChromograninUnit family, string unit, string accepted) => new(FactKind.ChromograninA, ValueShape.Chromogranin)
    {
        Unit = unit,
        Convert = (decimal value, string? from, out decimal result) => Units.TryConvert(value, from, unit, out result),
        Accepted = accepted,
        Family = family,
    };

    public static IReadOnlyDictionary<string, ObservationMeaning> All { get; } = new Dictionary<string, ObservationMeaning>(StringComparer.Ordinal)
    {
        ["Ki67"] = Percentage(FactKind.Ki67),
        ["MitoticCount"] = new(FactKind.MitoticCount, ValueShape.Quantity) { Convert = Mitoses, Accepted = "mitotic count (per 10 HPF or per 2 mm²)" },
        ["ChromograninA.Mass"] = Chromogranin(ChromograninUnit.MassConcentration, "ng/mL", "ng/mL or µg/L for LOINC 9811-1"),
        ["ChromograninA.Substance"] = Chromogranin(ChromograninUnit.SubstanceConcentration, "nmol/L", "nmol/L for LOINC 25587-7"),
        ["ChromograninA.Units"] = Chromogranin(ChromograninUnit.ArbitraryUnits, "U/L", "U/L for LOINC 30169-7"),
        ["Urinary5Hiaa"] = new(FactKind.Urinary5Hiaa, ValueShape.Quantity) { Unit = "umol/24h", Convert = Units.TryUrinary5Hiaa, Accepted = "µmol/24 h or mg/24 h" },

        // EMB-LIVER / SIRT-LIVER thresholds are in mg/dL; µmol/L is converted at 17.1 µmol/L per mg/dL (catalogue).
        ["Bilirubin"] = new(FactKind.Bilirubin, ValueShape.Quantity) { Unit = Units.MilligramPerDecilitre, Convert = Units.TryBilirubin, Accepted = "mg/dL or µmol/L" },
        ["Albumin"] = new(FactKind.Albumin, ValueShape.Quantity) { Unit = Units.GramPerDecilitre, Convert = GramsPerDecilitre, Accepted = "g/dL or g/L" },
        ["Creatinine"] = new(FactKind.Creatinine, ValueShape.Quantity) { Unit = Units.MilligramPerDecilitre, Convert = Units.TryCreatinine, Accepted = "mg/dL or µmol/L" },
        ["CreatinineClearance"] = new(FactKind.CreatinineClearance, ValueShape.Quantity) { Unit = Units.MillilitrePerMinute, Convert = Units.TryClearance, Accepted = "mL/min or mL/min/1.73 m²" },
        ["Platelets"] = Count(FactKind.Platelets),
        ["Neutrophils"] = Count(FactKind.Neutrophils),
        ["WhiteCellCount"] = Count(FactKind.WhiteCellCount),
        ["Haemoglobin"] = new(FactKind.Haemoglobin, ValueShape.Quantity) { Unit = Units.GramPerDecilitre, Convert = GramsPerDecilitre, Accepted = "g/dL or g/L" },
        ["Inr"] = new(FactKind.Inr, ValueShape.Quantity) { Convert = Ratio, Accepted = "INR (a ratio without unit)" },

        // Scores are ordinal: "ECOG < 2" or a range of scores cannot be placed on one grade, so only exact values count.
        ["Ecog"] = Score(FactKind.Ecog, 0, 5),
        ["Karnofsky"] = Score(FactKind.Karnofsky, 0, 100),
        ["SstrUptake"] = Score(FactKind.SstrUptake, 0, 4),

        // A lesion count is a count, not a score: "> 10 lesions" is a usable interval for ABL-COUNT and RES-IDEAL.
        ["LesionCount"] = new(FactKind.LesionCount, ValueShape.Quantity) { Whole = (0, 10_000) },
        ["LargestLesion"] = Length(FactKind.LargestLesion),
        ["LesionDiameterSum"] = Length(FactKind.LesionDiameterSum),
        ["PrimaryTumourSize"] = Length(FactKind.PrimaryTumourSize),
        ["TumourBurden"] = Percentage(FactKind.TumourBurden),
        ["LungShuntFraction"] = Percentage(FactKind.LungShuntFraction),
        ["ResectableFraction"] = Percentage(FactKind.ResectableFraction),
        ["BoneMetastases"] = Flag(FactKind.BoneMetastases),
        ["LesionNearMajorVessel"] = Flag(FactKind.LesionNearMajorVessel),
        ["LesionNearVitalStructure"] = Flag(FactKind.LesionNearVitalStructure),
        ["LesionAtHilum"] = Flag(FactKind.LesionAtHilum),
        ["MibgUptake"] = Flag(FactKind.MibgUptake),
        ["FutureLiverRemnantAdequate"] = Flag(FactKind.FutureLiverRemnantAdequate),
        ["Differentiation"] = Coded(FactKind.Differentiation, f => f.Differentiation),
        ["DiseaseStatus"] = Coded(FactKind.DiseaseStatus, f => f.DiseaseStatus),
        ["LesionDistribution"] = Coded(FactKind.LesionDistribution, f => f.LesionDistribution),
        ["PortalVein"] = Coded(FactKind.PortalVein, f => f.PortalVein),
        ["ExtrahepaticDisease"] = Coded(FactKind.ExtrahepaticDisease, f => f.ExtrahepaticDisease),
    };
}

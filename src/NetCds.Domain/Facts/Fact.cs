namespace NetCds.Domain.Facts;

/// <summary>
/// One observed value with where it came from, so a card can cite the resource and its date.
/// </summary>
/// <param name="Value">The value in the domain's canonical unit (see <see cref="FactKind"/>).</param>
/// <param name="Effective">When the value was true (Observation.effective, Condition.onset/recordedDate, ...).</param>
/// <param name="Source">The FHIR reference it was read from, e.g. <c>Observation/ki67-1</c>.</param>
/// <param name="Unit">Display unit of <paramref name="Value"/>, when it has one.</param>
public sealed record Fact<T>(T Value, DateTimeOffset Effective, string Source, string? Unit = null)
{
    public override string ToString() => Unit is null ? $"{Value}" : $"{Value} {Unit}";
}

/// <summary>A pathology value tied to the specimen it was measured on (grade is decided per specimen).</summary>
public sealed record PathologyValue(Interval Value, DateTimeOffset Effective, string Source, string? Specimen = null);

/// <summary>How a chromogranin A result is expressed. Mass and U/L assays are never converted into each other.</summary>
public enum ChromograninUnit
{
    /// <summary>ng/mL (= µg/L), LOINC 9811-1.</summary>
    MassConcentration,

    /// <summary>nmol/L, LOINC 25587-7.</summary>
    SubstanceConcentration,

    /// <summary>U/L immunoassay units, LOINC 30169-7.</summary>
    ArbitraryUnits,
}

/// <param name="Value">Value in the reported unit (an interval when reported with a comparator or as a range).</param>
/// <param name="Unit">The unit family.</param>
/// <param name="UpperReferenceLimit">referenceRange.high in the same unit, used for multiples of the ULN.</param>
/// <param name="Assay">Method or kit, when reported: values are compared directly only within one assay.</param>
public sealed record ChromograninMeasurement(
    Interval Value,
    ChromograninUnit Unit,
    decimal? UpperReferenceLimit,
    DateTimeOffset Effective,
    string Source,
    string? Assay = null);

/// <summary>Where the primary tumour arose (002 Table 2; 001).</summary>
public enum PrimarySite
{
    Pancreas,
    Stomach,
    Duodenum,

    /// <summary>Jejunum/ileum and unspecified midgut.</summary>
    SmallIntestine,
    Appendix,
    Colon,
    Rectum,
    Lung,
    OtherExtraAbdominal,

    /// <summary>A documented carcinoma of unknown primary: known to be unknown (not the same as not recorded).</summary>
    UnknownPrimary,
}

public enum Differentiation
{
    Well,
    Poorly,
}

public enum LesionDistribution
{
    Unilobar,
    Bilobar,
}

/// <summary>Portal vein on imaging; <see cref="ThrombosisExtentUnknown"/> when only a thrombosis diagnosis is recorded.</summary>
public enum PortalVeinStatus
{
    Patent,
    PartialThrombosis,
    CompleteThrombosis,
    ThrombosisExtentUnknown,
}

public enum ExtrahepaticDisease
{
    None,
    LimitedStable,
    Unresectable,
}

/// <summary>mCODE cancer disease status (LOINC 97509-4).</summary>
public enum DiseaseStatus
{
    Improved,
    Stable,
    Worsened,
    Undetermined,
}

/// <summary>Diagnoses the rules look for, beyond the tumour itself.</summary>
public enum ConditionKind
{
    LiverMetastases,
    CarcinoidSyndrome,
    CarcinoidHeartDisease,
    ZollingerEllison,
    Insulinoma,
    Glucagonoma,
    Vipoma,
    OtherHormonalSyndrome,
    Men1,
    PortalVeinThrombosis,
    Cirrhosis,

    /// <summary>Liver failure, hepatic encephalopathy or ascites.</summary>
    LiverFailure,
    RenalFailure,
    Coagulopathy,

    /// <summary>Biliary-enteric anastomosis or Whipple status.</summary>
    BiliaryEntericAnastomosis,

    /// <summary>
    /// Acquired partial absence of the pancreas (ICD-10-CM Z90.411): after a Whipple (with a biliary-enteric
    /// anastomosis) or a distal pancreatectomy (without one); the code does not say which (EMB-BILIARY).
    /// </summary>
    PartialAbsenceOfPancreas,
    AtrophicGastritis,
}

public enum ProcedureKind
{
    PrimaryTumourResection,

    /// <summary>Planned major abdominal resection (exenteration, Whipple) alongside a transplant.</summary>
    PlannedExenteration,
    LiverResection,
    ThermalAblation,
    Tae,
    Tace,
    Sirt,

    /// <summary>Peptide receptor radionuclide therapy given (an earlier treatment of the NET for LT-LAST).</summary>
    Prrt,
}

public enum MedicationKind
{
    SomatostatinAnalogue,
    ProtonPumpInhibitor,
    Everolimus,
    Sunitinib,
    Chemotherapy,
}

/// <summary>A course of a drug; the fact's <c>Effective</c> is its start.</summary>
/// <param name="Kind">What the drug is.</param>
/// <param name="Active">True while the patient is taking it; false for a past course.</param>
/// <param name="End">When the course ended, when recorded (EVE-FAILED, SUN-FAILED, SSA-FAILED read progression before it).</param>
/// <param name="Drug">The drug as the record names it (e.g. "octreotide"), when it does: cards name the drug (SSA-FAILED).</param>
public sealed record MedicationUse(MedicationKind Kind, bool Active, DateTimeOffset? End = null, string? Drug = null)
{
    /// <summary>The drug's name when recorded, else what kind of drug it is, in words.</summary>
    public string Name => Drug ?? Kind switch
    {
        MedicationKind.SomatostatinAnalogue => "a somatostatin analogue",
        MedicationKind.ProtonPumpInhibitor => "a proton-pump inhibitor",
        MedicationKind.Chemotherapy => "chemotherapy",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    public override string ToString() => $"{Drug ?? Kind.ToString()} ({(Active ? "active" : "past")})";
}

namespace NetCds.Domain.Facts;

/// <summary>
/// Every input the rule catalogue names. Used to cite inputs on a card and to name what is missing;
/// the FHIR layer maps each to the codes that supply it.
/// </summary>
public enum FactKind
{
    BirthDate,
    LiverMetastases,
    PrimarySite,
    PrimaryTumourSize,
    Differentiation,
    Ki67,
    MitoticCount,
    ChromograninA,
    Urinary5Hiaa,
    Bilirubin,
    Albumin,
    Inr,
    Creatinine,
    CreatinineClearance,
    Platelets,
    Neutrophils,
    Haemoglobin,
    WhiteCellCount,
    Ecog,
    Karnofsky,
    DiseaseStatus,
    LesionCount,
    LargestLesion,
    LesionDiameterSum,
    TumourBurden,
    LesionDistribution,
    PortalVein,
    ExtrahepaticDisease,
    BoneMetastases,
    LesionNearMajorVessel,
    LesionNearVitalStructure,
    LesionAtHilum,
    SstrUptake,
    MibgUptake,
    LungShuntFraction,
    ResectableFraction,
    FutureLiverRemnantAdequate,
    Condition,
    PrimaryResection,
    PlannedExenteration,
    Medication,

    /// <summary>An earlier treatment of the NET: a liver-directed procedure or PRRT (LT-LAST).</summary>
    PriorTreatment,
}

/// <summary>The order a clinician would place to supply a missing input (catalogue, "Data the service asks for").</summary>
public enum ClinicalOrder
{
    Ki67Immunohistochemistry,
    MitoticCount,

    /// <summary>Pathology review stating well or poorly differentiated morphology.</summary>
    DifferentiationReview,
    SstrImaging,
    LiverImaging,
    MaaShuntStudy,
    ChromograninA,
    LiverPanel,
    RenalFunction,
    BloodCount,
    PerformanceStatus,
    HepatobiliarySurgicalAssessment,
    MibgScintigraphy,

    /// <summary>Diagnosis, primary site and prior procedures documented in the record.</summary>
    TumourBoardDocumentation,
    MdtReferral,
}

public static class FactOrders
{
    /// <summary>The one order that supplies each fact when it is missing.</summary>
    public static ClinicalOrder OrderFor(FactKind fact) => fact switch
    {
        FactKind.Ki67 => ClinicalOrder.Ki67Immunohistochemistry,
        FactKind.MitoticCount => ClinicalOrder.MitoticCount,
        FactKind.Differentiation => ClinicalOrder.DifferentiationReview,
        FactKind.SstrUptake => ClinicalOrder.SstrImaging,
        FactKind.BoneMetastases => ClinicalOrder.SstrImaging,
        FactKind.MibgUptake => ClinicalOrder.MibgScintigraphy,
        FactKind.LungShuntFraction => ClinicalOrder.MaaShuntStudy,
        FactKind.ChromograninA => ClinicalOrder.ChromograninA,
        FactKind.Bilirubin or FactKind.Albumin or FactKind.Inr => ClinicalOrder.LiverPanel,
        FactKind.Creatinine or FactKind.CreatinineClearance => ClinicalOrder.RenalFunction,
        FactKind.Platelets or FactKind.Neutrophils or FactKind.Haemoglobin or FactKind.WhiteCellCount => ClinicalOrder.BloodCount,
        FactKind.Ecog or FactKind.Karnofsky => ClinicalOrder.PerformanceStatus,
        FactKind.ResectableFraction or FactKind.FutureLiverRemnantAdequate => ClinicalOrder.HepatobiliarySurgicalAssessment,
        FactKind.LiverMetastases or FactKind.LesionCount or FactKind.LargestLesion or FactKind.LesionDiameterSum
            or FactKind.TumourBurden or FactKind.LesionDistribution or FactKind.PortalVein
            or FactKind.ExtrahepaticDisease or FactKind.LesionNearMajorVessel or FactKind.LesionNearVitalStructure
            or FactKind.LesionAtHilum or FactKind.DiseaseStatus or FactKind.PrimaryTumourSize => ClinicalOrder.LiverImaging,
        FactKind.BirthDate or FactKind.PrimarySite or FactKind.PrimaryResection or FactKind.PlannedExenteration or FactKind.Condition
            or FactKind.Medication or FactKind.PriorTreatment => ClinicalOrder.TumourBoardDocumentation,
        FactKind.Urinary5Hiaa => ClinicalOrder.ChromograninA,
        _ => ClinicalOrder.MdtReferral,
    };
}

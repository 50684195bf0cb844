using NetCds.Domain.Facts;
using NetCds.Fhir.Terminology;

namespace NetCds.Fhir.Reporting;

/// <summary>How facts and orders are named outside the engine: JSON names, the code that supplies a fact, order texts.</summary>
public static class FactNames
{
    public static string Json(FactKind fact) => char.ToLowerInvariant(fact.ToString()[0]) + fact.ToString()[1..];

    /// <summary>The fact in words, as a clinician names it (the MDT view's labels); imaging findings say where they come from.</summary>
    public static string Text(FactKind fact) => fact switch
    {
        FactKind.BirthDate => "Age",
        FactKind.LiverMetastases => "Diagnosis of liver metastases",
        FactKind.PrimarySite => "Primary site",
        FactKind.PrimaryTumourSize => "Primary tumour size",
        FactKind.Differentiation => "Differentiation",
        FactKind.Ki67 => "Ki-67",
        FactKind.MitoticCount => "Mitotic count",
        FactKind.ChromograninA => "Chromogranin A",
        FactKind.Urinary5Hiaa => "Urinary 5-HIAA",
        FactKind.Bilirubin => "Bilirubin",
        FactKind.Albumin => "Albumin",
        FactKind.Inr => "INR",
        FactKind.Creatinine => "Creatinine",
        FactKind.CreatinineClearance => "Creatinine clearance",
        FactKind.Platelets => "Platelets",
        FactKind.Neutrophils => "Neutrophils",
        FactKind.Haemoglobin => "Haemoglobin",
        FactKind.WhiteCellCount => "White cell count",
        FactKind.Ecog => "ECOG performance status",
        FactKind.Karnofsky => "Karnofsky performance status",
        FactKind.DiseaseStatus => "Disease status on imaging",
        FactKind.LesionCount => "Liver imaging: number of lesions",
        FactKind.LargestLesion => "Liver imaging: largest lesion",
        FactKind.LesionDiameterSum => "Liver imaging: sum of lesion diameters",
        FactKind.TumourBurden => "Liver imaging: tumour burden",
        FactKind.LesionDistribution => "Liver imaging: distribution",
        FactKind.PortalVein => "Liver imaging: portal vein",
        FactKind.ExtrahepaticDisease => "Imaging: extrahepatic disease",
        FactKind.BoneMetastases => "Imaging: bone metastases",
        FactKind.LesionNearMajorVessel => "Liver imaging: lesion near a major vessel",
        FactKind.LesionNearVitalStructure => "Liver imaging: lesion near a vital structure",
        FactKind.LesionAtHilum => "Liver imaging: lesion at the hilum",
        FactKind.SstrUptake => "SSTR imaging: uptake (Krenning score)",
        FactKind.MibgUptake => "MIBG scintigraphy: uptake",
        FactKind.LungShuntFraction => "MAA study: lung shunt fraction",
        FactKind.ResectableFraction => "Surgical assessment: resectable fraction",
        FactKind.FutureLiverRemnantAdequate => "Surgical assessment: future liver remnant adequate",
        FactKind.Condition => "Diagnosis",
        FactKind.PrimaryResection => "Resection of the primary tumour",
        FactKind.PlannedExenteration => "Planned exenteration",
        FactKind.Medication => "Medication",
        FactKind.PriorTreatment => "Earlier treatment",
        _ => fact.ToString(),
    };

    /// <summary>The first code the terminology map lists for the fact (what an order's result would carry).</summary>
    public static string? CodeFor(FactKind fact, TerminologyMap terminology) => CodesFor(fact, terminology) is { Count: > 0 } codes ? codes[0] : null;

    /// <summary>Every code (system|code) the terminology map lists for the fact: a GuidanceResponse's dataRequirement code filter (issue 21).</summary>
    public static IReadOnlyList<string> CodesFor(FactKind fact, TerminologyMap terminology)
    {
        ArgumentNullException.ThrowIfNull(terminology);
        var (context, meaning) = fact switch
        {
            FactKind.ChromograninA => (CodeContext.Observation, "ChromograninA.Mass"),
            FactKind.LiverMetastases => (CodeContext.Condition, "LiverMetastases"),
            FactKind.PrimarySite => (CodeContext.Condition, "NeuroendocrineTumour"),
            FactKind.PrimaryResection => (CodeContext.Procedure, "PrimaryTumourResection"),
            FactKind.PlannedExenteration => (CodeContext.Procedure, "PlannedExenteration"),
            FactKind.BirthDate or FactKind.Condition or FactKind.Medication or FactKind.PriorTreatment => (CodeContext.Observation, ""),
            _ => (CodeContext.Observation, fact.ToString()),
        };
        return meaning.Length == 0 ? [] : terminology.CodesFor(context, meaning);
    }
}

public static class Orders
{
    public static string Text(ClinicalOrder order) => order switch
    {
        ClinicalOrder.Ki67Immunohistochemistry => "Ki-67 immunohistochemistry",
        ClinicalOrder.MitoticCount => "Mitotic count",
        ClinicalOrder.DifferentiationReview => "Pathology review of tumour differentiation",
        ClinicalOrder.SstrImaging => "SSTR imaging (Ga-68 DOTATATE PET or SRS)",
        ClinicalOrder.LiverImaging => "Cross-sectional liver imaging (CT/MRI): lesion count, size, distribution, burden, portal vein, extrahepatic disease",
        ClinicalOrder.MaaShuntStudy => "Tc-99m MAA shunt study",
        ClinicalOrder.ChromograninA => "Serum chromogranin A",
        ClinicalOrder.LiverPanel => "Liver panel (bilirubin, albumin, INR)",
        ClinicalOrder.RenalFunction => "Renal function (creatinine, eGFR)",
        ClinicalOrder.BloodCount => "Full blood count",
        ClinicalOrder.PerformanceStatus => "Performance status (ECOG)",
        ClinicalOrder.HepatobiliarySurgicalAssessment => "Hepatobiliary surgical assessment",
        ClinicalOrder.MibgScintigraphy => "I-123 MIBG scintigraphy",
        ClinicalOrder.TumourBoardDocumentation => "Document diagnosis, primary site and prior procedures",
        ClinicalOrder.MdtReferral => "MDT referral",
        _ => order.ToString(),
    };
}

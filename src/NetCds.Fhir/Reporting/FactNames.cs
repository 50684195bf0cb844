using NetCds.Domain.Facts;
using NetCds.Fhir.Terminology;

namespace NetCds.Fhir.Reporting;

/// <summary>How facts and orders are named outside the engine: JSON names, the code that supplies a fact, order texts.</summary>
public static class FactNames
{
    public static string Json(FactKind fact) => char.ToLowerInvariant(fact.ToString()[0]) + fact.ToString()[1..];

    /// <summary>The first code the terminology map lists for the fact (what an order's result would carry).</summary>
    public static string? CodeFor(FactKind fact, TerminologyMap terminology)
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
        var codes = terminology.CodesFor(context, meaning);
        return codes.Count > 0 ? codes[0] : null;
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

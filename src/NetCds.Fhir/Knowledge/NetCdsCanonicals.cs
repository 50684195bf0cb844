namespace NetCds.Fhir.Knowledge;

/// <summary>The canonical URLs of what NetCds publishes (fhir-profiles/ and the generated knowledge, issue 21).</summary>
public static class NetCdsCanonicals
{
    public const string Base = "http://netcds.org/fhir";

    /// <summary>Therapy statuses (eligible ... contraindicated) and the non-voting note/technique effects.</summary>
    public const string EligibilityStatus = Base + "/CodeSystem/eligibility-status";

    /// <summary>The orders that supply a missing input (<c>ClinicalOrder</c>, kebab-case).</summary>
    public const string ClinicalOrders = Base + "/CodeSystem/clinical-orders";

    /// <summary>Rule ids of the catalogue (RES-CUR, EMB-LIVER ...); each is defined by an action of its therapy's PlanDefinition.</summary>
    public const string Rules = Base + "/CodeSystem/eligibility-rules";

    public const string GuidanceResponseProfile = Base + "/StructureDefinition/netcds-guidance-response";
    public const string DetectedIssueProfile = Base + "/StructureDefinition/netcds-detected-issue";
    public const string PlanDefinitionProfile = Base + "/StructureDefinition/netcds-plan-definition";

    /// <summary>Extension on DataRequirement: the order that would supply the missing input.</summary>
    public const string SupplyingOrder = Base + "/StructureDefinition/supplying-order";

    /// <summary>Extension on PlanDefinition.action: a status or effect the rule can yield.</summary>
    public const string RuleYields = Base + "/StructureDefinition/rule-yields";

    /// <summary>Extension on PlanDefinition.action: a threshold the rule applies, with the value configured at this site.</summary>
    public const string SiteThreshold = Base + "/StructureDefinition/site-threshold";

    /// <summary>Core R4 extension on OperationOutcome.issue pointing at the DetectedIssue it reports.</summary>
    public const string OperationOutcomeDetectedIssue = "http://hl7.org/fhir/StructureDefinition/operationoutcome-detectedIssue";

    public static string PlanDefinitionUrl(string id) => $"{Base}/PlanDefinition/{id}";
}

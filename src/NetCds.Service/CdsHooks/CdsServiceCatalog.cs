using NetCds.Service.CdsHooks.Contracts;
using NetCds.Service.CdsHooks.Prefetch;

namespace NetCds.Service.CdsHooks;

/// <summary>The services NetCds offers and the hooks each answers.</summary>
public static class CdsServiceCatalog
{
    public const string EligibilityId = "net-liver-mets-eligibility";
    public const string OrderCheckId = "net-order-check";
    public const string PatientView = "patient-view";
    public const string OrderSelect = "order-select";
    public const string OrderSign = "order-sign";

    private const string Usage =
        "Authenticate with a CDS Hooks JWT (RS384 or ES384) from an allow-listed issuer. Prefetch what you can; keys you leave out "
        + "are read from fhirServer with fhirAuthorization (read scopes for Patient, Condition, Observation, Procedure, MedicationStatement, MedicationRequest).";

    /// <summary>The hooks each service id answers (net-order-check is listed once per hook).</summary>
    public static IReadOnlyDictionary<string, string[]> Hooks { get; } = new Dictionary<string, string[]>
    {
        [EligibilityId] = [PatientView],
        [OrderCheckId] = [OrderSelect, OrderSign],
    };

    public static CdsDiscoveryResponse Discovery { get; } = new(
    [
        new CdsServiceDescriptor(PatientView, "NET liver metastases: therapy eligibility",
            "Eligibility of every therapy for neuroendocrine tumour liver metastases (resection, ablation, TAE/TACE, SIRT, transplant, "
            + "SSA, interferon, PRRT, MIBG, everolimus, sunitinib, chemotherapy), with reasons, evidence and the data still missing. For MDT discussion.",
            EligibilityId, PrefetchTemplates.All, Usage),
        new CdsServiceDescriptor(OrderSelect, "NET liver metastases: order check",
            "Checks a liver-directed procedure or NET drug being ordered against the patient's data: contraindications, missing safety data, "
            + "octreotide cover for functioning tumours.",
            OrderCheckId, PrefetchTemplates.All, Usage),
        new CdsServiceDescriptor(OrderSign, "NET liver metastases: order check at signing",
            "The order check, at signing.",
            OrderCheckId, PrefetchTemplates.All, Usage),
    ]);
}

using NetCds.Service.CdsHooks.Contracts;
using NetCds.Service.CdsHooks.Prefetch;

namespace NetCds.Service.CdsHooks;

/// <summary>The services NetCds offers and the hooks each answers.</summary>
public static class CdsServiceCatalog
{
    public const string EligibilityId = Cards.CardBuilder.PatientViewServiceId;
    public const string OrderSelectId = "net-order-select";
    public const string OrderSignId = "net-order-sign";

    /// <summary>The single order-check id of 0.1 (answering both order hooks): kept for one release, then removed.</summary>
    public const string DeprecatedOrderCheckId = "net-order-check";

    public const string PatientView = "patient-view";
    public const string OrderSelect = "order-select";
    public const string OrderSign = "order-sign";

    private const string Usage =
        "Authenticate with a CDS Hooks JWT (RS384 or ES384) from an allow-listed issuer. Prefetch what you can; keys you leave out "
        + "are read from fhirServer with fhirAuthorization (read scopes for Patient, Condition, Observation, Procedure, MedicationStatement, MedicationRequest).";

    private const string OrderCheck =
        "Checks a liver-directed procedure or NET drug being ordered against the patient's data: contraindications, missing safety data, "
        + "octreotide cover for functioning tumours.";

    /// <summary>The hooks each service id answers: one per id, except the deprecated alias, which answers both order hooks.</summary>
    public static IReadOnlyDictionary<string, string[]> Hooks { get; } = new Dictionary<string, string[]>
    {
        [EligibilityId] = [PatientView],
        [OrderSelectId] = [OrderSelect],
        [OrderSignId] = [OrderSign],
        [DeprecatedOrderCheckId] = [OrderSelect, OrderSign],
    };

    /// <summary>
    /// Discovery lists each id once (EHRs key services by id). The deprecated alias is listed once, for order-select,
    /// saying what replaces it; it still answers order-sign calls made to it until it is removed.
    /// </summary>
    public static CdsDiscoveryResponse Discovery { get; } = new(
    [
        new CdsServiceDescriptor(PatientView, "NET liver metastases: therapy eligibility",
            "Eligibility of every therapy for neuroendocrine tumour liver metastases (resection, ablation, TAE/TACE, SIRT, transplant, "
            + "SSA, interferon, PRRT, MIBG, everolimus, sunitinib, chemotherapy), with reasons, evidence and the data still missing. For MDT discussion.",
            EligibilityId, PrefetchTemplates.All, Usage),
        new CdsServiceDescriptor(OrderSelect, "NET liver metastases: order check", OrderCheck, OrderSelectId, PrefetchTemplates.All, Usage),
        new CdsServiceDescriptor(OrderSign, "NET liver metastases: order check at signing", "The order check, at signing. " + OrderCheck,
            OrderSignId, PrefetchTemplates.All, Usage),
        new CdsServiceDescriptor(OrderSelect, "Deprecated: NET liver metastases order check",
            $"Deprecated alias kept for one release: register {OrderSelectId} (order-select) and {OrderSignId} (order-sign) instead. "
            + "Until it is removed it answers both order hooks as before.",
            DeprecatedOrderCheckId, PrefetchTemplates.All, Usage),
    ]);
}

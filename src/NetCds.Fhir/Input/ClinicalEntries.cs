using Hl7.Fhir.Model;

namespace NetCds.Fhir.Input;

/// <summary>
/// The one place that decides which parts of an input carry clinical data (issue 19, deliverable 6), for ingestion
/// (<c>IngestionRequest</c>) and for reading (CDS Hooks prefetch, <c>$evaluate</c>, via
/// <see cref="FhirInput.Resources"/>) alike. Passed over: a searchset's outcome entries, MessageHeaders (message
/// Bundles), Parameters (the SubscriptionStatus of R4 subscription notifications) and OperationOutcomes. A Bundle
/// is a container: its own entries are asked in turn. Whether a clinical resource has a code NetCds uses is another
/// question, answered by <c>DomainRelevance</c>.
/// </summary>
public static class ClinicalEntries
{
    /// <summary>Whether this resource (not a Bundle) is clinical data rather than messaging or status.</summary>
    public static bool IsClinical(Resource resource) => resource is not (MessageHeader or Parameters or OperationOutcome);

    /// <summary>Whether this Bundle entry holds a resource to read: a clinical resource or a nested Bundle.</summary>
    public static bool Carries(Bundle.EntryComponent entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Resource is { } resource
            && entry.Search?.Mode != Bundle.SearchEntryMode.Outcome
            && (resource is Bundle || IsClinical(resource));
    }
}

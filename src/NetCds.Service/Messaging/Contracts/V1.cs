using System.Text.Json;

// Versioned message contracts: small immutable records, ids not entities, events past tense, commands imperative.
// A breaking change gets a new namespace (V2) rather than an edit here.
namespace NetCds.Service.Messaging.Contracts.V1;

/// <summary>
/// Recompute one patient's eligibility from the stored resources (sent after resources for the patient were stored).
/// <paramref name="Generation"/> is the patient's record generation that commit produced: a report already computed
/// from that generation or a later one has seen these resources, so the recompute is skipped (coalescing). Null
/// (messages from before generations existed) always recomputes.
/// </summary>
public sealed record RecomputeEligibility(string Patient, DateTimeOffset RequestedAt, long? Generation = null);

/// <summary>FHIR JSON (a resource or a Bundle) sent as a MassTransit message by a .NET client.</summary>
public sealed record FhirResourceSubmitted(string Json, string? Source = null);

/// <summary>
/// A raw FHIR JSON document (a resource or a Bundle) published straight to the <c>netcds-fhir-raw</c> exchange by an
/// integration engine, body = the FHIR JSON itself, content type application/json: every top-level member is captured.
/// </summary>
public sealed record RawFhirJson
{
    [System.Text.Json.Serialization.JsonExtensionData]
    public Dictionary<string, JsonElement> Content { get; init; } = [];
}

/// <summary>
/// A Subscriptions Backport notification Bundle accepted from an EHR (FHIR JSON, as received): acknowledged once
/// this is in the outbox; reading the focus resources and closing gaps happens when it is consumed.
/// </summary>
public sealed record SubscriptionNotificationReceived(string Subscription, string Json, DateTimeOffset ReceivedAt);

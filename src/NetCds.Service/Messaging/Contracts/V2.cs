// Version 2 of the published events (V1.cs says how contracts change). On RabbitMQ the exchange is named for the
// message type, so V2 events go to NetCds.Service.Messaging.Contracts.V2:EligibilityChanged and a V1 subscriber sees
// nothing rather than a shape it does not know.
namespace NetCds.Service.Messaging.Contracts.V2;

/// <summary>One therapy whose status changed (the statuses are the catalogue's codes).</summary>
public sealed record StatusChange(string Therapy, string? Previous, string Current);

/// <summary>
/// A patient's eligibility changed: published once per change, and thin. It says who, which report revision, under
/// which rules and what changed; the report itself (reasons, inputs, evidence) is read at
/// <c>GET /eligibility/{patientId}</c>, whose <c>ETag</c> is the revision, so a subscriber can tell whether what it
/// reads is this change or a later one. V1 carried the whole report and the CDS Hooks cards: large messages, and a
/// copy of what the API already serves.
/// </summary>
public sealed record EligibilityChanged(
    string Patient,
    int Revision,
    DateTimeOffset EvaluatedAt,
    string RulesVersion,
    IReadOnlyList<StatusChange> Changes);

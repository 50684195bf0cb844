namespace NetCds.Service.Storage;

/// <summary>
/// A FHIR resource as last received, keyed by type and id. <see cref="Version"/> orders updates: meta.versionId when
/// numeric, else meta.lastUpdated ticks, else the receipt order; an older version never overwrites a newer one.
/// </summary>
public sealed class StoredResource
{
    public required string ResourceType { get; set; }

    public required string ResourceId { get; set; }

    public long Version { get; set; }

    public string? VersionId { get; set; }

    public DateTimeOffset? LastUpdated { get; set; }

    /// <summary>The patient it is about (relative reference); null for resources about no patient.</summary>
    public string? Patient { get; set; }

    /// <summary>FHIR JSON; null once deleted.</summary>
    public string? Json { get; set; }

    public bool Deleted { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>
    /// The facts this version supplies (<c>FactStateJson</c>), derived when it was accepted; null when there are none
    /// to keep (deleted, about no patient, or facts that depend on the evaluation time or another resource).
    /// </summary>
    public string? Facts { get; set; }

    /// <summary>The mapping version <see cref="Facts"/> were derived under; null when never derived.</summary>
    public string? FactsVersion { get; set; }

    /// <summary>
    /// The <see cref="PatientRecordState.Generation"/> of <see cref="Patient"/> whose commit last wrote this row (an
    /// insert, update or deletion; 0 for rows written before issue 19 or about no patient). Writers of one patient
    /// are serialized by its generation row, so a patient's rows are stamped in commit order and "the rows of P written
    /// after generation G" is one indexed query (Patient, Generation): what keeps a patient's in-memory fact state up
    /// to date (<c>PatientFactStates</c>, issue 19).
    /// </summary>
    public long Generation { get; set; }
}

/// <summary>The latest eligibility report per patient, and the statuses it was compared on.</summary>
public sealed class PatientReport
{
    public required string Patient { get; set; }

    public required string ReportJson { get; set; }

    /// <summary>THERAPY=status pairs, comma separated, in catalogue order: what "changed" is decided on.</summary>
    public required string Statuses { get; set; }

    /// <summary>When the report's content was last computed (a recompute that shows the same leaves it).</summary>
    public DateTimeOffset EvaluatedAt { get; set; }

    /// <summary>
    /// <c>ReportDocument.ContentHash</c> of <see cref="ReportJson"/>: what the report shows, without when. A recompute
    /// that gives the same keeps the report as it is (issue 19, deliverable 3); null for reports stored before it was kept.
    /// </summary>
    public string? ContentHash { get; set; }

    /// <summary>
    /// The rule catalogue version the report was computed under (<c>EligibilityEngine.RulesVersion</c>); null for
    /// reports stored before it was kept. A report under another version is recomputed after an upgrade
    /// (<c>FactStateRederivation</c>).
    /// </summary>
    public string? RulesVersion { get; set; }

    /// <summary>Optimistic concurrency: two instances recomputing one patient cannot both win.</summary>
    public int Revision { get; set; }

    /// <summary>
    /// The <see cref="PatientRecordState.Generation"/> read before the resources this report was computed from: a
    /// recompute requested for this generation or an older one has nothing new to see and is skipped.
    /// </summary>
    public long Generation { get; set; }
}

/// <summary>
/// Counts the committed changes to one patient's stored resources. Every ingestion transaction that touches the
/// patient increments it atomically (in the same transaction as the resources) and names the new value in the
/// RecomputeEligibility it queues; that is what lets many events for one patient be recomputed once.
/// </summary>
public sealed class PatientRecordState
{
    public required string Patient { get; set; }

    public long Generation { get; set; }

    /// <summary>
    /// The generation whose commit queued the patient's RecomputeEligibility that no recompute has taken up yet; 0 when
    /// none is queued. While one is queued, further commits queue nothing: the recompute that takes it up reads the
    /// record after clearing this, so it sees them (a patient touched by 50 events before its recompute starts gets
    /// one message, not 50).
    /// </summary>
    public long PendingSince { get; set; }

    /// <summary>
    /// The last generation whose commit moved one of the patient's resources to another patient (or to none): such a
    /// row no longer names this patient, so a fact state held from before it is rebuilt rather than caught up
    /// (issue 19). 0 when that never happened.
    /// </summary>
    public long LeftAt { get; set; }
}

/// <summary>A message to publish, written in the same transaction as the data it announces (our transactional outbox, src/NetCds.Service/Outbox).</summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }

    /// <summary>Contract type name, e.g. <c>RecomputeEligibility</c>.</summary>
    public required string MessageType { get; set; }

    public required string Payload { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? DispatchedAt { get; set; }

    /// <summary>Set by the instance publishing the row: another instance leaves it alone until this passes.</summary>
    public DateTimeOffset? ClaimedUntil { get; set; }

    public int Attempts { get; set; }

    /// <summary>W3C traceparent of the activity that wrote the row: the dispatcher publishes within that trace.</summary>
    public string? TraceParent { get; set; }
}

/// <summary>
/// A CDS Hooks JWT <c>jti</c> already accepted from an issuer, kept until that token could no longer pass the expiry
/// check. In the store so that every instance of the service refuses a replay, wherever the first call landed.
/// </summary>
public sealed class UsedJti
{
    public const int MaxIssuerLength = 500;

    public const int MaxJtiLength = 200;

    public required string Issuer { get; set; }

    public required string Jti { get; set; }

    /// <summary>Unix seconds (UTC) after which the row may be purged: the token's <c>exp</c> plus the clock skew.</summary>
    public long ExpiresAt { get; set; }
}

/// <summary>
/// Where one topic-based Subscription stands (Subscriptions Backport IG): its id on the EHR's server, the highest
/// event number accounted for (received, or recovered after a gap), and the recoveries made. Keyed by the
/// subscription's configured name.
/// </summary>
public sealed class SubscriptionState
{
    public required string Name { get; set; }

    /// <summary>The Subscription on the EHR's server (absolute URL), once created or first named by a notification.</summary>
    public string? SubscriptionUrl { get; set; }

    /// <summary>The status the server last reported (<c>requested</c>, <c>active</c>, <c>error</c>, <c>off</c>).</summary>
    public string? Status { get; set; }

    /// <summary>Events 1 to this number are accounted for: received, or recovered after a gap.</summary>
    public long EventsAccountedFor { get; set; }

    /// <summary>Timestamp of the newest event accounted for: where a re-query starts.</summary>
    public DateTimeOffset? LastEventAt { get; set; }

    public DateTimeOffset? HandshakeAt { get; set; }

    public DateTimeOffset? HeartbeatAt { get; set; }

    public int Recoveries { get; set; }

    /// <summary>Events found missing (gaps in event numbers, or a heartbeat ahead of what was received).</summary>
    public long MissedEvents { get; set; }

    public DateTimeOffset? LastRecoveryAt { get; set; }

    /// <summary>How the last gap was closed, e.g. <c>events 3-3 by $events (1 resource)</c>: no patient data.</summary>
    public string? LastRecovery { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Optimistic concurrency: two instances handling notifications of one subscription cannot both win.</summary>
    public int Revision { get; set; }
}

/// <summary>
/// A card a CDS service returned, remembered so that feedback on it can be checked and counted (issue 20). The
/// patient is a keyed hash (HMAC-SHA256), never the id. Deleted after <c>CdsHooks:CardMemoryRetention</c>.
/// </summary>
public sealed class RememberedCard
{
    public const int MaxUuidLength = 100;

    public required string CardUuid { get; set; }

    public required string ServiceId { get; set; }

    public required string Hook { get; set; }

    public required string HookInstance { get; set; }

    /// <summary>HMAC-SHA256 of the patient id (hex) under the install's key: links a patient's cards, names no one.</summary>
    public required string PatientHash { get; set; }

    public DateTimeOffset ShownAt { get; set; }

    /// <summary>
    /// What the card spoke of, as JSON: <c>[{"therapy":"PRRT","status":"eligible","rules":["PRRT-01"]}]</c>, in the
    /// card's order, <c>rules</c> empty when no rule decided the status. One column rather than a row per rule: a
    /// patient-view card names about 13 therapies, and 26 indexed rows under a random key cost 85 % of the store a
    /// call added (docs/performance.md, "Card memory storage").
    /// </summary>
    public required string Subjects { get; set; }
}

/// <summary>
/// How many remembered cards showed a therapy with a decisive rule on one UTC day (issue 20's "how often shown"),
/// added to by each batch the card memory writes and deleted with the day once it is past the retention.
/// </summary>
public sealed class CardShownTally
{
    public DateOnly Day { get; set; }

    public required string Therapy { get; set; }

    /// <summary>The decisive rule id; <c>-</c> when no rule decided the status.</summary>
    public required string RuleId { get; set; }

    public long Shown { get; set; }
}

/// <summary>A secret this installation generated for itself and keeps in its store (e.g. the patient-hash key when none is configured).</summary>
public sealed class InstallSecret
{
    public required string Name { get; set; }

    public required string Value { get; set; }
}

using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace NetCds.Service.Ops;

/// <summary>
/// The service's own metrics and trace source (OpenTelemetry reads both through System.Diagnostics). Names follow
/// OpenTelemetry conventions; Prometheus sees them with dots as underscores, units and <c>_total</c> appended
/// (e.g. <c>netcds.cds.requests</c> is <c>netcds_cds_requests_total</c>). No label ever carries a patient id.
/// </summary>
public static class NetCdsTelemetry
{
    public const string Name = "NetCds";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> CdsRequests = Meter.CreateCounter<long>("netcds.cds.requests", "{request}", "CDS Hooks service calls, by service and hook.");

    private static readonly Counter<long> Evaluations = Meter.CreateCounter<long>("netcds.evaluations", "{evaluation}", "Eligibility evaluations, by origin (cds, evaluate, recompute).");

    private static readonly Histogram<double> EvaluationDuration = Meter.CreateHistogram<double>("netcds.evaluation.duration", "s", "Time to evaluate one patient (facts to report).");

    private static readonly Counter<long> StatusChanges = Meter.CreateCounter<long>("netcds.status.changes", "{change}", "Eligibility status changes announced, by therapy and new status.");

    private static readonly Counter<long> EventsAccepted = Meter.CreateCounter<long>("netcds.events.accepted", "{resource}", "FHIR resources stored (new or newer versions), whether they came by HTTP or the bus.");

    private static readonly Counter<long> EventsNotUsed = Meter.CreateCounter<long>("netcds.events.not_used", "{resource}", "FHIR resources answered as not used and not kept: no code the terminology map knows.");

    private static readonly Counter<long> RecomputesSkipped = Meter.CreateCounter<long>("netcds.recompute.coalesced", "{message}", "Recompute requests skipped because a report already covers their data.");

    private static readonly Counter<long> EventsConsumed = Meter.CreateCounter<long>("netcds.events.consumed", "{message}", "Messages consumed successfully, by message type.");

    private static readonly Counter<long> EventsFailed = Meter.CreateCounter<long>("netcds.events.failed", "{attempt}", "Consume attempts that threw (retried or not), by message type.");

    private static readonly Counter<long> EventsDeadLettered = Meter.CreateCounter<long>("netcds.events.dead_lettered", "{message}", "Messages moved to an _error queue after their retries, by queue.");

    private static readonly Histogram<double> RecomputeLag = Meter.CreateHistogram<double>(
        "netcds.recompute.lag",
        "s",
        "Event accepted to report stored.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300] });

    private static readonly Counter<long> PrefetchFetches = Meter.CreateCounter<long>("netcds.prefetch.fetches", "{key}", "Prefetch keys fetched from the EHR's FHIR server (fallback).");

    private static readonly Counter<long> PrefetchFailures = Meter.CreateCounter<long>("netcds.prefetch.failures", "{key}", "Prefetch keys that could not be had from the EHR's FHIR server.");

    private static readonly Counter<long> JwtRejections = Meter.CreateCounter<long>("netcds.jwt.rejections", "{request}", "CDS Hooks calls refused for their JWT, by reason.");

    private static readonly Counter<long> FactStateRederivations = Meter.CreateCounter<long>("netcds.fact_state.rederived", "{resource}", "Stored resources whose kept facts were derived again under the current mapping version.");

    private static readonly Counter<long> OutdatedReportRecomputes = Meter.CreateCounter<long>("netcds.reports.outdated_rules_recomputes", "{patient}", "Stored reports computed under another rules version whose patient was queued for a recompute.");

    private static readonly Counter<long> CardsShown = Meter.CreateCounter<long>("netcds.cds.cards_shown", "{therapy}", "Therapies spoken of on returned CDS Hooks cards, by therapy and status (issue 20).");

    private static readonly Counter<long> CardFeedback = Meter.CreateCounter<long>("netcds.cds.feedback", "{therapy}", "CDS Hooks feedback stored, per therapy of the card, by outcome and override reason (issue 20).");

    private static readonly Counter<long> CardsNotRemembered = Meter.CreateCounter<long>("netcds.cds.card_memory.dropped", "{card}", "Returned cards not remembered: the write queue was full or the store refused them.");

    private static OutboxSnapshot _outbox = new(0, 0);

    private static long _factStateStale;

    private static long _factStatesHeldBytes;

    private static long _factStatesBudgetBytes;

    static NetCdsTelemetry()
    {
        Meter.CreateObservableGauge("netcds.outbox.backlog", () => _outbox.Backlog, "{message}", "Outbox rows not yet dispatched.");
        Meter.CreateObservableGauge("netcds.fact_state.stale", () => Interlocked.Read(ref _factStateStale), "{resource}", "Stored resources whose kept facts another mapping version derived, as counted at the start of the last re-derivation pass.");
        Meter.CreateObservableGauge("netcds.fact_state.held", () => Interlocked.Read(ref _factStatesHeldBytes), "By", "Patients' fact states held in memory between recomputes (estimated); a state that does not fit its budget makes its patient's recomputes read the whole record.");
        Meter.CreateObservableGauge("netcds.fact_state.budget", () => Interlocked.Read(ref _factStatesBudgetBytes), "By", "The most bytes of fact states held (Ingestion:FactStateCacheBytes, else two thirds of the GC's heap, at most 256 MiB).");
        Meter.CreateObservableGauge("netcds.outbox.oldest_age", () => _outbox.OldestAgeSeconds, "s", "Age of the oldest undispatched outbox row.");
    }

    public static void CdsRequest(string service, string hook) =>
        CdsRequests.Add(1, new("service", service), new("hook", hook));

    public static void Evaluated(string origin, TimeSpan duration)
    {
        Evaluations.Add(1, new KeyValuePair<string, object?>("origin", origin));
        EvaluationDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("origin", origin));
    }

    public static void StatusChanged(string therapy, string status) =>
        StatusChanges.Add(1, new("therapy", therapy), new("status", status));

    public static void Accepted(int count) => EventsAccepted.Add(count);

    public static void NotUsed(int count)
    {
        if (count > 0)
        {
            EventsNotUsed.Add(count);
        }
    }

    public static void FactStateStale(long count) => Interlocked.Exchange(ref _factStateStale, count);

    public static void FactStatesHeld(long heldBytes, long budgetBytes)
    {
        Interlocked.Exchange(ref _factStatesHeldBytes, heldBytes);
        Interlocked.Exchange(ref _factStatesBudgetBytes, budgetBytes);
    }

    public static void FactStateRederived(int count) => FactStateRederivations.Add(count);

    public static void OutdatedReportsQueued(int count) => OutdatedReportRecomputes.Add(count);

    public static void RecomputeCoalesced() => RecomputesSkipped.Add(1);

    public static void Consumed(string messageType) => EventsConsumed.Add(1, new KeyValuePair<string, object?>("message_type", messageType));

    public static void Failed(string messageType) => EventsFailed.Add(1, new KeyValuePair<string, object?>("message_type", messageType));

    public static void DeadLettered(string queue) => EventsDeadLettered.Add(1, new KeyValuePair<string, object?>("queue", queue));

    public static void RecomputeLagged(TimeSpan lag) => RecomputeLag.Record(Math.Max(0, lag.TotalSeconds));

    public static void PrefetchFetched(int count) => PrefetchFetches.Add(count);

    public static void PrefetchFailed(int count) => PrefetchFailures.Add(count);

    public static void JwtRejected(string reason) => JwtRejections.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public static void CardShown(string therapy, string status) =>
        CardsShown.Add(1, new("therapy", therapy), new("status", status));

    /// <summary><paramref name="reason"/> is the override reason's code ("none" without one): a configured list, so few values.</summary>
    public static void FeedbackStored(string therapy, string outcome, string reason) =>
        CardFeedback.Add(1, new("therapy", therapy), new("outcome", outcome), new("reason", reason));

    public static void CardMemoryDropped(int count) => CardsNotRemembered.Add(count);

    /// <summary>Set by the outbox monitor (Outbox/OutboxMonitor.cs); read when the gauges are collected (no query per scrape).</summary>
    public static void Outbox(OutboxSnapshot snapshot) => _outbox = snapshot;

    public static OutboxSnapshot LastOutbox => _outbox;
}

public sealed record OutboxSnapshot(long Backlog, double OldestAgeSeconds);

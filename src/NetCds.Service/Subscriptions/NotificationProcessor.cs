using System.Globalization;
using System.Net;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using NetCds.Service.Fhir;
using NetCds.Service.Ingestion;
using NetCds.Service.Storage;

namespace NetCds.Service.Subscriptions;

/// <summary>A notification that can never be processed (e.g. a focus on another server): no retry, straight to the error queue with the reason.</summary>
public sealed class UnusableNotificationException(string message) : Exception(message);

/// <summary>
/// Handles one accepted notification: closes any gap in the event numbers first (<c>$events</c>, else a re-query of
/// the subscription's filters since the last good event), then stores what the notification is about (its resources,
/// the focus resources read from the server, or, for <c>empty</c>, a re-query), then records how far the events are
/// accounted for. Everything is stored through <see cref="ResourceIngestion"/>, so a repeat is harmless.
/// </summary>
public sealed partial class NotificationProcessor(
    StoreContext store,
    ResourceIngestion ingestion,
    EhrFhirClient ehr,
    TimeProvider clock,
    ILogger<NotificationProcessor> logger)
{
    /// <summary>Server clocks differ: a re-query starts this much before the last good event.</summary>
    private static readonly TimeSpan ClockMargin = TimeSpan.FromMinutes(1);

    private static readonly HttpStatusCode[] Unsupported = [HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed, HttpStatusCode.NotImplemented];

    public async System.Threading.Tasks.Task ProcessAsync(SubscriptionSettings settings, SubscriptionNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(notification);
        var now = clock.GetUtcNow();
        var before = await store.Subscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.Name == settings.Name, cancellationToken);
        var subscriptionUrl = EhrFhirClient.Resolve(settings, notification.Subscription).AbsoluteUri;
        var handshake = notification.Type == SubscriptionNotification.Handshake;

        // A handshake starts the count again (a new or re-activated Subscription); otherwise what was accounted for stands.
        var accounted = handshake ? notification.EventsSinceSubscriptionStart ?? 0 : before?.EventsAccountedFor ?? 0;
        var lastEventAt = handshake ? now : before?.LastEventAt;
        var numbers = notification.Events.Select(e => e.Number).ToHashSet();
        var target = Math.Max(numbers.Count > 0 ? numbers.Max() : 0, notification.EventsSinceSubscriptionStart ?? 0);

        var recoveries = new List<(long From, long To, string Method, int Resources)>();
        foreach (var (from, to) in Missing(accounted, target, numbers))
        {
            var (method, resources, newest) = await RecoverAsync(settings, subscriptionUrl, from, to, lastEventAt, now, cancellationToken);
            recoveries.Add((from, to, method, resources));
            lastEventAt = Max(lastEventAt, newest);
        }

        if (notification.Type is SubscriptionNotification.EventNotification or SubscriptionNotification.QueryEvent)
        {
            var resources = notification.Content switch
            {
                PayloadContent.FullResource => [.. notification.Resources.Select(r => new IngestEntry(r))],
                PayloadContent.IdOnly => await ReadFocusAsync(settings, notification.Events, cancellationToken),
                _ => await RequeryAsync(settings, lastEventAt, now, cancellationToken),
            };
            await IngestAsync(resources, cancellationToken);
            lastEventAt = Max(lastEventAt, notification.Events.Select(e => e.Timestamp).Max());
        }

        await RecordAsync(settings, notification, subscriptionUrl, Math.Max(accounted, target), lastEventAt, recoveries, now, cancellationToken);
        SubscriptionMetrics.Notification(settings.Name, notification.Type);
    }

    /// <summary>Event numbers after <paramref name="accounted"/> up to <paramref name="target"/> that this notification does not carry, as ranges.</summary>
    internal static IEnumerable<(long From, long To)> Missing(long accounted, long target, IReadOnlySet<long> carried)
    {
        long? start = null;
        for (var n = accounted + 1; n <= target; n++)
        {
            if (!carried.Contains(n))
            {
                start ??= n;
            }
            else if (start is { } s)
            {
                yield return (s, n - 1);
                start = null;
            }
        }

        if (start is { } open)
        {
            yield return (open, target);
        }
    }

    /// <summary>
    /// Events <paramref name="from"/>-<paramref name="to"/> never arrived: asked of <c>$events</c> (IG 1.1,
    /// OperationDefinition backport-subscription-events) when allowed; a server without it, or one that returns fewer
    /// events, is re-queried since the last good event instead.
    /// </summary>
    private async Task<(string Method, int Resources, DateTimeOffset? Newest)> RecoverAsync(
        SubscriptionSettings settings, string subscriptionUrl, long from, long to, DateTimeOffset? lastEventAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (settings.UseEventsOperation)
        {
            var query = string.Create(CultureInfo.InvariantCulture, $"{subscriptionUrl.TrimEnd('/')}/$events?eventsSinceNumber={from}&eventsUntilNumber={to}&content=full-resource");
            Resource? answer = null;
            try
            {
                answer = await ehr.GetAsync(settings, query, cancellationToken);
            }
            catch (EhrReadException failed) when (failed.Status is { } status && Unsupported.Contains(status))
            {
                LogEventsUnsupported(logger, settings.Name, (int)status);
            }

            if (answer is not null)
            {
                var (events, _, problem) = SubscriptionNotification.Read(answer);
                if (events is null)
                {
                    throw new UnusableNotificationException($"the $events answer of subscription {settings.Name} is not a notification Bundle: {problem}");
                }

                var entries = events.Content == PayloadContent.IdOnly
                    ? await ReadFocusAsync(settings, events.Events, cancellationToken)
                    : [.. events.Resources.Select(r => new IngestEntry(r))];
                await IngestAsync(entries, cancellationToken);
                var newest = events.Events.Select(e => e.Timestamp).Max();
                var returned = events.Events.Select(e => e.Number).Where(n => n >= from && n <= to).Distinct().Count();
                if (returned >= to - from + 1)
                {
                    Recovered(settings.Name, from, to, "$events", entries.Count);
                    return ("$events", entries.Count, newest);
                }

                // Some events are no longer held by the server: the re-query covers them.
                var more = await RequeryAsync(settings, lastEventAt, now, cancellationToken);
                await IngestAsync(more, cancellationToken);
                Recovered(settings.Name, from, to, "$events+re-query", entries.Count + more.Count);
                return ("$events+re-query", entries.Count + more.Count, newest);
            }
        }

        var requeried = await RequeryAsync(settings, lastEventAt, now, cancellationToken);
        await IngestAsync(requeried, cancellationToken);
        Recovered(settings.Name, from, to, "re-query", requeried.Count);
        return ("re-query", requeried.Count, null);
    }

    private void Recovered(string name, long from, long to, string method, int resources)
    {
        SubscriptionMetrics.Recovered(name, method, to - from + 1);
        LogRecovered(logger, name, from, to, method, resources);
    }

    /// <summary>
    /// The subscription's filters (or every Observation when it has none) re-run for what changed since the last good
    /// event, bounded by <see cref="SubscriptionSettings.MaxLookbackHours"/> and the page limit.
    /// </summary>
    private async Task<List<IngestEntry>> RequeryAsync(SubscriptionSettings settings, DateTimeOffset? lastEventAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var floor = now - TimeSpan.FromHours(settings.MaxLookbackHours);
        var since = (lastEventAt is { } last && last > floor ? last : floor) - ClockMargin;
        var stamp = since.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var entries = new List<IngestEntry>();
        IEnumerable<string> queries = settings.FilterCriteria.Count > 0 ? settings.FilterCriteria : ["Observation"];
        foreach (var criteria in queries)
        {
            var query = $"{criteria}{(criteria.Contains('?', StringComparison.Ordinal) ? '&' : '?')}_lastUpdated=ge{stamp}";
            if (await ehr.GetAsync(settings, query, cancellationToken) is Bundle bundle)
            {
                entries.AddRange(bundle.Entry.Select(e => e.Resource).Where(r => r is not null and not OperationOutcome).Select(r => new IngestEntry(r)));
            }
        }

        return entries;
    }

    /// <summary>
    /// The focus (and additional context) of each event, read from the subscription's server. A resource gone there
    /// (404, 410) is recorded as deleted; a reference to another server is refused: the token goes nowhere else.
    /// </summary>
    private async Task<List<IngestEntry>> ReadFocusAsync(SubscriptionSettings settings, IEnumerable<NotificationEvent> events, CancellationToken cancellationToken)
    {
        var entries = new List<IngestEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var root = EhrFhirClient.Base(settings);
        foreach (var reference in events.SelectMany(e => e.Focus is null ? e.AdditionalContext : e.AdditionalContext.Prepend(e.Focus)))
        {
            var url = EhrFhirClient.Resolve(settings, reference);
            if (!url.AbsoluteUri.StartsWith(root.AbsoluteUri, StringComparison.Ordinal))
            {
                throw new UnusableNotificationException($"a focus of subscription {settings.Name} is not on its server ({url.Host}); not read");
            }

            var path = url.AbsolutePath[root.AbsolutePath.Length..].Split('/');
            if (path.Length < 2 || FhirIds.Check(path[0], path[1]) is not null)
            {
                // Not a FHIR resource reference (the IG allows references to non-FHIR objects): nothing to read.
                continue;
            }

            if (!seen.Add($"{path[0]}/{path[1]}"))
            {
                continue;
            }

            try
            {
                var resource = await ehr.GetAsync(settings, $"{path[0]}/{path[1]}", cancellationToken);
                if (resource.TypeName != path[0])
                {
                    throw new UnusableNotificationException($"reading a {path[0]} of subscription {settings.Name} gave a {resource.TypeName}");
                }

                entries.Add(new IngestEntry(resource));
            }
            catch (EhrReadException gone) when (gone.Status is HttpStatusCode.NotFound or HttpStatusCode.Gone)
            {
                entries.Add(new IngestEntry(null, path[0], path[1]));
            }
        }

        return entries;
    }

    private async System.Threading.Tasks.Task IngestAsync(List<IngestEntry> entries, CancellationToken cancellationToken)
    {
        foreach (var entry in entries.Where(e => e.Resource is not null))
        {
            if (FhirIds.Check(entry.Resource!.TypeName, entry.Resource.Id) is { } bad)
            {
                throw new UnusableNotificationException($"a {entry.Resource.TypeName} from the subscription's server has no usable id: {bad}");
            }
        }

        if (entries.Count > 0)
        {
            await ingestion.IngestAsync(entries, cancellationToken);
        }
    }

    private async System.Threading.Tasks.Task RecordAsync(
        SubscriptionSettings settings,
        SubscriptionNotification notification,
        string subscriptionUrl,
        long accounted,
        DateTimeOffset? lastEventAt,
        List<(long From, long To, string Method, int Resources)> recoveries,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var state = await store.Subscriptions.FirstOrDefaultAsync(s => s.Name == settings.Name, cancellationToken);
        if (state is null)
        {
            state = new SubscriptionState { Name = settings.Name };
            store.Subscriptions.Add(state);
        }

        state.SubscriptionUrl = subscriptionUrl;
        state.Status = notification.Status;
        state.EventsAccountedFor = notification.Type == SubscriptionNotification.Handshake ? accounted : Math.Max(state.EventsAccountedFor, accounted);
        state.LastEventAt = notification.Type == SubscriptionNotification.Handshake ? lastEventAt : Max(state.LastEventAt, lastEventAt);
        state.UpdatedAt = now;
        switch (notification.Type)
        {
            case SubscriptionNotification.Handshake:
                state.HandshakeAt = now;
                break;
            case SubscriptionNotification.Heartbeat:
                state.HeartbeatAt = now;
                break;
        }

        if (recoveries.Count > 0)
        {
            state.Recoveries += recoveries.Count;
            state.MissedEvents += recoveries.Sum(r => r.To - r.From + 1);
            state.LastRecoveryAt = now;
            state.LastRecovery = string.Join("; ", recoveries.Select(r => string.Create(CultureInfo.InvariantCulture, $"events {r.From}-{r.To} by {r.Method} ({r.Resources} resources)")));
        }

        state.Revision++;
        await store.SaveChangesAsync(cancellationToken);
    }

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscription {Subscription}: events {From}-{To} were missed; recovered by {Method} ({Resources} resources read).")]
    private static partial void LogRecovered(ILogger logger, string subscription, long from, long to, string method, int resources);

    [LoggerMessage(Level = LogLevel.Information, Message = "Subscription {Subscription}: the server does not support $events (HTTP {Status}); re-querying instead.")]
    private static partial void LogEventsUnsupported(ILogger logger, string subscription, int status);
}

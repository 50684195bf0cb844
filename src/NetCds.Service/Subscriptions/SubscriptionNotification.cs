using System.Globalization;
using Hl7.Fhir.Model;

namespace NetCds.Service.Subscriptions;

/// <summary>One <c>notification-event</c>: its number, when it happened, what it is about.</summary>
public sealed record NotificationEvent(long Number, DateTimeOffset? Timestamp, string? Focus, IReadOnlyList<string> AdditionalContext);

/// <summary>
/// A Subscriptions Backport (R4) notification read from its Bundle: a <c>history</c> Bundle whose first entry is the
/// SubscriptionStatus Parameters (IG 1.1, profile backport-subscription-notification-r4, invariant
/// backport-notification-bundle-r4-1), then the resources of a <c>full-resource</c> notification.
/// </summary>
public sealed record SubscriptionNotification(
    string Subscription,
    string? Topic,
    string Status,
    string Type,
    long? EventsSinceSubscriptionStart,
    IReadOnlyList<NotificationEvent> Events,
    IReadOnlyList<Resource> Resources)
{
    public const string Handshake = "handshake";
    public const string Heartbeat = "heartbeat";
    public const string EventNotification = "event-notification";
    public const string QueryStatus = "query-status";
    public const string QueryEvent = "query-event";

    private static readonly string[] Types = [Handshake, Heartbeat, EventNotification, QueryStatus, QueryEvent];

    /// <summary>What the payload was: resources present, focus references only, or neither.</summary>
    public PayloadContent Content =>
        Resources.Count > 0 ? PayloadContent.FullResource
        : Events.Any(e => e.Focus is not null) ? PayloadContent.IdOnly
        : PayloadContent.Empty;

    /// <summary>The notification, or what is wrong with it as (FHIRPath-like expression, reason).</summary>
    public static (SubscriptionNotification? Notification, string? Expression, string? Problem) Read(Resource resource)
    {
        if (resource is not Bundle bundle)
        {
            return (null, "resourceType", $"A notification is a Bundle, not a {resource?.TypeName}.");
        }

        if (bundle.Type != Bundle.BundleType.History)
        {
            return (null, "Bundle.type", "A Subscriptions Backport notification is a Bundle of type history.");
        }

        if (bundle.Entry.FirstOrDefault()?.Resource is not Parameters status)
        {
            return (null, "Bundle.entry[0].resource", "The first entry of a notification must be the SubscriptionStatus Parameters.");
        }

        const string At = "Bundle.entry[0].resource";
        var subscription = (status.GetSingle("subscription")?.Value as ResourceReference)?.Reference;
        if (string.IsNullOrWhiteSpace(subscription))
        {
            return (null, $"{At}.parameter[subscription]", "The SubscriptionStatus needs a subscription reference.");
        }

        var code = Text(status.GetSingle("status")?.Value);
        if (string.IsNullOrWhiteSpace(code))
        {
            return (null, $"{At}.parameter[status]", "The SubscriptionStatus needs a status.");
        }

        var type = Text(status.GetSingle("type")?.Value);
        if (type is null || !Types.Contains(type, StringComparer.Ordinal))
        {
            return (null, $"{At}.parameter[type]", "The SubscriptionStatus type must be handshake, heartbeat, event-notification, query-status or query-event.");
        }

        long? since = null;
        if (status.GetSingle("events-since-subscription-start")?.Value is { } sinceValue)
        {
            if (!long.TryParse(Text(sinceValue), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return (null, $"{At}.parameter[events-since-subscription-start]", "events-since-subscription-start must be a whole number.");
            }

            since = n;
        }

        var events = new List<NotificationEvent>();
        var index = 0;
        foreach (var parameter in status.Parameter.Where(p => p.Name == "notification-event"))
        {
            var where = $"{At}.parameter[notification-event][{index++}]";
            var number = parameter.Part.FirstOrDefault(p => p.Name == "event-number")?.Value;
            if (!long.TryParse(Text(number), NumberStyles.None, CultureInfo.InvariantCulture, out var eventNumber))
            {
                return (null, $"{where}.part[event-number]", "Every notification-event needs an event-number, a whole number.");
            }

            var timestamp = parameter.Part.FirstOrDefault(p => p.Name == "timestamp")?.Value switch
            {
                Instant instant => instant.Value,
                FhirDateTime dateTime => dateTime.ToDateTimeOffset(TimeSpan.Zero),
                _ => (DateTimeOffset?)null,
            };
            var focus = (parameter.Part.FirstOrDefault(p => p.Name == "focus")?.Value as ResourceReference)?.Reference;
            var context = parameter.Part.Where(p => p.Name == "additional-context")
                .Select(p => (p.Value as ResourceReference)?.Reference).OfType<string>().ToList();
            events.Add(new NotificationEvent(eventNumber, timestamp, focus, context));
        }

        var resources = bundle.Entry.Skip(1).Select(e => e.Resource).OfType<Resource>().ToList();
        var topic = Text(status.GetSingle("topic")?.Value);
        return (new SubscriptionNotification(subscription, topic, code, type, since, events, resources), null, null);
    }

    private static string? Text(DataType? value) => value switch
    {
        null => null,
        PrimitiveType primitive => primitive.ToString(),
        _ => null,
    };
}

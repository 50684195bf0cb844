using System.Diagnostics.Metrics;

namespace NetCds.Service.Subscriptions;

/// <summary>Subscription metrics on the service's meter (<c>NetCds</c>): notifications by kind, events missed and how they were recovered. Labels carry the configured subscription name only.</summary>
public static class SubscriptionMetrics
{
    private static readonly Meter Meter = new(Ops.NetCdsTelemetry.Name);

    private static readonly Counter<long> Notifications = Meter.CreateCounter<long>("netcds.subscriptions.notifications", "{notification}", "Subscription notifications handled, by subscription and type.");

    private static readonly Counter<long> MissedEvents = Meter.CreateCounter<long>("netcds.subscriptions.missed_events", "{event}", "Subscription events found missing and recovered, by subscription and method ($events or re-query).");

    private static readonly Counter<long> Recoveries = Meter.CreateCounter<long>("netcds.subscriptions.recoveries", "{recovery}", "Gaps in subscription event numbers closed, by subscription and method.");

    public static void Notification(string subscription, string type) =>
        Notifications.Add(1, new("subscription", subscription), new("type", type));

    public static void Recovered(string subscription, string method, long events)
    {
        Recoveries.Add(1, new("subscription", subscription), new("method", method));
        MissedEvents.Add(events, new("subscription", subscription), new("method", method));
    }
}

using System.Security.Cryptography;
using System.Text;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NetCds.Service.Fhir;
using NetCds.Service.Messaging.Contracts.V1;
using NetCds.Service.Outbox;
using NetCds.Service.Storage;

namespace NetCds.Service.Subscriptions;

/// <summary>
/// <c>POST /subscriptions/{name}/notifications</c>: the rest-hook channel of one configured subscription. The EHR
/// authenticates with the header set on the Subscription's <c>channel.header</c> (compared in constant time), not
/// with an API access token: a FHIR server sending notifications holds no token of ours. The notification is checked,
/// written to the outbox and acknowledged; its resources are read and stored after the acknowledgement.
/// </summary>
public static class NotificationEndpoint
{
    private static readonly FhirJsonSerializer Serializer = new();

    public static async Task<ContentHttpResult> ReceiveAsync(
        string name,
        HttpContext http,
        IOptions<SubscriptionsOptions> subscriptions,
        IOptions<FhirOptions> fhir,
        StoreContext store,
        OutboxSignal signal,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(subscriptions);
        ArgumentNullException.ThrowIfNull(fhir);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(signal);
        ArgumentNullException.ThrowIfNull(clock);

        // The same answer for an unknown subscription and a wrong token: names are not given away.
        var settings = subscriptions.Value.Find(name);
        if (settings is null || !Authentic(http.Request.Headers[settings.NotificationHeader].ToString(), settings.NotificationToken))
        {
            return FhirResults.Problem(OperationOutcome.IssueType.Security, "A notification needs the subscription's channel header.", StatusCodes.Status401Unauthorized);
        }

        var (parsed, error, _) = await FhirResults.ReadAsync(http.Request, fhir.Value.MaxRequestBytes, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var (notification, expression, problem) = SubscriptionNotification.Read(parsed!.Resource!);
        if (notification is null)
        {
            return FhirResults.Problem(OperationOutcome.IssueType.Invalid, problem!, StatusCodes.Status400BadRequest, expression);
        }

        if (notification.Topic is { } topic && !string.Equals(topic, settings.Topic, StringComparison.Ordinal))
        {
            return FhirResults.Problem(OperationOutcome.IssueType.Invalid, "The notification's topic is not this subscription's topic.", StatusCodes.Status400BadRequest, "Bundle.entry[0].resource.parameter[topic]");
        }

        var now = clock.GetUtcNow();
        OutboxMessages.Add(store, new SubscriptionNotificationReceived(settings.Name, Serializer.SerializeToString(parsed.Resource!), now), now);
        await store.SaveChangesAsync(cancellationToken);
        signal.Notify();
        var accepted = new OperationOutcome
        {
            Issue = [new OperationOutcome.IssueComponent { Severity = OperationOutcome.IssueSeverity.Information, Code = OperationOutcome.IssueType.Informational, Diagnostics = $"{notification.Type} accepted" }],
        };
        return FhirResults.Resource(accepted, StatusCodes.Status200OK);
    }

    /// <summary>Constant-time comparison (of hashes, so the length does not show either).</summary>
    internal static bool Authentic(string presented, string expected) =>
        expected.Length > 0
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}

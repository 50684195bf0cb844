using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NetCds.Service.Security;
using NetCds.Service.Storage;

namespace NetCds.Service.Subscriptions;

/// <summary>Where a subscription stands, here and on the EHR's server; no secret, no patient data.</summary>
public sealed record SubscriptionReport(
    string Name,
    string Server,
    string Topic,
    string Payload,
    string? SubscriptionUrl,
    string? Status,
    string? ServerStatus,
    long EventsAccountedFor,
    DateTimeOffset? LastEventAt,
    DateTimeOffset? HandshakeAt,
    DateTimeOffset? HeartbeatAt,
    int Recoveries,
    long MissedEvents,
    DateTimeOffset? LastRecoveryAt,
    string? LastRecovery);

/// <summary>
/// Creates, checks and deletes this service's Subscription on an EHR's FHIR server, in the shape of the IG's R4
/// profile (IG 1.1, StructureDefinition backport-subscription): <c>criteria</c> is the topic canonical, filters in
/// <c>backport-filter-criteria</c>, a <c>rest-hook</c> channel whose <c>payload</c> carries <c>backport-payload-content</c>.
/// </summary>
public sealed class SubscriptionManager(EhrFhirClient ehr, StoreContext store, IOptions<ServiceOptions> service, TimeProvider clock)
{
    public const string Ig = "http://hl7.org/fhir/uv/subscriptions-backport";
    public const string Profile = Ig + "/StructureDefinition/backport-subscription";
    public const string FilterCriteria = Ig + "/StructureDefinition/backport-filter-criteria";
    public const string PayloadContentExtension = Ig + "/StructureDefinition/backport-payload-content";
    public const string HeartbeatPeriod = Ig + "/StructureDefinition/backport-heartbeat-period";

    /// <summary>The Subscription as it is posted to the EHR.</summary>
    public Subscription Build(SubscriptionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var subscription = new Subscription
        {
            Meta = new Meta { Profile = [Profile] },
            Status = Subscription.SubscriptionStatus.Requested,
            Reason = "NetCds: eligibility of patients with neuroendocrine liver metastases",
            Criteria = settings.Topic,
            Channel = new Subscription.ChannelComponent
            {
                Type = Subscription.SubscriptionChannelType.RestHook,
                Endpoint = Endpoint(settings),
                Payload = "application/fhir+json",
                Header = [$"{settings.NotificationHeader}: {settings.NotificationToken}"],
            },
        };
        foreach (var filter in settings.FilterCriteria)
        {
            subscription.CriteriaElement.Extension.Add(new Extension(FilterCriteria, new FhirString(filter)));
        }

        subscription.Channel.PayloadElement!.Extension.Add(new Extension(PayloadContentExtension, new Code(Code(settings.Payload))));
        if (settings.HeartbeatSeconds > 0)
        {
            subscription.Channel.Extension.Add(new Extension(HeartbeatPeriod, new UnsignedInt(settings.HeartbeatSeconds)));
        }

        return subscription;
    }

    public static string Code(PayloadContent payload) => payload switch
    {
        PayloadContent.Empty => "empty",
        PayloadContent.FullResource => "full-resource",
        _ => "id-only",
    };

    /// <summary>The notification URL the EHR is given.</summary>
    public string Endpoint(SubscriptionSettings settings) =>
        settings.ChannelEndpoint.Length > 0 ? settings.ChannelEndpoint : service.Value.UrlOf($"/subscriptions/{settings.Name}/notifications");

    public async Task<SubscriptionReport> CreateAsync(SubscriptionSettings settings, CancellationToken cancellationToken)
    {
        var created = await ehr.PostAsync(settings, "Subscription", Build(settings), cancellationToken) as Subscription
            ?? throw new EhrReadException("the server did not return the created Subscription");
        var state = await StateAsync(settings, cancellationToken);
        state.SubscriptionUrl = new Uri(EhrFhirClient.Base(settings), $"Subscription/{created.Id}").AbsoluteUri;
        state.Status = created.Status?.ToString().ToLowerInvariant();
        state.EventsAccountedFor = 0;
        state.LastEventAt = clock.GetUtcNow();
        await SaveAsync(state, cancellationToken);
        return Report(settings, state, state.Status);
    }

    public async Task<SubscriptionReport> CheckAsync(SubscriptionSettings settings, CancellationToken cancellationToken)
    {
        var state = await store.Subscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.Name == settings.Name, cancellationToken);
        string? serverStatus = null;
        if (state?.SubscriptionUrl is { } url)
        {
            try
            {
                serverStatus = (await ehr.GetAsync(settings, url, cancellationToken) as Subscription)?.Status?.ToString().ToLowerInvariant();
            }
            catch (EhrReadException failed)
            {
                serverStatus = $"unknown: {failed.Message}";
            }
        }

        return Report(settings, state, serverStatus);
    }

    public async Task<SubscriptionReport> DeleteAsync(SubscriptionSettings settings, CancellationToken cancellationToken)
    {
        var state = await StateAsync(settings, cancellationToken);
        if (state.SubscriptionUrl is { } url)
        {
            try
            {
                await ehr.DeleteAsync(settings, url, cancellationToken);
            }
            catch (EhrReadException gone) when (gone.Status is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Gone)
            {
                // Already gone on the server: nothing left to delete.
            }
        }

        state.SubscriptionUrl = null;
        state.Status = "off";
        await SaveAsync(state, cancellationToken);
        return Report(settings, state, null);
    }

    public static SubscriptionReport Report(SubscriptionSettings settings, SubscriptionState? state, string? serverStatus)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new SubscriptionReport(
            settings.Name,
            new Uri(settings.ServerBaseUrl).Host,
            settings.Topic,
            Code(settings.Payload),
            state?.SubscriptionUrl,
            state?.Status,
            serverStatus,
            state?.EventsAccountedFor ?? 0,
            state?.LastEventAt,
            state?.HandshakeAt,
            state?.HeartbeatAt,
            state?.Recoveries ?? 0,
            state?.MissedEvents ?? 0,
            state?.LastRecoveryAt,
            state?.LastRecovery);
    }

    private async Task<SubscriptionState> StateAsync(SubscriptionSettings settings, CancellationToken cancellationToken)
    {
        var state = await store.Subscriptions.FirstOrDefaultAsync(s => s.Name == settings.Name, cancellationToken);
        if (state is null)
        {
            state = new SubscriptionState { Name = settings.Name };
            store.Subscriptions.Add(state);
        }

        return state;
    }

    private async System.Threading.Tasks.Task SaveAsync(SubscriptionState state, CancellationToken cancellationToken)
    {
        state.UpdatedAt = clock.GetUtcNow();
        state.Revision++;
        await store.SaveChangesAsync(cancellationToken);
    }
}

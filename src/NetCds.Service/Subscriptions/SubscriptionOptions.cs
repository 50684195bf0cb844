using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using NetCds.Service.Fhir;

namespace NetCds.Service.Subscriptions;

/// <summary>What an event notification carries (Subscriptions Backport IG, <c>backport-payload-content</c>).</summary>
public enum PayloadContent
{
    /// <summary><c>empty</c>: nothing but the event number; what changed is asked of the server.</summary>
    Empty,

    /// <summary><c>id-only</c>: the focus reference; the resource is read from the server.</summary>
    IdOnly,

    /// <summary><c>full-resource</c>: the resources themselves.</summary>
    FullResource,
}

/// <summary>
/// One topic-based Subscription this service holds on an EHR's FHIR server: configuration list <c>Subscriptions</c>
/// (<c>Subscriptions:0:Name</c>, ...). Secrets (<see cref="NotificationToken"/>, <see cref="PrivateKeyPem"/>) come
/// from the environment only.
/// </summary>
public sealed class SubscriptionSettings
{
    /// <summary>Short name (letters, digits, '-'): the notification URL is <c>/subscriptions/{Name}/notifications</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>The EHR's FHIR base URL: where the Subscription is created and focus resources are read.</summary>
    public string ServerBaseUrl { get; set; } = "";

    /// <summary>Canonical URL of the SubscriptionTopic (the Subscription's <c>criteria</c>).</summary>
    public string Topic { get; set; } = "";

    /// <summary>Filters of the topic (<c>backport-filter-criteria</c>), e.g. <c>Observation?code=http://loinc.org|9811-1</c>; also the queries re-run for <c>empty</c> notifications and recoveries.</summary>
    public IList<string> FilterCriteria { get; } = [];

    /// <summary><c>Empty</c>, <c>IdOnly</c> (the default: no clinical data on the wire) or <c>FullResource</c>.</summary>
    public PayloadContent Payload { get; set; } = PayloadContent.IdOnly;

    /// <summary>URL the EHR posts notifications to; <c>{Service:PublicBaseUrl}/subscriptions/{Name}/notifications</c> when empty.</summary>
    public string ChannelEndpoint { get; set; } = "";

    /// <summary>Header the EHR sends with every notification (set as the Subscription's <c>channel.header</c>).</summary>
    public string NotificationHeader { get; set; } = "X-NetCds-Subscription-Token";

    /// <summary>Secret value of <see cref="NotificationHeader"/> (environment only; at least 32 characters). Notifications without it are refused (401).</summary>
    public string NotificationToken { get; set; } = "";

    /// <summary>SMART Backend Services client id registered with the EHR; empty: the FHIR server is read without a token.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>Token endpoint; empty: read from <c>{ServerBaseUrl}/.well-known/smart-configuration</c>.</summary>
    public string TokenUrl { get; set; } = "";

    /// <summary>The client's private key, PEM (PKCS#8 RSA or EC P-384; environment only).</summary>
    public string PrivateKeyPem { get; set; } = "";

    /// <summary><c>kid</c> of the client's key in the JWKS registered with the EHR.</summary>
    public string KeyId { get; set; } = "";

    /// <summary>Scopes asked of the token endpoint.</summary>
    public string Scope { get; set; } = "system/Observation.read system/Patient.read system/Condition.read system/Procedure.read system/MedicationStatement.read system/MedicationRequest.read system/Subscription.read system/Subscription.write";

    /// <summary>Heartbeat asked of the server (<c>backport-heartbeat-period</c>, seconds); 0: none.</summary>
    [Range(0, 86_400)]
    public int HeartbeatSeconds { get; set; } = 300;

    /// <summary>Ask for missed events with <c>$events</c> first (servers that do not support it are then re-queried).</summary>
    public bool UseEventsOperation { get; set; } = true;

    /// <summary>Furthest back a re-query looks when no good event is known (hours).</summary>
    [Range(1, 24 * 365)]
    public int MaxLookbackHours { get; set; } = 72;
}

/// <summary>Configuration section <c>SubscriptionFetch</c>: how notifications' resources are read from the EHR (background work, so longer limits than CDS prefetch).</summary>
public sealed class SubscriptionFetchOptions : IValidatableObject
{
    public const string Section = "SubscriptionFetch";

    /// <summary>Time allowed for one read (every retry and back-off included).</summary>
    [Range(100, 600_000)]
    public int TotalBudgetMilliseconds { get; set; } = 30_000;

    /// <summary>Time allowed for one HTTP attempt.</summary>
    [Range(50, 120_000)]
    public int AttemptTimeoutMilliseconds { get; set; } = 10_000;

    /// <summary>Retries of a GET after the first attempt (5xx, 408, 429, connection failures, attempt timeouts); the message is then retried by the bus.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>A <c>Retry-After</c> up to this long is waited for.</summary>
    [Range(0, 120_000)]
    public int MaxRetryAfterMilliseconds { get; set; } = 5000;

    /// <summary>Pages of a searchset followed (re-queries).</summary>
    [Range(1, 1000)]
    public int MaxPages { get; set; } = 50;

    /// <summary>Retries of a notification by the bus (after the HTTP retries) before it goes to the error queue.</summary>
    [Range(0, 20)]
    public int MessageRetries { get; set; } = 5;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (AttemptTimeoutMilliseconds > TotalBudgetMilliseconds)
        {
            yield return new ValidationResult(
                $"{nameof(AttemptTimeoutMilliseconds)} ({AttemptTimeoutMilliseconds}) exceeds {nameof(TotalBudgetMilliseconds)} ({TotalBudgetMilliseconds}).",
                [nameof(AttemptTimeoutMilliseconds), nameof(TotalBudgetMilliseconds)]);
        }
    }

    public FhirHttpLimits ToLimits() => new(
        TimeSpan.FromMilliseconds(TotalBudgetMilliseconds),
        TimeSpan.FromMilliseconds(AttemptTimeoutMilliseconds),
        MaxRetries,
        TimeSpan.FromMilliseconds(MaxRetryAfterMilliseconds),
        0.5,
        20,
        TimeSpan.FromSeconds(15));
}

/// <summary>Every subscription needs a unique name, absolute http(s) URLs, a topic, a notification token long enough, and a key when a client id is set.</summary>
public sealed class SubscriptionsValidator : IValidateOptions<SubscriptionsOptions>
{
    public ValidateOptionsResult Validate(string? name, SubscriptionsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        for (var i = 0; i < options.Items.Count; i++)
        {
            var s = options.Items[i];
            var key = $"{SubscriptionsOptions.Section}:{i}";
            if (s.Name.Length is 0 or > 64 || !s.Name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                errors.Add($"{key}:Name must be 1-64 letters, digits or '-'.");
            }

            if (!IsHttpUrl(s.ServerBaseUrl))
            {
                errors.Add($"{key}:ServerBaseUrl must be an absolute http(s) URL.");
            }

            if (!Uri.TryCreate(s.Topic, UriKind.Absolute, out _))
            {
                errors.Add($"{key}:Topic must be the topic's canonical URL.");
            }

            if (s.NotificationToken.Length < 32)
            {
                errors.Add($"{key}:NotificationToken must be at least 32 characters (set it in the environment).");
            }

            if (s.NotificationHeader.Length == 0 || !s.NotificationHeader.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                errors.Add($"{key}:NotificationHeader must be a header name.");
            }

            if (s.ChannelEndpoint.Length > 0 && !IsHttpUrl(s.ChannelEndpoint))
            {
                errors.Add($"{key}:ChannelEndpoint must be an absolute http(s) URL.");
            }

            if (s.TokenUrl.Length > 0 && !IsHttpUrl(s.TokenUrl))
            {
                errors.Add($"{key}:TokenUrl must be an absolute http(s) URL.");
            }

            if (s.ClientId.Length > 0 && s.PrivateKeyPem.Length == 0)
            {
                errors.Add($"{key}:PrivateKeyPem is required with a ClientId (set it in the environment).");
            }

            for (var f = 0; f < s.FilterCriteria.Count; f++)
            {
                if (s.FilterCriteria[f].Split('?')[0] is not { Length: > 0 } type || !char.IsAsciiLetterUpper(type[0]))
                {
                    errors.Add($"{key}:FilterCriteria:{f} must start with a resource type (Type?param=value).");
                }
            }
        }

        if (options.Items.GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase).Any(g => g.Count() > 1))
        {
            errors.Add($"{SubscriptionsOptions.Section} lists a name more than once.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp) && url.UserInfo.Length == 0;
}

/// <summary>The configuration list <c>Subscriptions</c>, bound as a whole.</summary>
public sealed class SubscriptionsOptions
{
    public const string Section = "Subscriptions";

    public IList<SubscriptionSettings> Items { get; } = [];

    public SubscriptionSettings? Find(string name) =>
        Items.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
}

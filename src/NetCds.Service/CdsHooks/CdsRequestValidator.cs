using System.Text.Json;
using NetCds.Service.CdsHooks.Contracts;
using NetCds.Service.Fhir;

namespace NetCds.Service.CdsHooks;

/// <summary>A request field that is missing or wrong, named as the OperationOutcome expression.</summary>
public sealed record RequestError(string Field, string Message);

/// <summary>Checks a hook call against CDS Hooks 2.0 and the hook's context before anything is fetched or evaluated.</summary>
public static class CdsRequestValidator
{
    /// <summary>Default of <see cref="CdsHooksLimits.MaxFeedbackItems"/> (a CDS Client sends one item per card acted on).</summary>
    public const int MaxFeedbackItems = 100;

    /// <summary>Default of <see cref="CdsHooksLimits.MaxFeedbackBytes"/>: 100 items with 4,000-character comments fit.</summary>
    public const int MaxFeedbackBytes = 1024 * 1024;

    /// <summary>Default of <see cref="CdsHooksLimits.MaxPrefetchEntries"/> (all prefetch keys and draft orders together, counted before any parse).</summary>
    public const int MaxPrefetchEntries = 5000;

    public static RequestError? Validate(string serviceId, CdsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var hooks = CdsServiceCatalog.Hooks[serviceId];
        if (string.IsNullOrWhiteSpace(request.Hook))
        {
            return new("hook", "hook is required.");
        }

        if (!hooks.Contains(request.Hook))
        {
            return new("hook", $"Service '{serviceId}' answers {string.Join(" and ", hooks)}, not '{request.Hook}'.");
        }

        if (!Guid.TryParse(request.HookInstance, out _))
        {
            return new("hookInstance", "hookInstance is required and must be a UUID.");
        }

        if (request.FhirServer is not null && (!Uri.TryCreate(request.FhirServer, UriKind.Absolute, out var server) || server.Scheme is not ("https" or "http")))
        {
            return new("fhirServer", "fhirServer must be an absolute http(s) URL.");
        }

        if (request.FhirAuthorization is { } auth)
        {
            if (request.FhirServer is null)
            {
                return new("fhirServer", "fhirServer is required when fhirAuthorization is given.");
            }

            if (string.IsNullOrWhiteSpace(auth.AccessToken))
            {
                return new("fhirAuthorization.access_token", "fhirAuthorization.access_token is required.");
            }

            if (!string.Equals(auth.TokenType, "Bearer", StringComparison.OrdinalIgnoreCase))
            {
                return new("fhirAuthorization.token_type", "fhirAuthorization.token_type must be Bearer.");
            }
        }

        if (request.Context is not { ValueKind: JsonValueKind.Object } context)
        {
            return new("context", "context is required and must be an object.");
        }

        foreach (var field in new[] { "userId", "patientId" })
        {
            if (!context.TryGetProperty(field, out var value) || value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
            {
                return new($"context.{field}", $"context.{field} is required by {request.Hook}.");
            }
        }

        if (!FhirIds.IsValidId(context.GetProperty("patientId").GetString()))
        {
            return new("context.patientId", "context.patientId must be a FHIR id: 1-64 characters from A-Z, a-z, 0-9, '-' and '.'.");
        }

        if (request.Hook is CdsServiceCatalog.OrderSelect or CdsServiceCatalog.OrderSign)
        {
            if (!context.TryGetProperty("draftOrders", out var orders) || orders.ValueKind != JsonValueKind.Object)
            {
                return new("context.draftOrders", $"context.draftOrders (a Bundle) is required by {request.Hook}.");
            }

            if (request.Hook == CdsServiceCatalog.OrderSelect && (!context.TryGetProperty("selections", out var selections) || selections.ValueKind != JsonValueKind.Array))
            {
                return new("context.selections", "context.selections (an array) is required by order-select.");
            }
        }

        return null;
    }

    public static RequestError? Validate(FeedbackRequest request, int maxItems = MaxFeedbackItems)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Feedback is not { Count: > 0 } items)
        {
            return new("feedback", "feedback must be a non-empty array.");
        }

        if (items.Count > maxItems)
        {
            return new("feedback", $"at most {maxItems} feedback items per call.");
        }

        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var at = $"feedback[{i}]";
            if (item is null)
            {
                return new(at, "a feedback item must be an object.");
            }

            if (string.IsNullOrWhiteSpace(item.Card))
            {
                return new($"{at}.card", "card (the card uuid) is required.");
            }

            if (item.Outcome is not ("accepted" or "overridden"))
            {
                return new($"{at}.outcome", "outcome must be accepted or overridden.");
            }

            if (item.Outcome == "accepted" && (item.AcceptedSuggestions is not { Count: > 0 } || item.AcceptedSuggestions.Any(s => s is null || string.IsNullOrWhiteSpace(s.Id))))
            {
                return new($"{at}.acceptedSuggestions", "an accepted outcome needs acceptedSuggestions, each with an id.");
            }

            if (item.OverrideReason?.Reason is { } reason && string.IsNullOrWhiteSpace(reason.Code))
            {
                return new($"{at}.overrideReason.reason.code", "an override reason needs a code.");
            }

            if (!DateTimeOffset.TryParse(item.OutcomeTimestamp, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _)
                || !(item.OutcomeTimestamp!.EndsWith('Z') || item.OutcomeTimestamp.Contains('+', StringComparison.Ordinal) || item.OutcomeTimestamp.LastIndexOf('-') > 9))
            {
                return new($"{at}.outcomeTimestamp", "outcomeTimestamp must be an ISO 8601 date-time with a zone (RFC 3339).");
            }
        }

        return null;
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;
using NetCds.Service.CdsHooks.Prefetch;

namespace NetCds.Service.CdsHooks.Contracts;

// CDS Hooks 2.0 wire types. Optional members are null and omitted when written (the specification forbids null
// and empty values for optional fields); collections that may be empty are set to null by the builders.

public sealed record CdsDiscoveryResponse(IReadOnlyList<CdsServiceDescriptor> Services);

public sealed record CdsServiceDescriptor(
    string Hook,
    string Title,
    string Description,
    string Id,
    IReadOnlyDictionary<string, string>? Prefetch = null,
    string? UsageRequirements = null);

/// <summary>A hook call. <see cref="Context"/> and <see cref="Prefetch"/> stay raw JSON: their shape depends on the hook.</summary>
public sealed record CdsRequest
{
    public string? Hook { get; init; }

    public string? HookInstance { get; init; }

    public string? FhirServer { get; init; }

    public FhirAuthorization? FhirAuthorization { get; init; }

    public JsonElement? Context { get; init; }

    public JsonElement? Prefetch { get; init; }
}

public sealed record CdsResponse(IReadOnlyList<Card> Cards);

public sealed record Card
{
    public string? Uuid { get; init; }

    public required string Summary { get; init; }

    public string? Detail { get; init; }

    /// <summary><c>info</c>, <c>warning</c> or <c>critical</c>.</summary>
    public required string Indicator { get; init; }

    public required CardSource Source { get; init; }

    public IReadOnlyList<Suggestion>? Suggestions { get; init; }

    /// <summary>Required when there are suggestions: <c>at-most-one</c> or <c>any</c>.</summary>
    public string? SelectionBehavior { get; init; }

    public IReadOnlyList<Coding>? OverrideReasons { get; init; }

    public IReadOnlyList<Link>? Links { get; init; }

    /// <summary>Reverse-domain keyed extensions; ours carries the full eligibility report.</summary>
    public IReadOnlyDictionary<string, object>? Extension { get; init; }
}

public sealed record CardSource(string Label, string? Url = null, string? Icon = null, Coding? Topic = null);

public sealed record Coding(string Code, string? System = null, string? Display = null);

public sealed record Suggestion(string Label, string? Uuid = null, bool? IsRecommended = null, IReadOnlyList<CdsAction>? Actions = null);

/// <param name="Resource">A FHIR resource as JSON (serialized by Firely), for create and update.</param>
public sealed record CdsAction(string Type, string Description, JsonElement? Resource = null, string? ResourceId = null);

public sealed record Link(string Label, string Url, string Type, string? AppContext = null, bool? Autolaunchable = null);

public sealed record FeedbackRequest(IReadOnlyList<FeedbackItem>? Feedback);

public sealed record FeedbackItem
{
    public string? Card { get; init; }

    public string? Outcome { get; init; }

    public IReadOnlyList<AcceptedSuggestion>? AcceptedSuggestions { get; init; }

    public OverrideReason? OverrideReason { get; init; }

    public string? OutcomeTimestamp { get; init; }
}

public sealed record AcceptedSuggestion(string? Id);

public sealed record OverrideReason(Coding? Reason, string? UserComment);

public static class CdsJson
{
    /// <summary>camelCase, nulls omitted: what the specification's examples look like.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static IReadOnlyList<T>? NullIfEmpty<T>(IReadOnlyList<T> items) => items.Count == 0 ? null : items;
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace NetCds.Service.Cards;

// CDS Hooks 2.0 card wire types (spec 2.0 "Card"): built by CardBuilder for hook answers, EligibilityChanged events
// and the landing page. Optional members are null and omitted when written (the specification forbids null and
// empty values for optional fields); collections that may be empty are set to null by the builders.

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

    /// <summary>
    /// The therapies the card speaks of, each with its status and decisive rule ids: what the service remembers of
    /// the card so that feedback on it can be counted (issue 20). Never sent.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyList<CardSubject>? About { get; init; }
}

/// <summary>One therapy a card speaks of: its code, its status code and the rule ids that set the status.</summary>
public sealed record CardSubject(string Therapy, string Status, IReadOnlyList<string> Rules);

public sealed record CardSource(string Label, string? Url = null, string? Icon = null, Coding? Topic = null);

public sealed record Coding(string Code, string? System = null, string? Display = null);

public sealed record Suggestion(string Label, string? Uuid = null, bool? IsRecommended = null, IReadOnlyList<CdsAction>? Actions = null);

/// <param name="Resource">A FHIR resource as JSON (serialized by Firely), for create and update.</param>
public sealed record CdsAction(string Type, string Description, JsonElement? Resource = null, string? ResourceId = null);

public sealed record Link(string Label, string Url, string Type, string? AppContext = null, bool? Autolaunchable = null);

public static class CdsJson
{
    /// <summary>camelCase, nulls omitted: what the specification's examples look like.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static IReadOnlyList<T>? NullIfEmpty<T>(IReadOnlyList<T> items) => items.Count == 0 ? null : items;
}

using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace NetCds.Service.Cards;

// CDS Hooks 2.0 card wire types (spec 2.0 "Card"): built by CardBuilder for hook answers, EligibilityChanged events
// and the landing page. The specification forbids null and empty values: CdsJson.Options omits every null, empty
// string and empty collection when writing (issue 20), so an optional member may simply be left null or empty.

/// <summary>The answer to a hook call; <see cref="Cards"/> is required by the specification and written even when empty.</summary>
public sealed record CdsResponse([property: WrittenWhenEmpty] IReadOnlyList<Card> Cards);

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

    /// <summary>
    /// Reverse-domain keyed extensions; ours (<c>org.netcds.eligibility-report</c>) is a <see cref="ReportReference"/>:
    /// it names the report, never copies it (issue 20).
    /// </summary>
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

/// <summary>
/// The card extension <c>org.netcds.eligibility-report</c> (issue 20): which report the card states, so the EHR or an
/// app can read it whole at <see cref="Url"/> (<c>GET /eligibility/{patientId}</c>, API credentials with patient read).
/// </summary>
/// <param name="Patient">The patient reference, <c>Patient/{id}</c>.</param>
/// <param name="Url">Where the stored report is read: absolute when the service knows its public URL, else relative.</param>
/// <param name="RulesVersion">The rule catalogue version the card was evaluated under.</param>
/// <param name="EvaluatedAt">When the card's evaluation ran (the call's own, from the stored record and the call's data).</param>
/// <param name="Revision">
/// The stored report's revision (the <c>ETag</c> of <see cref="Url"/>) when the card states exactly what it says: the
/// same rules version and every therapy's status the same. Omitted when no report is stored for the patient yet, or
/// when the call's prefetch changed a status (the card was then computed from data the service does not hold).
/// </param>
public sealed record ReportReference(string Patient, string Url, string RulesVersion, DateTimeOffset EvaluatedAt, int? Revision = null);

public sealed record CardSource(string Label, string? Url = null, string? Icon = null, Coding? Topic = null);

public sealed record Coding(string Code, string? System = null, string? Display = null);

public sealed record Suggestion(string Label, string? Uuid = null, bool? IsRecommended = null, IReadOnlyList<CdsAction>? Actions = null);

/// <param name="Resource">A FHIR resource as JSON (serialized by Firely), for create and update.</param>
public sealed record CdsAction(string Type, string Description, JsonElement? Resource = null, string? ResourceId = null);

public sealed record Link(string Label, string Url, string Type, string? AppContext = null, bool? Autolaunchable = null);

/// <summary>A member written even when empty (an empty collection the specification requires, e.g. <c>cards: []</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class WrittenWhenEmptyAttribute : Attribute;

public static class CdsJson
{
    /// <summary>
    /// camelCase, and no member null or empty (CDS Hooks 2.0: "JSON elements SHALL NOT be null ... or empty"; issue
    /// 20): every null, empty string and empty collection is left out when writing, unless marked
    /// <see cref="WrittenWhenEmptyAttribute"/>. Reading is unchanged. Every CDS Hooks answer is written with these.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { OmitEmpty } },
    };

    public static IReadOnlyList<T>? NullIfEmpty<T>(IReadOnlyList<T> items) => items.Count == 0 ? null : items;

    private static void OmitEmpty(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        foreach (var property in type.Properties)
        {
            if (property.AttributeProvider?.IsDefined(typeof(WrittenWhenEmptyAttribute), inherit: true) == true)
            {
                continue;
            }

            // Replaces the ignore condition's own check, so nulls are left out here too.
            property.ShouldSerialize = static (_, value) => !IsNullOrEmpty(value);
        }
    }

    private static bool IsNullOrEmpty(object? value) => value switch
    {
        null => true,
        string text => text.Length == 0,
        JsonElement element => element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null,
        System.Collections.ICollection collection => collection.Count == 0,
        System.Collections.IEnumerable sequence => !sequence.GetEnumerator().MoveNext(),
        _ => false,
    };
}

using System.Text.Json;
using System.Text.Json.Serialization;
using NetCds.Service.Cards;
using NetCds.Service.Storage;

namespace NetCds.Service.CdsHooks.Feedback;

/// <summary>
/// A remembered card's therapies, statuses and decisive rules (<see cref="RememberedCard.Subjects"/>) to and from its
/// stored JSON, with a source-generated serializer (the writer runs it for every card returned).
/// </summary>
public static class RememberedSubjects
{
    /// <summary>The card's subjects, each therapy once with its rules as given (no rule: an empty list).</summary>
    public static string ToJson(IReadOnlyList<CardSubject>? subjects) =>
        JsonSerializer.Serialize(subjects ?? [], RememberedSubjectsJson.Default.IReadOnlyListCardSubject);

    /// <summary>What <see cref="ToJson"/> wrote, or the migration carried over from the former rule rows.</summary>
    public static IReadOnlyList<CardSubject> Parse(string json) =>
        JsonSerializer.Deserialize(json, RememberedSubjectsJson.Default.IReadOnlyListCardSubject) ?? [];

    /// <summary>Each (therapy, rule) a card counts once under: its rules, or <see cref="CardMemory.NoRule"/> when none decided.</summary>
    public static IEnumerable<(string Therapy, string Rule)> TherapyRules(IReadOnlyList<CardSubject>? subjects) =>
        (subjects ?? []).SelectMany(s => s.Rules.Count == 0 ? [(s.Therapy, CardMemory.NoRule)] : s.Rules.Select(r => (s.Therapy, r))).Distinct();
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IReadOnlyList<CardSubject>))]
internal sealed partial class RememberedSubjectsJson : JsonSerializerContext;

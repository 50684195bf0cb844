using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using NetCds.Domain.Facts;

namespace NetCds.Fhir.Mapping;

/// <summary>
/// The kept form of <see cref="ResourceFacts"/>: compact JSON (enums by name, empty lists left out), written and read
/// by source-generated code so a recompute reads a resource's facts in microseconds, not a FHIR parse and a mapping.
/// </summary>
public static class FactStateJson
{
    private static readonly JsonTypeInfo<ResourceFacts> TypeInfo = (JsonTypeInfo<ResourceFacts>)new JsonSerializerOptions(FactStateJsonContext.Default.Options)
    {
        TypeInfoResolver = FactStateJsonContext.Default.WithAddedModifier(LeaveOutEmptyCollections),
    }.GetTypeInfo(typeof(ResourceFacts));

    public static string Serialize(ResourceFacts facts) => JsonSerializer.Serialize(facts, TypeInfo);

    /// <exception cref="JsonException">The text is not kept facts (the caller maps the resource again).</exception>
    public static ResourceFacts Deserialize(string json) =>
        JsonSerializer.Deserialize(json, TypeInfo) ?? throw new JsonException("null fact state");

    /// <summary>Most resources supply one or two kinds of fact: the other, empty, collections are not written.</summary>
    private static void LeaveOutEmptyCollections(JsonTypeInfo type)
    {
        foreach (var property in type.Properties)
        {
            if (typeof(System.Collections.ICollection).IsAssignableFrom(property.PropertyType))
            {
                property.ShouldSerialize = (_, value) => value is System.Collections.ICollection { Count: > 0 };
            }
        }
    }
}

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    Converters = [typeof(IntervalJsonConverter)])]
[JsonSerializable(typeof(ResourceFacts))]
internal sealed partial class FactStateJsonContext : JsonSerializerContext;

/// <summary>An <see cref="Interval"/> by its bounds and the text it was written as (<see cref="Interval.Restore"/>).</summary>
internal sealed class IntervalJsonConverter : JsonConverter<Interval>
{
    public override Interval Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("an interval is an object");
        }

        decimal? low = null, high = null;
        bool lowInclusive = false, highInclusive = false;
        string? written = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "low": low = reader.GetDecimal(); break;
                case "lowIn": lowInclusive = reader.GetBoolean(); break;
                case "high": high = reader.GetDecimal(); break;
                case "highIn": highInclusive = reader.GetBoolean(); break;
                case "text": written = reader.GetString(); break;
                default: reader.Skip(); break;
            }
        }

        return Interval.Restore(low, lowInclusive, high, highInclusive, written ?? throw new JsonException("an interval has its text"));
    }

    public override void Write(Utf8JsonWriter writer, Interval value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        if (value.Low is { } low)
        {
            writer.WriteNumber("low", low);
            writer.WriteBoolean("lowIn", value.LowInclusive);
        }

        if (value.High is { } high)
        {
            writer.WriteNumber("high", high);
            writer.WriteBoolean("highIn", value.HighInclusive);
        }

        writer.WriteString("text", value.Written);
        writer.WriteEndObject();
    }
}

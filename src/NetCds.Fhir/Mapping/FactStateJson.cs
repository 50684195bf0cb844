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
    Converters = [typeof(IntervalJsonConverter), typeof(SharedStringJsonConverter)])]
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
                case "text": written = SharedStringJsonConverter.Read(ref reader); break;
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

/// <summary>
/// Short strings read back from kept facts (units, values as written, specimen and assay names) shared between facts
/// instead of one copy per fact: a patient's fact state holds thousands of "mg/dL" and "1.2" (issue 19, deliverable 7).
/// A fixed table of the strings last read, by hash of their UTF-8 bytes, so it stays small whatever is read; two threads
/// replacing an entry at once only cost a copy.
/// </summary>
internal sealed class SharedStringJsonConverter : JsonConverter<string>
{
    /// <summary>Longer strings (sources, problem texts) are mostly unique: not worth a place in the table.</summary>
    private const int MaxBytes = 16;
    private static readonly Entry?[] Table = new Entry?[1024];

    public override bool HandleNull => false;

    public static string Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > MaxBytes)
        {
            return reader.GetString() ?? throw new JsonException("a string was expected");
        }

        var bytes = reader.ValueSpan;
        var hash = 2166136261u;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 16777619u;
        }

        var slot = (int)(hash % (uint)Table.Length);
        if (Volatile.Read(ref Table[slot]) is { } held && held.Utf8.AsSpan().SequenceEqual(bytes))
        {
            return held.Text;
        }

        var text = reader.GetString()!;
        Volatile.Write(ref Table[slot], new Entry(bytes.ToArray(), text));
        return text;
    }

    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Read(ref reader);

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    private sealed record Entry(byte[] Utf8, string Text);
}

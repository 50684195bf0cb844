using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Utility;
using NetCds.Fhir.Mapping;

namespace NetCds.Fhir.Input;

/// <summary>A parsed resource, or why the input is not one (<see cref="FhirInputError"/>).</summary>
public sealed record ParseResult(Resource? Resource, FhirInputError? Error)
{
    public bool Succeeded => Resource is not null;

    /// <summary>The error as an OperationOutcome (<see cref="FhirInputError.ToOperationOutcome"/>); null on success.</summary>
    public OperationOutcome? Outcome => Error?.ToOperationOutcome();
}

/// <summary>
/// The one edge where FHIR JSON becomes resources (issue 19, deliverable 6): UTF-8 bytes in, a resource or a typed
/// <see cref="FhirInputError"/> out. HTTP bodies, NDJSON lines, bus message bodies, CDS Hooks prefetch values and
/// what the EHR's FHIR server answers all come through <see cref="Parse(ReadOnlySpan{byte})"/>, so each is checked
/// the same way and refused with the same path and message. Strict: valid UTF-8, exactly one well-formed JSON object
/// (no comments, trailing commas or trailing content, which Firely's reader would tolerate), then Firely's
/// <see cref="FhirJsonDeserializer"/> over the same bytes (no string in between), whose every error names its element.
/// </summary>
public static class FhirInput
{
    private static readonly FhirJsonDeserializer Deserializer = new();

    /// <summary>Firely's code for "Resource has no 'resourceType' property" (FhirJsonException).</summary>
    private const string NoResourceType = "JSON103";

    /// <summary>Parses UTF-8 FHIR JSON (a leading byte order mark is allowed).</summary>
    public static ParseResult Parse(ReadOnlySpan<byte> utf8)
    {
        if (utf8.StartsWith(Encoding.UTF8.Preamble))
        {
            utf8 = utf8[Encoding.UTF8.Preamble.Length..];
        }

        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return Failed(new FhirInputError(OperationOutcome.IssueType.Structure, "The input is not valid UTF-8."));
        }

        if (utf8.Trim(" \t\r\n"u8).IsEmpty)
        {
            return Failed(new FhirInputError(OperationOutcome.IssueType.Required, "The input is empty: a FHIR resource is expected."));
        }

        if (Shape(utf8) is { } notAResource)
        {
            return Failed(notAResource);
        }

        return Deserialize(utf8);
    }

    /// <summary>Firely's deserializer over bytes known to be one well-formed JSON object.</summary>
    private static ParseResult Deserialize(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        if (Deserializer.TryDeserializeResource(ref reader, out var resource, out var issues))
        {
            return new ParseResult(resource, null);
        }

        // An object without resourceType is not a resource at all: that one issue, not every element Firely then
        // finds "unknown" in an unnamed resource.
        return issues.FirstOrDefault(i => i.ErrorCode == NoResourceType) is { } untyped
            ? Failed(new FhirInputError(OperationOutcome.IssueType.Structure, untyped.Message, "resourceType"))
            : Failed(new FhirInputError(OperationOutcome.IssueType.Invalid, [.. issues.Select(Issue)]));
    }

    /// <inheritdoc cref="Parse(ReadOnlySpan{byte})"/>
    public static ParseResult Parse(ReadOnlyMemory<byte> utf8) => Parse(utf8.Span);

    /// <summary>
    /// A JSON value already read (a CDS Hooks prefetch value): its own UTF-8 bytes, not a copy, are parsed. An object
    /// skips the strict JSON pass: System.Text.Json read it already, as one well-formed value without comments or
    /// trailing commas (the service never reads its requests with those allowed), so only the UTF-8 check and Firely
    /// remain (a 100-resource prefetch is one pass fewer over about 100 KB).
    /// </summary>
    public static ParseResult Parse(JsonElement value)
    {
        var utf8 = JsonMarshal.GetRawUtf8Value(value);
        if (value.ValueKind != JsonValueKind.Object)
        {
            return Parse(utf8);
        }

        return System.Text.Unicode.Utf8.IsValid(utf8)
            ? Deserialize(utf8)
            : Failed(new FhirInputError(OperationOutcome.IssueType.Structure, "The input is not valid UTF-8."));
    }

    /// <summary>
    /// <see cref="Parse(JsonElement)"/>, with what a Bundle's entries hold each parsed by <paramref name="parseResource"/>
    /// (a cache of earlier parses by content, so a CDS client's prefetch entries sent again are not parsed again) and
    /// only the rest of the Bundle (its type, links, each entry's fullUrl and search) parsed here; a value that is not a
    /// Bundle with entries goes to <paramref name="parseResource"/> whole. Null when the Bundle cannot be taken apart
    /// safely: an entry or its resource that is not a JSON object, a property name written with an escape or given twice,
    /// or an entry's resource that does not parse. The caller then parses it whole, which names every invalid element
    /// at its path within the Bundle (and may set invalid entries aside).
    /// </summary>
    public static ParseResult? ParseByEntry(JsonElement value, Func<JsonElement, ParseResult> parseResource)
    {
        ArgumentNullException.ThrowIfNull(parseResource);
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("resourceType", out var type) || !type.ValueEquals("Bundle")
            || !value.TryGetProperty("entry", out var entries) || entries.ValueKind != JsonValueKind.Array)
        {
            return parseResource(value);
        }

        if (entries.GetArrayLength() == 0 || !System.Text.Unicode.Utf8.IsValid(JsonMarshal.GetRawUtf8Value(value))
            || value.EnumerateObject().Any(Escaped) || value.EnumerateObject().Count(p => p.NameEquals("entry")) > 1)
        {
            return null;
        }

        // Each entry's resource, parsed; and whether the entry holds more than its resource (fullUrl, search, request).
        var read = new List<(Resource? Content, bool HasMore)>(entries.GetArrayLength());
        foreach (var entry in entries.EnumerateArray())
        {
            if (ReadEntry(entry, parseResource) is not { } one)
            {
                return null;
            }

            read.Add(one);
        }

        var withMore = read.Count(e => e.HasMore);
        var parsed = Deserialize(Shell(value, entries, withMore));
        if (parsed.Resource is not Bundle bundle || bundle.Entry.Count != withMore)
        {
            return null;
        }

        // The shell holds only the entries with more than a resource; an entry that was its resource alone is made here.
        var shellEntries = bundle.Entry;
        var next = 0;
        bundle.Entry = [.. read.Select(e => e.HasMore ? WithResource(shellEntries[next++], e.Content) : new Bundle.EntryComponent { Resource = e.Content })];
        return parsed;

        static Bundle.EntryComponent WithResource(Bundle.EntryComponent entry, Resource? content)
        {
            entry.Resource = content;
            return entry;
        }
    }

    /// <summary>One entry of <see cref="ParseByEntry"/>: its resource parsed; null when it cannot be taken apart safely.</summary>
    private static (Resource? Content, bool HasMore)? ReadEntry(JsonElement entry, Func<JsonElement, ParseResult> parseResource)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        Resource? content = null;
        var resources = 0;
        var more = false;
        foreach (var property in entry.EnumerateObject())
        {
            if (Escaped(property))
            {
                return null;
            }

            if (!property.NameEquals("resource"))
            {
                more = true;
            }
            else if (++resources > 1 || property.Value.ValueKind != JsonValueKind.Object || parseResource(property.Value).Resource is not { } parsed)
            {
                return null;
            }
            else
            {
                content = parsed;
            }
        }

        return (content, more);
    }

    /// <summary>
    /// The Bundle without its entries' resources, for Firely to parse: every other property as sent, and only the
    /// entries that hold more than a resource (an entry left empty would be invalid FHIR), each without its resource.
    /// </summary>
    private static ReadOnlySpan<byte> Shell(JsonElement bundle, JsonElement entries, int withMore)
    {
        var shell = new ArrayBufferWriter<byte>(512 + (128 * withMore));
        using var writer = new Utf8JsonWriter(shell);
        writer.WriteStartObject();
        foreach (var property in bundle.EnumerateObject())
        {
            if (!property.NameEquals("entry"))
            {
                property.WriteTo(writer);
            }
            else if (withMore > 0)
            {
                writer.WritePropertyName("entry");
                writer.WriteStartArray();
                foreach (var entry in entries.EnumerateArray())
                {
                    WithoutResource(entry, writer);
                }

                writer.WriteEndArray();
            }
        }

        writer.WriteEndObject();
        writer.Flush();
        return shell.WrittenSpan;

        static void WithoutResource(JsonElement entry, Utf8JsonWriter writer)
        {
            var started = false;
            foreach (var property in entry.EnumerateObject())
            {
                if (property.NameEquals("resource"))
                {
                    continue;
                }

                if (!started)
                {
                    writer.WriteStartObject();
                    started = true;
                }

                property.WriteTo(writer);
            }

            if (started)
            {
                writer.WriteEndObject();
            }
        }
    }

    private static bool Escaped(JsonProperty property) => JsonMarshal.GetRawUtf8PropertyName(property).Contains((byte)'\\');

    /// <summary>
    /// JSON that is already a string (a stored row, a test's literal): encoded into a pooled buffer, then parsed as
    /// bytes. Input that arrives as bytes goes to <see cref="Parse(ReadOnlySpan{byte})"/> directly.
    /// </summary>
    public static ParseResult Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(json, buffer);
            return Parse(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>An OperationOutcome of one error issue (for refusals that are not parse errors: 413, 415, 5xx).</summary>
    public static OperationOutcome Outcome(OperationOutcome.IssueType type, string diagnostics, string? expression = null) =>
        new FhirInputError(type, diagnostics, expression).ToOperationOutcome();

    private static ParseResult Failed(FhirInputError error) => new(null, error);

    /// <summary>
    /// What is wrong with the JSON as JSON, if anything: not exactly one well-formed value, or a value that is not an
    /// object. One forward pass of a strict reader, nothing built.
    /// </summary>
    private static FhirInputError? Shape(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            reader.Read();
            var root = reader.TokenType;
            while (reader.Read())
            {
            }

            return root == JsonTokenType.StartObject
                ? null
                : new FhirInputError(OperationOutcome.IssueType.Structure, $"Not a FHIR resource: the JSON is {Describe(root)}, not an object.");
        }
        catch (JsonException malformed)
        {
            return new FhirInputError(OperationOutcome.IssueType.Structure, $"Malformed JSON: {malformed.Message}");
        }

        static string Describe(JsonTokenType token) => token switch
        {
            JsonTokenType.StartArray => "an array",
            JsonTokenType.String => "a string",
            JsonTokenType.Number => "a number",
            JsonTokenType.True or JsonTokenType.False => "a boolean",
            _ => "null",
        };
    }

    private static FhirInputIssue Issue(CodedException error) =>
        new(error is Hl7.Fhir.Validation.CodedValidationException { InstancePath: { Length: > 0 } path } ? path : null, error.Message);

    /// <summary>
    /// The clinical resources in the input: a single resource as is; a Bundle of any type flattened (collection,
    /// searchset, transaction, batch, history, message, R4 subscription notifications), nested Bundles too, keeping
    /// only what <see cref="ClinicalEntries"/> says carries clinical data.
    /// </summary>
    public static IReadOnlyList<SourcedResource> Resources(Resource root)
    {
        var resources = new List<SourcedResource>();
        Collect(root, null, "", resources);
        return resources;
    }

    private static void Collect(Resource resource, string? fullUrl, string path, List<SourcedResource> into)
    {
        if (resource is Bundle bundle)
        {
            for (var i = 0; i < bundle.Entry.Count; i++)
            {
                var entry = bundle.Entry[i];
                if (ClinicalEntries.Carries(entry) && entry.Resource is { } carried)
                {
                    Collect(carried, entry.FullUrl, $"{path}Bundle.entry[{i}].", into);
                }
            }

            return;
        }

        if (!ClinicalEntries.IsClinical(resource))
        {
            return;
        }

        var reference = !string.IsNullOrEmpty(resource.Id) ? $"{resource.TypeName}/{resource.Id}" : fullUrl ?? $"{path}resource";
        into.Add(new SourcedResource(resource, reference, fullUrl));
    }
}

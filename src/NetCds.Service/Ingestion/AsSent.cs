using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;

namespace NetCds.Service.Ingestion;

/// <summary>
/// Posted resources kept as the JSON they came in, so ingestion stores that text instead of serializing the parsed
/// resource again (issue 19, deliverable 7: Firely's serializer was the largest single allocator of the embedded Bundle
/// load, by allocation sampling, after the parse). Only a resource nothing changed after its parse qualifies: one that
/// came with its id, outside a nested Bundle, in a body whose <c>urn:uuid</c> references are not rewritten
/// (<see cref="IngestionRequest"/>). NDJSON lines follow the same rule (<see cref="NdjsonIngestion"/>).
/// </summary>
public static class AsSent
{
    /// <summary>
    /// The resources of <paramref name="root"/> that will be stored as parsed, looked at before ids are assigned:
    /// the root, or a Bundle's top-level entry resources, each only if it carries an id.
    /// </summary>
    public static IReadOnlySet<Resource> Unchanged(Resource root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var unchanged = new HashSet<Resource>(ReferenceEqualityComparer.Instance);
        if (root is not Bundle bundle)
        {
            if (!string.IsNullOrEmpty(root.Id))
            {
                unchanged.Add(root);
            }

            return unchanged;
        }

        // A urn:uuid fullUrl means references may be rewritten to assigned ids: the parsed resources are then what is stored.
        if (bundle.Entry.Any(e => e.FullUrl?.StartsWith("urn:uuid:", StringComparison.Ordinal) == true))
        {
            return unchanged;
        }

        foreach (var entry in bundle.Entry)
        {
            if (entry.Resource is { } resource and not Bundle && !string.IsNullOrEmpty(resource.Id))
            {
                unchanged.Add(resource);
            }
        }

        return unchanged;
    }

    /// <summary>
    /// <paramref name="entries"/> with <see cref="IngestEntry.Json"/> set, from <paramref name="body"/>, for those whose
    /// resource is in <paramref name="unchanged"/>.
    /// </summary>
    public static List<IngestEntry> Attach(ReadOnlySpan<byte> body, Resource root, List<IngestEntry> entries, IReadOnlySet<Resource> unchanged)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(unchanged);
        if (unchanged.Count == 0)
        {
            return entries;
        }

        if (root is not Bundle bundle)
        {
            var text = unchanged.Contains(root) ? Text(body) : null;
            return [.. entries.Select(e => text is not null && ReferenceEquals(e.Resource, root) ? e with { Json = text } : e)];
        }

        var spans = EntryResourceSpans(body);
        if (spans.Count != bundle.Entry.Count)
        {
            return entries; // not the shape just parsed: keep to serializing
        }

        var place = new Dictionary<Resource, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < bundle.Entry.Count; i++)
        {
            if (bundle.Entry[i].Resource is { } resource && unchanged.Contains(resource))
            {
                place[resource] = i;
            }
        }

        var attached = new List<IngestEntry>(entries.Count);
        foreach (var entry in entries)
        {
            attached.Add(entry.Resource is { } resource && place.TryGetValue(resource, out var i) && spans[i] is var (start, length) && length > 0
                ? entry with { Json = Encoding.UTF8.GetString(body.Slice(start, length)) }
                : entry);
        }

        return attached;
    }

    /// <summary>A resource's JSON as text, as the parser read it: without a leading byte order mark or surrounding blanks.</summary>
    public static string Text(ReadOnlySpan<byte> json)
    {
        if (json.StartsWith(Encoding.UTF8.Preamble))
        {
            json = json[Encoding.UTF8.Preamble.Length..];
        }

        return Encoding.UTF8.GetString(json.Trim(" \t\r\n"u8));
    }

    /// <summary>
    /// Where each top-level <c>entry</c>'s <c>resource</c> object is in a Bundle's JSON (start, length; length 0 for an
    /// entry without one), in entry order: one forward pass of a reader, nothing built.
    /// </summary>
    internal static List<(int Start, int Length)> EntryResourceSpans(ReadOnlySpan<byte> json)
    {
        var spans = new List<(int, int)>();
        if (json.StartsWith(Encoding.UTF8.Preamble))
        {
            return spans; // offsets would not match the parsed text; such bodies are rare enough to serialize
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return spans;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isEntry = reader.ValueTextEquals("entry"u8);
            reader.Read();
            if (!isEntry || reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                (int, int) span = (0, 0);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isResource = reader.ValueTextEquals("resource"u8);
                    reader.Read();
                    if (isResource && reader.TokenType == JsonTokenType.StartObject)
                    {
                        var start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        span = (start, (int)reader.BytesConsumed - start);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }

                spans.Add(span);
            }
        }

        return spans;
    }
}

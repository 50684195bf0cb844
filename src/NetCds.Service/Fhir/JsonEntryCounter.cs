using System.Text.Json;

namespace NetCds.Service.Fhir;

/// <summary>
/// Counts, in one forward pass of a <see cref="Utf8JsonReader"/> (no object built), the items of every array held by
/// a property of a given name, at any depth: Bundle <c>entry</c> (nested Bundles and prefetch searchsets included),
/// CDS Hooks <c>feedback</c>. Lets a limit refuse a request before the full parse costs anything.
/// </summary>
public static class JsonEntryCounter
{
    /// <summary>
    /// The number of items, or a number just over <paramref name="stopAbove"/> as soon as it is passed; null when the
    /// JSON is malformed (the real parser then says where).
    /// </summary>
    public static long? Count(ReadOnlySpan<byte> json, string property, long stopAbove)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256, CommentHandling = JsonCommentHandling.Disallow });

        // Per open container: whether it is an array held by the property; bits beyond 64 levels are kept in a stack.
        var counted = new Stack<bool>();
        var heldByProperty = false;
        long count = 0;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        heldByProperty = reader.ValueTextEquals(property);
                        continue;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        CountItem();
                        counted.Push(reader.TokenType == JsonTokenType.StartArray && heldByProperty);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        counted.Pop();
                        break;
                    default:
                        CountItem();
                        break;
                }

                heldByProperty = false;
                if (count > stopAbove)
                {
                    return count;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return count;

        void CountItem()
        {
            if (counted.Count > 0 && counted.Peek())
            {
                count++;
            }
        }
    }
}

using System.Text.Json;
using NetCds.Service.Cards;
using NetCds.Service.CdsHooks.Contracts;
using NetCds.Service.CdsHooks.Prefetch;

namespace NetCds.Service.CdsHooks;

/// <summary>
/// A hook call read in one pass (issue 20): one <see cref="JsonDocument"/> over the request body as it came, not
/// copied. The call's <c>context</c> and <c>prefetch</c> are elements of that document, and the entry limit is counted
/// on it. The serializer read the body three times (a counting pass, its own pass, and a copy of every
/// <see cref="JsonElement"/> member): 13 % of a saturated call's CPU, measured.
/// </summary>
public static class HookCallReader
{
    // The serializer's own depth limit (JsonSerializerOptions.MaxDepth 0 = 64), so a body too deep for one is too deep for the other.
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    /// <summary>
    /// The call and the number of Bundle entries it holds (counting stops just above <paramref name="stopAbove"/>);
    /// null for anything but the plain shape of a call: a syntax error, a member of another JSON type, a member name
    /// cased otherwise, a <c>fhirAuthorization</c> the serializer refuses. The serializer then reads it as before, so
    /// its errors keep their path and wording. The call's elements are <see cref="HookCallRead.Document"/>'s, over
    /// <paramref name="json"/> itself: both must outlive the call, and the document is disposed after it (its index is
    /// pooled).
    /// </summary>
    public static HookCallRead? TryRead(ReadOnlyMemory<byte> json, long stopAbove)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, Options);
        }
        catch (JsonException)
        {
            return null;
        }

        if (Call(document.RootElement) is not { } call)
        {
            document.Dispose();
            return null;
        }

        return new HookCallRead(call, CountEntries(document.RootElement, 0, stopAbove), document);
    }

    private static CdsRequest? Call(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var call = new CdsRequest();
        foreach (var member in root.EnumerateObject())
        {
            var value = member.Value;
            switch (member.Name)
            {
                case "hook" when Text(value, out var hook):
                    call = call with { Hook = hook };
                    break;
                case "hookInstance" when Text(value, out var instance):
                    call = call with { HookInstance = instance };
                    break;
                case "fhirServer" when Text(value, out var server):
                    call = call with { FhirServer = server };
                    break;
                case "fhirAuthorization" when Authorization(value, out var authorization):
                    call = call with { FhirAuthorization = authorization };
                    break;
                case "context":
                    call = call with { Context = Element(value) };
                    break;
                case "prefetch":
                    call = call with { Prefetch = Element(value) };
                    break;
                case var name when IsMember(name):
                    // A member of another type or cased otherwise: the serializer's to read.
                    return null;
            }
        }

        return call;
    }

    // As the serializer reads a JsonElement? member: JSON null is no value.
    private static JsonElement? Element(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value;

    private static bool Text(JsonElement value, out string? text)
    {
        text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return value.ValueKind is JsonValueKind.String or JsonValueKind.Null;
    }

    // A small object, read by the serializer with the call's options (an EHR sends one with most calls); on a bad one
    // the whole call goes to the serializer, so the error names the member's path within the call.
    private static bool Authorization(JsonElement value, out FhirAuthorization? authorization)
    {
        authorization = null;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        try
        {
            authorization = value.ValueKind == JsonValueKind.Object ? value.Deserialize<FhirAuthorization>(CdsJson.Options) : null;
            return authorization is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool IsMember(string name) =>
        name.Equals("hook", StringComparison.OrdinalIgnoreCase) || name.Equals("hookInstance", StringComparison.OrdinalIgnoreCase)
        || name.Equals("fhirServer", StringComparison.OrdinalIgnoreCase) || name.Equals("fhirAuthorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals("context", StringComparison.OrdinalIgnoreCase) || name.Equals("prefetch", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The items of every array held by a member named <c>entry</c>, at any depth (as <see cref="Fhir.JsonEntryCounter"/>
    /// counts them on bytes); a container's size is read from the document, not counted.
    /// </summary>
    private static long CountEntries(JsonElement element, long count, long stopAbove)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var member in element.EnumerateObject())
            {
                var value = member.Value;
                if (value.ValueKind == JsonValueKind.Array && member.NameEquals("entry"u8))
                {
                    count += value.GetArrayLength();
                }

                if (count > stopAbove)
                {
                    return count;
                }

                if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                {
                    count = CountEntries(value, count, stopAbove);
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                if (count > stopAbove)
                {
                    return count;
                }

                if (item.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                {
                    count = CountEntries(item, count, stopAbove);
                }
            }
        }

        return count;
    }
}

/// <summary>A hook call read in one pass, the number of Bundle entries it holds, and the document its elements are in.</summary>
public readonly record struct HookCallRead(CdsRequest Call, long Entries, JsonDocument Document);

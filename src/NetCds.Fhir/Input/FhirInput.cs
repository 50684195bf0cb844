using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using NetCds.Fhir.Mapping;

namespace NetCds.Fhir.Input;

/// <summary>Parsed input, or why it could not be parsed (an OperationOutcome naming the element).</summary>
public sealed record ParseResult(Resource? Resource, OperationOutcome? Outcome, bool IsMalformedJson)
{
    public bool Succeeded => Resource is not null;
}

/// <summary>
/// The edge where FHIR JSON becomes resources: parsed strictly with Firely's <see cref="FhirJsonDeserializer"/>,
/// checked as its own step, so the core only ever sees valid resources.
/// </summary>
public static class FhirInput
{
    private static readonly FhirJsonDeserializer Deserializer = new();

    public static ParseResult Parse(string json)
    {
        try
        {
            EnsureWellFormed(json);
            return new ParseResult(Deserializer.Deserialize<Resource>(json), null, false);
        }
        catch (DeserializationFailedException failed)
        {
            var outcome = new OperationOutcome();
            foreach (var error in failed.Exceptions)
            {
                var issue = new OperationOutcome.IssueComponent
                {
                    Severity = OperationOutcome.IssueSeverity.Error,
                    Code = OperationOutcome.IssueType.Invalid,
                    Diagnostics = error.Message,
                };
                if (error is Hl7.Fhir.Validation.CodedValidationException coded && !string.IsNullOrEmpty(coded.InstancePath))
                {
                    issue.Expression = [coded.InstancePath];
                }

                outcome.Issue.Add(issue);
            }

            return new ParseResult(null, outcome, false);
        }
        catch (JsonException malformed)
        {
            return new ParseResult(null, Outcome(OperationOutcome.IssueType.Structure, $"Malformed JSON: {malformed.Message}"), true);
        }
        catch (FormatException wrong)
        {
            // e.g. a JSON document without resourceType.
            return new ParseResult(null, Outcome(OperationOutcome.IssueType.Structure, wrong.Message, "resourceType"), false);
        }
        catch (InvalidOperationException notAnObject)
        {
            // Well-formed JSON whose root is not an object (e.g. an array): Firely throws instead of reporting.
            return new ParseResult(null, Outcome(OperationOutcome.IssueType.Structure, $"Not a FHIR resource: {notAnObject.Message}"), false);
        }
    }

    /// <summary>
    /// Firely's reader tolerates trailing commas, comments and content after the root object; strict JSON does not.
    /// Throws <see cref="JsonException"/> for anything that is not exactly one well-formed JSON value.
    /// </summary>
    private static void EnsureWellFormed(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        while (reader.Read())
        {
        }
    }

    public static OperationOutcome Outcome(OperationOutcome.IssueType type, string diagnostics, string? expression = null) => new()
    {
        Issue =
        [
            new OperationOutcome.IssueComponent
            {
                Severity = OperationOutcome.IssueSeverity.Error,
                Code = type,
                Diagnostics = diagnostics,
                Expression = expression is null ? [] : [expression],
            },
        ],
    };

    /// <summary>
    /// The clinical resources in the input: a single resource as is; a Bundle of any type flattened
    /// (collection, searchset without its outcome entries, transaction and batch entries that carry a resource,
    /// history, message without its MessageHeader, and R4 subscription notifications without their
    /// SubscriptionStatus Parameters). Nested Bundles are flattened too.
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
                if (entry.Resource is null || entry.Search?.Mode == Bundle.SearchEntryMode.Outcome)
                {
                    continue;
                }

                Collect(entry.Resource, entry.FullUrl, $"{path}Bundle.entry[{i}].", into);
            }

            return;
        }

        if (resource is MessageHeader or Parameters or OperationOutcome)
        {
            return;
        }

        var reference = !string.IsNullOrEmpty(resource.Id) ? $"{resource.TypeName}/{resource.Id}" : fullUrl ?? $"{path}resource";
        into.Add(new SourcedResource(resource, reference, fullUrl));
    }
}

using Hl7.Fhir.Model;

namespace NetCds.Service.Ingestion;

/// <summary>
/// Turns what was posted (a resource, or a Bundle of any type) into entries to store. Transaction and batch
/// DELETE entries become deletions; MessageHeaders, SubscriptionStatus Parameters and OperationOutcomes are not
/// clinical data and are passed over; resources without an id get one, and <c>urn:uuid</c> references to them
/// (transaction bundles) are rewritten to the assigned ids.
/// </summary>
public static class IngestionRequest
{
    public static (List<IngestEntry> Entries, string? Error) Entries(Resource root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var entries = new List<IngestEntry>();
        var assigned = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root is not Bundle bundle)
        {
            AssignId(root, null, assigned);
            entries.Add(new IngestEntry(root));
            return (entries, null);
        }

        for (var i = 0; i < bundle.Entry.Count; i++)
        {
            var entry = bundle.Entry[i];
            if (entry.Request?.Method == Bundle.HTTPVerb.DELETE)
            {
                var target = entry.Request.Url?.Split('?')[0].Trim('/').Split('/');
                if (target is not { Length: 2 })
                {
                    return ([], $"Bundle.entry[{i}].request.url: a DELETE needs Type/id");
                }

                entries.Add(new IngestEntry(null, target[0], target[1]));
                continue;
            }

            switch (entry.Resource)
            {
                case null:
                    return ([], $"Bundle.entry[{i}].resource: an entry other than a DELETE needs a resource");
                case MessageHeader or Parameters or OperationOutcome or Bundle:
                    continue;
                default:
                    AssignId(entry.Resource, entry.FullUrl, assigned);
                    entries.Add(new IngestEntry(entry.Resource));
                    break;
            }
        }

        if (assigned.Count > 0)
        {
            foreach (var resource in entries.Select(e => e.Resource).OfType<Resource>())
            {
                Rewrite(resource, assigned);
            }
        }

        return (entries, null);
    }

    private static void AssignId(Resource resource, string? fullUrl, Dictionary<string, string> assigned)
    {
        if (string.IsNullOrEmpty(resource.Id))
        {
            resource.Id = Guid.NewGuid().ToString("N");
        }

        if (fullUrl is not null && fullUrl.StartsWith("urn:uuid:", StringComparison.Ordinal))
        {
            assigned[fullUrl] = $"{resource.TypeName}/{resource.Id}";
        }
    }

    private static void Rewrite(Base element, Dictionary<string, string> assigned)
    {
        if (element is ResourceReference reference && reference.Reference is { } target && assigned.TryGetValue(target, out var local))
        {
            reference.Reference = local;
        }

        foreach (var (_, value) in element.EnumerateElements())
        {
            switch (value)
            {
                case Base child:
                    Rewrite(child, assigned);
                    break;
                case IEnumerable<Base> children:
                    foreach (var child in children)
                    {
                        Rewrite(child, assigned);
                    }

                    break;
            }
        }
    }
}

using Hl7.Fhir.Model;
using NetCds.Fhir.Input;
using NetCds.Service.Fhir;

namespace NetCds.Service.Ingestion;

/// <summary>How the entries of one posted Bundle entry were stored: how many, and whether it was a nested Bundle.</summary>
public sealed record IngestSlot(int Count, bool Nested);

/// <summary>
/// Turns what was posted (a resource, or a Bundle of any type) into entries to store. Transaction and batch
/// DELETE entries become deletions; entries that carry no clinical data (<see cref="ClinicalEntries"/>: MessageHeaders,
/// SubscriptionStatus Parameters, OperationOutcomes, search outcomes) are passed over; a nested Bundle gives its resources (as <c>$evaluate</c> reads them); resources
/// without an id get one, and <c>urn:uuid</c> references to them (transaction bundles) are rewritten to the assigned
/// ids. Every type and id is checked (<see cref="FhirIds"/>). One <see cref="IngestSlot"/> per posted entry.
/// </summary>
public static class IngestionRequest
{
    private const int MaxNesting = 4;

    public static (List<IngestEntry> Entries, List<IngestSlot> Slots, string? Error) Entries(Resource root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var entries = new List<IngestEntry>();
        var slots = new List<IngestSlot>();
        var assigned = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root is not Bundle bundle)
        {
            if (FhirIds.Check(root.TypeName, root.Id) is { } bad)
            {
                return ([], [], $"{root.TypeName}.id: {bad}");
            }

            AssignId(root, null, assigned);
            entries.Add(new IngestEntry(root));
            slots.Add(new IngestSlot(1, false));
            return (entries, slots, null);
        }

        if (IsSubscriptionNotification(bundle) && CarriesNoResources(bundle))
        {
            // Its resources have to be read from the notifying server, which only a configured subscription knows;
            // stored as it is, the event would be lost without a word.
            return ([], [], "Bundle.entry[0].resource: an id-only or empty subscription notification is taken at /subscriptions/{name}/notifications, where the subscription (and so the server to read its resources from) is configured");
        }

        for (var i = 0; i < bundle.Entry.Count; i++)
        {
            var entry = bundle.Entry[i];
            var path = $"Bundle.entry[{i}]";
            if (entry.Request?.Method == Bundle.HTTPVerb.DELETE)
            {
                var target = entry.Request.Url?.Split('?')[0].Trim('/').Split('/');
                if (target is not { Length: 2 } || FhirIds.Check(target[0], target[1]) is not null)
                {
                    return ([], [], $"{path}.request.url: a DELETE needs Type/id, with a FHIR R4 resource type and a valid id");
                }

                entries.Add(new IngestEntry(null, target[0], target[1]));
                slots.Add(new IngestSlot(1, false));
                continue;
            }

            if (entry.Resource is null)
            {
                return ([], [], $"{path}.resource: an entry other than a DELETE needs a resource");
            }

            if (!ClinicalEntries.Carries(entry))
            {
                // Not clinical data (ClinicalEntries, the one place that says so): answered, nothing stored.
                slots.Add(new IngestSlot(0, false));
                continue;
            }

            var before = entries.Count;
            if (Add(entry.Resource, entry.FullUrl, path + ".resource", 0, entries, assigned) is { } error)
            {
                return ([], [], error);
            }

            slots.Add(new IngestSlot(entries.Count - before, entry.Resource is Bundle));
        }

        if (assigned.Count > 0)
        {
            foreach (var resource in entries.Select(e => e.Resource).OfType<Resource>())
            {
                Rewrite(resource, assigned);
            }
        }

        return (entries, slots, null);
    }

    /// <summary>A Subscriptions Backport notification: a history Bundle led by the SubscriptionStatus Parameters.</summary>
    private static bool IsSubscriptionNotification(Bundle bundle) =>
        bundle.Type == Bundle.BundleType.History && bundle.Entry.FirstOrDefault()?.Resource is Parameters;

    /// <summary>An event notification (not a handshake or heartbeat) whose entries after the status hold no resource.</summary>
    private static bool CarriesNoResources(Bundle bundle) =>
        (bundle.Entry[0].Resource as Parameters)?.GetSingle("type")?.Value?.ToString() is "event-notification" or "query-event"
        && bundle.Entry.Skip(1).All(e => e.Resource is null);

    /// <summary>Adds one resource (or, for a nested Bundle, its resources); returns what is wrong with it, if anything.</summary>
    private static string? Add(Resource resource, string? fullUrl, string path, int depth, List<IngestEntry> entries, Dictionary<string, string> assigned)
    {
        switch (resource)
        {
            case not Bundle when !ClinicalEntries.IsClinical(resource):
                return null;
            case Bundle when depth >= MaxNesting:
                return $"{path}: Bundles nested more than {MaxNesting} deep";
            case Bundle nested:
                for (var j = 0; j < nested.Entry.Count; j++)
                {
                    if (ClinicalEntries.Carries(nested.Entry[j]) && nested.Entry[j].Resource is { } inner
                        && Add(inner, nested.Entry[j].FullUrl, $"{path}.entry[{j}].resource", depth + 1, entries, assigned) is { } error)
                    {
                        return error;
                    }
                }

                return null;
            default:
                if (FhirIds.Check(resource.TypeName, resource.Id) is { } bad)
                {
                    return $"{path}.id: {bad}";
                }

                AssignId(resource, fullUrl, assigned);
                entries.Add(new IngestEntry(resource));
                return null;
        }
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

using System.Text.Json;
using Microsoft.Extensions.Options;
using NetCds.Fhir.Input;
using NetCds.Fhir.Mapping;
using NetCds.Service.Records;
using OperationOutcome = Hl7.Fhir.Model.OperationOutcome;

namespace NetCds.Service.CdsHooks.Prefetch;

/// <summary>
/// Turns a CDS Hooks request's prefetch into resources: each template key is taken from the request when it
/// carries usable data, otherwise fetched from the request's FHIR server; all keys in parallel, within
/// <see cref="CdsHooksFhirOptions.TotalBudgetMilliseconds"/>. Logs name the FHIR server's host and key names only.
/// </summary>
public sealed partial class PrefetchResolver(FhirServerClient client, ParsedResources parsedResources, IOptions<CdsHooksFhirOptions> options, ILogger<PrefetchResolver> logger)
{
    /// <inheritdoc cref="ResolveAsync(IReadOnlyDictionary{string, JsonElement}?, IReadOnlyDictionary{string, JsonElement}?, string?, FhirAuthorization?, CancellationToken)"/>
    public Task<PrefetchResolution> ResolveAsync(
        JsonElement? prefetch,
        JsonElement? context,
        string? fhirServer,
        FhirAuthorization? fhirAuthorization,
        CancellationToken cancellationToken) =>
        ResolveAsync(Fields(prefetch), Fields(context), fhirServer, fhirAuthorization, cancellationToken);

    /// <summary>
    /// Per key of <see cref="PrefetchTemplates.All"/>: a resource or Bundle in the request is used; JSON null means
    /// the client has no data (not fetched); an OperationOutcome, an unparsable value or an absent key is fetched
    /// (which needs <paramref name="fhirServer"/>). Keys the templates do not declare are ignored.
    /// Cancellation by <paramref name="cancellationToken"/> throws; running out of budget makes the keys still
    /// being fetched <see cref="PrefetchSource.Unavailable"/>.
    /// </summary>
    public async Task<PrefetchResolution> ResolveAsync(
        IReadOnlyDictionary<string, JsonElement>? prefetch,
        IReadOnlyDictionary<string, JsonElement>? context,
        string? fhirServer,
        FhirAuthorization? fhirAuthorization,
        CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var server = ParseServer(fhirServer, out var serverProblem);
        var host = server?.Host ?? "(no fhirServer)";
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(settings.TotalBudget);

        var setAside = new System.Collections.Concurrent.ConcurrentQueue<DataProblem>();
        var keys = PrefetchTemplates.All.Select(t => ResolveKeyAsync(t.Key, t.Value)).ToArray();
        var resolved = await Task.WhenAll(keys).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        var resources = new List<SourcedResource>();
        var outcomes = new Dictionary<string, PrefetchKeyResult>(StringComparer.Ordinal);
        var missingRequired = new List<PrefetchKeyResult>();
        foreach (var (outcome, items) in resolved)
        {
            resources.AddRange(items);
            outcomes[outcome.Key] = outcome;
            if (outcome.Required && !items.Any(i => i.Resource.TypeName == RequiredType(outcome.Key)))
            {
                missingRequired.Add(outcome);
            }

            if (outcome.Source == PrefetchSource.Unavailable)
            {
                LogUnavailable(logger, outcome.Key, host, outcome.Reason);
            }
            else if (outcome.Truncated)
            {
                LogTruncated(logger, outcome.Key, host, outcome.Reason);
            }
            else
            {
                LogKey(logger, outcome.Key, outcome.Source, outcome.ResourceCount);
            }
        }

        var fetched = outcomes.Values.Count(o => o.Source == PrefetchSource.Fetched);
        var unavailable = outcomes.Values.Count(o => o.Source == PrefetchSource.Unavailable);
        if (fetched + unavailable > 0)
        {
            NetCds.Service.Ops.NetCdsTelemetry.PrefetchFetched(fetched);
            NetCds.Service.Ops.NetCdsTelemetry.PrefetchFailed(unavailable);
            LogSummary(logger, host, fetched, unavailable, missingRequired.Count == 0);
        }

        return new PrefetchResolution(resources, outcomes) { MissingRequired = missingRequired, SetAside = [.. setAside] };

        async Task<(PrefetchKeyResult Outcome, IReadOnlyList<SourcedResource> Items)> ResolveKeyAsync(string key, string template)
        {
            string? why;
            if (prefetch is null || !prefetch.TryGetValue(key, out var value) || value.ValueKind == JsonValueKind.Undefined)
            {
                why = null;
            }
            else if (value.ValueKind == JsonValueKind.Null)
            {
                return (new PrefetchKeyResult(key, PrefetchSource.NullInRequest, "the CDS client sent null: no data", 0), []);
            }
            else if (value.ValueKind != JsonValueKind.Object)
            {
                why = $"prefetched value is a JSON {value.ValueKind}, not a resource";
            }
            else
            {
                // Each resource is parsed once per content: a chart opened again sends the same ones (issue 20).
                var parsed = FhirInput.ParseByEntry(value, parsedResources.ByContent) ?? FhirInput.Parse(value);
                if (parsed.Resource is null && WithoutInvalidEntries($"prefetch {key}", value, setAside) is { } salvaged)
                {
                    parsed = salvaged;
                }

                switch (parsed.Resource)
                {
                    case null:
                        why = $"prefetched value is not a valid FHIR resource{parsed.Error?.Locations}";
                        break;
                    case OperationOutcome:
                        why = "the CDS client sent an OperationOutcome instead of data";
                        break;
                    case Hl7.Fhir.Model.Patient other when key == PrefetchTemplates.Patient && other.Id != PatientId(context):
                        // Another patient's record never stands in for this one: fetched as if absent.
                        why = "the prefetched Patient is not context.patientId";
                        break;
                    case var resource:
                        var items = FhirInput.Resources(resource);
                        return (new PrefetchKeyResult(key, PrefetchSource.Prefetched, null, items.Count), items);
                }
            }

            return await FetchAsync(key, template, why).ConfigureAwait(false);
        }

        async Task<(PrefetchKeyResult Outcome, IReadOnlyList<SourcedResource> Items)> FetchAsync(string key, string template, string? why)
        {
            var prefix = why is null ? "" : why + "; ";
            if (server is null)
            {
                return (new PrefetchKeyResult(key, PrefetchSource.Unavailable, $"{prefix}not fetched: {serverProblem}", 0), []);
            }

            if (!PrefetchTemplates.TryRender(template, context, out var query, out var token))
            {
                return (new PrefetchKeyResult(key, PrefetchSource.Unavailable, $"{prefix}not fetched: the context has no value for {{{{{token}}}}}", 0), []);
            }

            FhirFetchResult fetched;
            try
            {
                fetched = await client.GetAsync(server, query, fhirAuthorization?.AccessToken, budget.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return (new PrefetchKeyResult(key, PrefetchSource.Unavailable, $"{prefix}no answer from {server.Host} within the {settings.TotalBudgetMilliseconds} ms budget", 0), []);
            }

            if (!fetched.Succeeded)
            {
                return (new PrefetchKeyResult(key, PrefetchSource.Unavailable, prefix + fetched.Failure, 0), []);
            }

            foreach (var problem in fetched.SetAside)
            {
                setAside.Enqueue(problem);
            }

            var items = FhirInput.Resources(fetched.Resource!);
            var reason = string.Join("; ", new[] { why, fetched.Truncation }.Where(r => r is not null));
            return (new PrefetchKeyResult(key, PrefetchSource.Fetched, reason.Length == 0 ? null : reason, items.Count, fetched.Truncation is not null), items);
        }
    }

    /// <summary>
    /// A prefetched Bundle that failed to parse as a whole, parsed again without the entries whose resource is not
    /// valid FHIR: each of those becomes a data problem naming it (type and id when they are usable, else the key and
    /// position), so one bad Condition does not lose its good neighbours. Null when the Bundle itself is the problem.
    /// </summary>
    /// <param name="label">Names an entry whose resource has no usable type and id: <c>{label} entry[{index}]</c>.</param>
    internal static ParseResult? WithoutInvalidEntries(string label, JsonElement value, System.Collections.Concurrent.ConcurrentQueue<DataProblem> setAside)
    {
        if (!value.TryGetProperty("resourceType", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "Bundle"
            || !value.TryGetProperty("entry", out var entries) || entries.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var bundle = System.Text.Json.Nodes.JsonObject.Create(value)!;
        var kept = new System.Text.Json.Nodes.JsonArray();
        var problems = new List<DataProblem>();
        var index = 0;
        foreach (var entry in entries.EnumerateArray())
        {
            if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("resource", out var resource) && resource.ValueKind == JsonValueKind.Object
                && FhirInput.Parse(resource) is { Error: { } bad })
            {
                problems.Add(new DataProblem(Name(label, index, resource), bad.Issues.Select(i => i.Path).FirstOrDefault(p => p is not null), DataProblemKind.Invalid, $"not valid FHIR R4{bad.Locations}: set aside"));
            }
            else
            {
                kept.Add(System.Text.Json.Nodes.JsonNode.Parse(entry.GetRawText()));
            }

            index++;
        }

        if (problems.Count == 0)
        {
            return null;
        }

        bundle["entry"] = kept;
        var reparsed = FhirInput.Parse(JsonSerializer.SerializeToUtf8Bytes(bundle).AsSpan());
        if (reparsed.Resource is null)
        {
            return null;
        }

        foreach (var problem in problems)
        {
            setAside.Enqueue(problem);
        }

        return reparsed;

        static string Name(string label, int index, JsonElement resource) =>
            resource.TryGetProperty("resourceType", out var t) && t.ValueKind == JsonValueKind.String && NetCds.Service.Fhir.FhirIds.IsKnownType(t.GetString())
            && resource.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && NetCds.Service.Fhir.FhirIds.IsValidId(id.GetString())
                ? $"{t.GetString()}/{id.GetString()}"
                : $"{label} entry[{index}]";
    }

    private static string? PatientId(IReadOnlyDictionary<string, JsonElement>? context) =>
        context is not null && context.TryGetValue("patientId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;

    private static string RequiredType(string key) => key switch
    {
        PrefetchTemplates.Patient => "Patient",
        _ => throw new InvalidOperationException($"No resource type is known for required key '{key}'."),
    };

    private static Uri? ParseServer(string? fhirServer, out string problem)
    {
        problem = "";
        if (string.IsNullOrWhiteSpace(fhirServer))
        {
            problem = "the request has no fhirServer";
            return null;
        }

        if (!Uri.TryCreate(fhirServer, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            problem = "the request's fhirServer is not an absolute http(s) URL";
            return null;
        }

        // Credentials in a URL would reach every log line that names it: they are dropped before anything uses it.
        return uri.UserInfo.Length == 0 ? uri : new UriBuilder(uri) { UserName = "", Password = "" }.Uri;
    }

    private static Dictionary<string, JsonElement>? Fields(JsonElement? element) =>
        element is { ValueKind: JsonValueKind.Object } obj
            ? obj.EnumerateObject().GroupBy(p => p.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal)
            : null;

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Prefetch key {Key}: {Source}, {Count} resources")]
    private static partial void LogKey(ILogger logger, string key, PrefetchSource source, int count);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Prefetch key {Key} unavailable from {FhirHost}: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string key, string fhirHost, string? reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Prefetch key {Key} from {FhirHost} is incomplete: {Reason}")]
    private static partial void LogTruncated(ILogger logger, string key, string fhirHost, string? reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Prefetch resolved with {FhirHost}: {Fetched} keys fetched, {Unavailable} unavailable, required data {RequiredObtained}")]
    private static partial void LogSummary(ILogger logger, string fhirHost, int fetched, int unavailable, bool requiredObtained);
}

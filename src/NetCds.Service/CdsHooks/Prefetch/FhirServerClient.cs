using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using NetCds.Fhir.Input;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Bundle = Hl7.Fhir.Model.Bundle;
using OperationOutcome = Hl7.Fhir.Model.OperationOutcome;
using Resource = Hl7.Fhir.Model.Resource;

namespace NetCds.Service.CdsHooks.Prefetch;

/// <summary>
/// What a GET against the FHIR server gave: the resource (a searchset's pages merged into the first Bundle),
/// or why not. <see cref="Failure"/> never holds the query, the token or the patient id.
/// </summary>
public sealed record FhirFetchResult(Resource? Resource, string? Failure, int Pages = 0, string? Truncation = null)
{
    public bool Succeeded => Resource is not null;

    /// <summary>Entries of a searchset page left out because their resource is not valid FHIR (the good entries are kept).</summary>
    public IReadOnlyList<NetCds.Fhir.Mapping.DataProblem> SetAside { get; init; } = [];

    public static FhirFetchResult Failed(string reason) => new(null, reason);
}

/// <summary>
/// Typed HttpClient for the CDS client's FHIR server. Resilience (attempt timeout, retry, circuit breaker) is
/// declared once on its handler (<see cref="PrefetchExtensions.AddCdsHooksPrefetch"/>); the caller's token bounds
/// the whole fetch, pages included.
/// </summary>
public sealed class FhirServerClient(HttpClient http, IOptions<CdsHooksFhirOptions> options)
{
    public const string FhirJson = "application/fhir+json";

    private static readonly HttpRequestOptionsKey<string> ResourceTypeOption = new("NetCds.FhirResourceType");

    /// <summary>
    /// GETs <c>{fhirServer}/{query}</c>, following a searchset's <c>next</c> links on the same origin up to
    /// <see cref="CdsHooksFhirOptions.MaxPages"/> pages. Expected failures (non-2xx, unparsable, unreachable) are
    /// values; cancellation through <paramref name="cancellationToken"/> throws.
    /// </summary>
    public async Task<FhirFetchResult> GetAsync(Uri fhirServer, string query, string? accessToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fhirServer);
        ArgumentNullException.ThrowIfNull(query);
        var maxPages = options.Value.MaxPages;
        var root = new Uri(fhirServer.AbsoluteUri.TrimEnd('/') + "/", UriKind.Absolute);
        var next = new Uri(root, query.TrimStart('/'));
        var visited = new HashSet<string>(StringComparer.Ordinal);
        Resource? first = null;
        var pages = 0;
        string? truncation = null;
        var setAside = new List<NetCds.Fhir.Mapping.DataProblem>();

        while (next is not null)
        {
            if (pages == maxPages)
            {
                truncation = $"stopped after {maxPages} pages";
                break;
            }

            visited.Add(next.AbsoluteUri);
            var page = await GetPageAsync(fhirServer, next, accessToken, ResourceTypeOf(query), pages + 1, cancellationToken).ConfigureAwait(false);
            if (!page.Succeeded)
            {
                return page;
            }

            pages++;
            setAside.AddRange(page.SetAside);
            next = null;
            if (first is null)
            {
                first = page.Resource;
            }
            else if (first is Bundle merged && page.Resource is Bundle more)
            {
                merged.Entry.AddRange(more.Entry);
            }
            else
            {
                return FhirFetchResult.Failed($"page {pages} from {fhirServer.Host} is a {page.Resource!.TypeName}, not a Bundle");
            }

            if (page.Resource is Bundle { Type: Bundle.BundleType.Searchset } bundle && bundle.NextLink is { } link)
            {
                var target = link.IsAbsoluteUri ? link : new Uri(root, link);
                if (!SameOrigin(target, fhirServer))
                {
                    // The token is only ever sent to the fhirServer of the request.
                    truncation = $"next link of page {pages} leaves {fhirServer.Host}; not followed";
                }
                else if (visited.Contains(target.AbsoluteUri))
                {
                    truncation = $"next link of page {pages} repeats an earlier page; not followed";
                }
                else
                {
                    next = target;
                }
            }
        }

        if (first is Bundle result)
        {
            result.Link.RemoveAll(l => l.Relation == "next");
        }

        return new FhirFetchResult(first, null, pages, truncation) { SetAside = setAside };
    }

    /// <summary>Which resilience pipeline (so which circuit) a request goes through: its FHIR server and resource type.</summary>
    internal static string PipelineKey(HttpRequestMessage request) =>
        $"{request.RequestUri?.GetLeftPart(UriPartial.Authority)} {(request.Options.TryGetValue(ResourceTypeOption, out var type) ? type : "")}";

    private static string ResourceTypeOf(string query) => query.TrimStart('/').Split('/', '?')[0];

    private async Task<FhirFetchResult> GetPageAsync(Uri fhirServer, Uri url, string? accessToken, string resourceType, int pageNumber, CancellationToken cancellationToken)
    {
        var where = pageNumber == 1 ? fhirServer.Host : $"{fhirServer.Host} (page {pageNumber})";
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Options.Set(ResourceTypeOption, resourceType);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(FhirJson));
        if (!string.IsNullOrEmpty(accessToken))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        byte[] body;
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return FhirFetchResult.Failed($"HTTP {(int)response.StatusCode} from {where}");
            }

            body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TimeoutRejectedException)
        {
            return FhirFetchResult.Failed($"no answer from {where} in time");
        }
        catch (BrokenCircuitException)
        {
            return FhirFetchResult.Failed($"{resourceType} requests to {fhirServer.Host} keep failing; paused (circuit open)");
        }
        catch (OperationCanceledException)
        {
            return FhirFetchResult.Failed($"no answer from {where} in time");
        }
        catch (HttpRequestException failed)
        {
            return FhirFetchResult.Failed($"{where} could not be reached ({failed.HttpRequestError})");
        }

        // The one FHIR input edge (issue 19): the answer's bytes, as a prefetch value or a POST would be read.
        var parsed = FhirInput.Parse(body.AsSpan());
        var setAside = new System.Collections.Concurrent.ConcurrentQueue<NetCds.Fhir.Mapping.DataProblem>();
        if (parsed.Resource is null)
        {
            // A searchset with one malformed entry keeps its good ones, as a prefetched Bundle does (issue 20).
            using var document = ParsedJson(body);
            if (document is not null && PrefetchResolver.WithoutInvalidEntries($"{resourceType} search page {pageNumber}", document.RootElement, setAside) is { } salvaged)
            {
                parsed = salvaged;
            }
        }

        return parsed.Resource switch
        {
            null => FhirFetchResult.Failed($"the answer from {where} is not a valid FHIR resource{parsed.Error?.Locations}"),
            OperationOutcome => FhirFetchResult.Failed($"{where} answered with an OperationOutcome"),
            var resource => new FhirFetchResult(resource, null, 1) { SetAside = [.. setAside] },
        };
    }

    private static JsonDocument? ParsedJson(byte[] body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;
}

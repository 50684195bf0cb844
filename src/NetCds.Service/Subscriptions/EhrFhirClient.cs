using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.Options;
using NetCds.Fhir.Input;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace NetCds.Service.Subscriptions;

/// <summary>
/// A read from the EHR failed after the HTTP retries: the bus retries the notification, then moves it to the error
/// queue with this reason. The reason names the host and the HTTP status, never the query (it may hold a patient id).
/// </summary>
public sealed class EhrReadException(string message, HttpStatusCode? status = null) : Exception(message)
{
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>
/// Reads and writes on a subscription's FHIR server with a SMART Backend Services token, through the shared FHIR
/// resilience pipeline (<see cref="Fhir.FhirHttpResilience"/>). The client's default request logging is off:
/// URLs carry patient ids.
/// </summary>
public sealed class EhrFhirClient(IHttpClientFactory httpFactory, BackendServicesTokens tokens, IOptions<SubscriptionFetchOptions> options)
{
    public const string HttpClientName = "subscriptions-fhir";
    public const string FhirJson = "application/fhir+json";

    private static readonly FhirJsonSerializer Serializer = new();

    /// <summary>GETs <paramref name="url"/> (absolute, or relative to the server base); a searchset's next pages on the same server are merged in.</summary>
    public async Task<Resource> GetAsync(SubscriptionSettings settings, string url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var target = Resolve(settings, url);
        Resource? first = null;
        for (var page = 1; target is not null; page++)
        {
            if (page > options.Value.MaxPages)
            {
                throw new EhrReadException($"more than {options.Value.MaxPages} pages from {target.Host}: raise SubscriptionFetch:MaxPages");
            }

            var resource = await SendAsync(settings, HttpMethod.Get, target, null, cancellationToken)
                ?? throw new EhrReadException($"{target.Host} answered with no body");
            target = null;
            if (first is null)
            {
                first = resource;
            }
            else if (first is Bundle merged && resource is Bundle more)
            {
                merged.Entry.AddRange(more.Entry);
            }

            if (resource is Bundle { Type: Bundle.BundleType.Searchset } bundle && bundle.NextLink is { } next)
            {
                var absolute = next.IsAbsoluteUri ? next : new Uri(Base(settings), next);
                // The token only ever goes to the configured server.
                target = absolute.GetLeftPart(UriPartial.Authority) == Base(settings).GetLeftPart(UriPartial.Authority) ? absolute : null;
            }
        }

        return first!;
    }

    public Task<Resource?> PostAsync(SubscriptionSettings settings, string url, Resource body, CancellationToken cancellationToken) =>
        SendAsync(settings, HttpMethod.Post, Resolve(settings, url), body, cancellationToken);

    public Task<Resource?> DeleteAsync(SubscriptionSettings settings, string url, CancellationToken cancellationToken) =>
        SendAsync(settings, HttpMethod.Delete, Resolve(settings, url), null, cancellationToken);

    /// <summary>The server base with a trailing slash, for resolving relative references.</summary>
    public static Uri Base(SubscriptionSettings settings) => new(settings.ServerBaseUrl.TrimEnd('/') + "/", UriKind.Absolute);

    /// <summary>A reference or query made absolute against the server base.</summary>
    public static Uri Resolve(SubscriptionSettings settings, string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https" ? absolute : new Uri(Base(settings), url.TrimStart('/'));

    private async Task<Resource?> SendAsync(SubscriptionSettings settings, HttpMethod method, Uri url, Resource? body, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, url);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(FhirJson));
            if (await tokens.TokenAsync(settings, cancellationToken) is { } token)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            if (body is not null)
            {
                request.Content = new StringContent(Serializer.SerializeToString(body), Encoding.UTF8, FhirJson);
            }

            byte[] text;
            try
            {
                using var response = await httpFactory.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
                if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 1 && settings.ClientId.Length > 0)
                {
                    // The token may have been revoked before its expiry: one more try with a new one.
                    tokens.Forget(settings.Name);
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw new EhrReadException($"HTTP {(int)response.StatusCode} from {url.Host} ({method} {ResourceTypeOf(settings, url)})", response.StatusCode);
                }

                text = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (TimeoutRejectedException)
            {
                throw new EhrReadException($"no answer from {url.Host} in time");
            }
            catch (BrokenCircuitException)
            {
                throw new EhrReadException($"requests to {url.Host} keep failing; paused (circuit open)");
            }
            catch (HttpRequestException failed)
            {
                throw new EhrReadException($"{url.Host} could not be reached ({failed.HttpRequestError})");
            }

            if (text.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
            {
                return null;
            }

            // The one FHIR input edge (issue 19); the reason names element paths only (it is logged and kept).
            var parsed = FhirInput.Parse(text.AsSpan());
            return parsed.Resource ?? throw new EhrReadException($"the answer from {url.Host} is not a valid FHIR resource{parsed.Error!.Locations}");
        }
    }

    /// <summary>The resource type a URL is about (for messages): the first path segment after the base.</summary>
    private static string ResourceTypeOf(SubscriptionSettings settings, Uri url)
    {
        var relative = url.AbsolutePath.StartsWith(Base(settings).AbsolutePath, StringComparison.Ordinal) ? url.AbsolutePath[Base(settings).AbsolutePath.Length..] : url.AbsolutePath.TrimStart('/');
        return relative.Split('/')[0];
    }
}

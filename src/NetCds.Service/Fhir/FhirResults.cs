using System.Buffers;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using NetCds.Fhir.Input;

namespace NetCds.Service.Fhir;

/// <summary>FHIR JSON responses: OperationOutcomes for bad input, serialized by Firely.</summary>
public static class FhirResults
{
    public const string FhirJson = "application/fhir+json";

    private static readonly FhirJsonSerializer Serializer = new();

    /// <summary>
    /// Parses <c>asOf</c> (ISO 8601, UTC unless a zone is given) between the years 1900 and 2200: beyond that the
    /// dates the engine derives (ages, windows) would overflow. Null when it is not such a date.
    /// </summary>
    public static DateTimeOffset? ParseAsOf(string asOf) =>
        System.DateTimeOffset.TryParse(asOf, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var instant)
        && instant.UtcDateTime.Year is >= 1900 and <= 2200
            ? instant
            : null;

    /// <summary>OpenAPI description of the report routes: the 200 schema is our JSON; FHIR is the other form (issue 21).</summary>
    public const string NegotiatedReport = "Answers the eligibility report as JSON (application/json, the default). With Accept: application/fhir+json it answers the same report as a FHIR R4 collection Bundle: one GuidanceResponse per therapy, its output Parameters, and for contraindications an OperationOutcome and DetectedIssues (docs/fhir.md).";

    /// <summary>
    /// Content negotiation for the report routes (issue 21): true when the caller's Accept lists
    /// application/fhir+json with a quality at least that of application/json (and of */*). No Accept, or
    /// application/json preferred, keeps our JSON report.
    /// </summary>
    public static bool WantsFhir(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var accept = request.GetTypedHeaders().Accept;
        double Quality(string mediaType) => accept
            .Where(a => a.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase))
            .Select(a => a.Quality ?? 1.0)
            .DefaultIfEmpty(-1)
            .Max();
        var fhir = Quality(FhirJson);
        return fhir > 0 && fhir >= Quality("application/json") && fhir >= Quality("*/*");
    }

    public static ContentHttpResult Resource(Resource resource, int status) =>
        TypedResults.Content(Serializer.SerializeToString(resource), FhirJson, statusCode: status);

    public static ContentHttpResult Outcome(OperationOutcome outcome, int status = StatusCodes.Status400BadRequest) => Resource(outcome, status);

    /// <summary>An input error (<see cref="FhirInputError"/>) as its OperationOutcome, with its status.</summary>
    public static ContentHttpResult Outcome(FhirInputError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Outcome(error.ToOperationOutcome(), error.Status);
    }

    public static ContentHttpResult Problem(OperationOutcome.IssueType type, string diagnostics, int status, string? expression = null) =>
        Outcome(FhirInput.Outcome(type, diagnostics, expression), status);

    /// <summary>
    /// Reads the request body as FHIR JSON within the size limit and, before the full parse, counts its Bundle
    /// entries (nested Bundles included) in one streaming pass. Returns the parse result, or the response to send
    /// (415 for another media type, 413 over either limit, 400 for a body that is not UTF-8, empty, malformed JSON or
    /// invalid FHIR: <see cref="FhirInput.Parse(ReadOnlySpan{byte})"/>). The body's bytes come back with a parse, valid
    /// until the response is sent.
    /// </summary>
    public static async Task<(ParseResult? Parsed, ContentHttpResult? Error, ReadOnlyMemory<byte> Body)> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken, int maxEntries = int.MaxValue)
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim();
        if (mediaType is not ("application/fhir+json" or "application/json"))
        {
            return (null, Problem(OperationOutcome.IssueType.NotSupported, $"Content-Type must be application/fhir+json (was '{mediaType ?? "none"}').", StatusCodes.Status415UnsupportedMediaType), default);
        }

        var (body, tooLarge) = await ReadBodyAsync(request, maxBytes, cancellationToken);
        if (tooLarge is not null)
        {
            return (null, tooLarge, default);
        }

        if (JsonEntryCounter.Count(body.Span, "entry", maxEntries) > maxEntries)
        {
            return (null, Problem(OperationOutcome.IssueType.TooLong, $"More than {maxEntries} Bundle entries (nested Bundles included); at most {maxEntries} per request.", StatusCodes.Status413PayloadTooLarge, "Bundle.entry"), default);
        }

        // The one FHIR input edge (issue 19): the body's bytes as they came, not UTF-8, empty, malformed or not FHIR
        // all refused with the element named.
        var parsed = FhirInput.Parse(body.Span);
        return parsed.Succeeded ? (parsed, null, body) : (null, Outcome(parsed.Error!), default);
    }

    /// <summary>The request body, read up to <paramref name="maxBytes"/> (Content-Length checked first); a 413 OperationOutcome beyond.</summary>
    public static async Task<(ReadOnlyMemory<byte> Body, ContentHttpResult? TooLarge)> ReadBodyAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > maxBytes)
        {
            return (default, Problem(OperationOutcome.IssueType.TooLong, $"Request body over {maxBytes} bytes.", StatusCodes.Status413PayloadTooLarge));
        }

        // With a Content-Length (nearly every client sends one) the body is read straight into an array of exactly
        // that size: no growing buffer, no copy, and no 80 KB read chunk per request, which was half of every byte the
        // embedded pipeline allocated under single-resource POSTs (issue 19, deliverable 7, measured by allocation
        // sampling). Kestrel ends the body at Content-Length and fails a shorter one.
        if (request.ContentLength is long length and > 0 and <= int.MaxValue)
        {
            // A large body (a Bundle, a prefetch, a backfill part) borrows a pooled array, given back when the response
            // is done: a new one each time would be a large-object-heap allocation per request (deliverable 7). Nothing
            // keeps the body past its request: it is parsed, and what is stored is made from the parse.
            var exact = length < PooledBodyBytes ? new byte[length] : Borrow(request.HttpContext, (int)length);
            var filled = 0;
            int got;
            while (filled < length && (got = await request.Body.ReadAsync(exact.AsMemory(filled, (int)length - filled), cancellationToken)) > 0)
            {
                filled += got;
            }

            return (new ReadOnlyMemory<byte>(exact, 0, filled), null);
        }

        // A chunked body of unknown length: read through a pooled chunk into a growing buffer.
        using var body = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (body.Length + read > maxBytes)
                {
                    return (default, Problem(OperationOutcome.IssueType.TooLong, $"Request body over {maxBytes} bytes.", StatusCodes.Status413PayloadTooLarge));
                }

                body.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        // The stream's own buffer, not a copy of it: the body is read once more only by the parser.
        return (new ReadOnlyMemory<byte>(body.GetBuffer(), 0, (int)body.Length), null);
    }

    /// <summary>Bodies from this size on are read into a pooled array (below the large-object threshold, 85,000 bytes).</summary>
    private const int PooledBodyBytes = 64 * 1024;

    private static byte[] Borrow(HttpContext context, int length)
    {
        var lease = new BodyLease(ArrayPool<byte>.Shared.Rent(length));
        context.Response.RegisterForDispose(lease);
        return lease.Array;
    }

    /// <summary>A pooled request-body array, returned when the response is disposed.</summary>
    private sealed class BodyLease(byte[] array) : IDisposable
    {
        public byte[] Array { get; } = array;

        public void Dispose() => ArrayPool<byte>.Shared.Return(Array);
    }

    /// <summary>
    /// Declares, for OpenAPI, the statuses an endpoint answers with a FHIR body (<see cref="ContentHttpResult"/> does
    /// not say its status): the ones given, and those every authenticated route can give (401, 403, 500, 504).
    /// </summary>
    public static TBuilder ProducesFhir<TBuilder>(this TBuilder builder, params int[] statuses)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(statuses);
        int[] common = [StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status500InternalServerError, StatusCodes.Status504GatewayTimeout];
        foreach (var status in statuses.Concat(common).Distinct())
        {
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(void), [FhirJson]));
        }

        return builder;
    }
}

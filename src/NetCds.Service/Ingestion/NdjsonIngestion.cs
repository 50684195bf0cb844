using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using NetCds.Fhir.Input;
using NetCds.Service.Fhir;
using NetCds.Service.Records;
using NetCds.Service.Storage;

namespace NetCds.Service.Ingestion;

/// <summary>
/// <c>POST /fhir</c> with <c>application/fhir+ndjson</c>: one resource per line, as FHIR Bulk Data <c>$export</c>
/// writes them (Bulk Data IG, "Bulk Data Output File Format"). Batch semantics: every line is answered in a
/// batch-response Bundle (entry N = line N); a line that is not FHIR (not UTF-8 included) is answered 400 naming the
/// line and element, and the others are stored as if each had been posted alone. This is what <c>netcds import</c> sends.
/// </summary>
public static class NdjsonIngestion
{
    /// <summary>From this many lines a request's lines are parsed in parallel (below it the hand-off costs more).</summary>
    private const int ParallelParseLines = 64;

    public static readonly string[] MediaTypes = ["application/fhir+ndjson", "application/ndjson", "application/x-ndjson"];

    public static bool Accepts(HttpRequest request) =>
        request.ContentType?.Split(';')[0].Trim() is { } mediaType && MediaTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase);

    public static async Task<ContentHttpResult> IngestAsync(HttpContext http, ResourceIngestion ingestion, StoreContext store, FhirOptions fhirOptions, IngestionOptions options, CancellationToken cancellationToken)
    {
        var (body, tooLarge) = await FhirResults.ReadBodyAsync(http.Request, fhirOptions.MaxRequestBytes, cancellationToken);
        if (tooLarge is not null)
        {
            return tooLarge;
        }

        var lines = Lines(body);
        if (lines.Count == 0)
        {
            return FhirResults.Problem(OperationOutcome.IssueType.Required, "Request body is empty: one FHIR resource per line is expected.", StatusCodes.Status400BadRequest);
        }

        if (lines.Count > options.MaxEntries)
        {
            return FhirResults.Problem(OperationOutcome.IssueType.TooLong, $"{lines.Count} lines; at most {options.MaxEntries} per request (send the file in parts).", StatusCodes.Status413PayloadTooLarge);
        }

        // Each line alone: what it gives to store, or why not.
        var answers = new EntryResult?[lines.Count];
        var entries = new List<(int Line, IngestEntry Entry)>(lines.Count);
        var read = new (IngestEntry? Entry, EntryResult? Problem)[lines.Count];
        if (lines.Count >= ParallelParseLines)
        {
            // Parsing was the largest cost of a backfill part (issue 19, deliverable 8, profiled): the lines are
            // independent, so a large part is parsed on every core.
            Parallel.For(0, lines.Count, i => read[i] = Read(lines[i], i + 1));
        }
        else
        {
            for (var i = 0; i < lines.Count; i++)
            {
                read[i] = Read(lines[i], i + 1);
            }
        }

        for (var i = 0; i < lines.Count; i++)
        {
            var (entry, problem) = read[i];
            if (problem is not null)
            {
                answers[i] = problem;
            }
            else
            {
                entries.Add((i, entry!));
            }
        }

        if (await WritePermission.ForbiddenAsync(http, entries.Select(e => e.Entry.Resource!), store, cancellationToken) is { } forbidden)
        {
            return forbidden;
        }

        // A backfill part (netcds import) defers its patients' recomputes to the end of the import window.
        IReadOnlyList<IngestEntry> toStore = [.. entries.Select(e => e.Entry)];
        var results = BackfillApi.DefersRecompute(http.Request)
            ? await ingestion.IngestDeferringRecomputesAsync(toStore, cancellationToken)
            : await ingestion.IngestAsync(toStore, cancellationToken);
        for (var k = 0; k < entries.Count; k++)
        {
            answers[entries[k].Line] = results[k];
        }

        return FhirResults.Resource(IngestionApi.BatchResponse(answers.Select(a => a!)), StatusCodes.Status200OK);
    }

    /// <summary>
    /// The body's lines as slices of its bytes (no string): split at LF, a CR before it dropped, trailing empty lines
    /// dropped. Each line is checked on its own, UTF-8 included, so one bad line never loses the others.
    /// </summary>
    private static List<ReadOnlyMemory<byte>> Lines(ReadOnlyMemory<byte> body)
    {
        var lines = new List<ReadOnlyMemory<byte>>();
        var rest = body;
        while (!rest.IsEmpty)
        {
            var end = rest.Span.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            lines.Add(line.Span.EndsWith("\r"u8) ? line[..^1] : line);
            rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 1)..];
        }

        while (lines.Count > 0 && lines[^1].IsEmpty)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    private static (IngestEntry? Entry, EntryResult? Problem) Read(ReadOnlyMemory<byte> line, int number)
    {
        if (line.Span.Trim(" \t\r"u8).IsEmpty)
        {
            return (null, Invalid(number, "empty line: one resource per line is expected"));
        }

        // The one FHIR input edge (issue 19): the same path and message as a POST of that resource alone.
        var parsed = FhirInput.Parse(line.Span);
        if (!parsed.Succeeded)
        {
            return (null, Invalid(number, parsed.Error!.ToString()));
        }

        var resource = parsed.Resource!;
        if (resource is Bundle)
        {
            return (null, Invalid(number, "a Bundle: NDJSON lines are single resources (post Bundles as application/fhir+json)"));
        }

        // A resource without an id is given one below: only then is the line not what is stored.
        var asSent = !string.IsNullOrEmpty(resource.Id);
        var (entries, _, error) = IngestionRequest.Entries(resource);
        return error is not null ? (null, Invalid(number, error)) : (asSent ? entries.Single() with { Json = AsSent.Text(line.Span) } : entries.Single(), null);
    }

    private static EntryResult Invalid(int line, string message) => new("400 Bad Request", null, $"line {line}: {message}") { Invalid = true };
}

using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using NetCds.Fhir.Reporting;
using NetCds.Service.Fhir;
using NetCds.Service.OpenApi;
using NetCds.Service.Records;
using NetCds.Service.Security;
using NetCds.Service.Storage;

namespace NetCds.Service.Ingestion;

public static class IngestionApi
{
    /// <summary>What <see cref="NdjsonIngestion"/> reads, for the OpenAPI document.</summary>
    private static readonly BodyFormat NdjsonBody = new(
        NdjsonIngestion.MediaTypes[0],
        JsonSchemaType.String,
        "One FHIR resource (JSON) per line, as Bulk Data $export writes them (application/ndjson and application/x-ndjson are read alike). "
        + "Batch semantics: each line is stored as if posted alone and answered in a batch-response Bundle, entry N for line N; a line that is not FHIR is answered 400 there and the others are still stored.");

    /// <summary>FHIR JSON (application/json is read alike).</summary>
    private static BodyFormat FhirBody(string description) => new(FhirResults.FhirJson, JsonSchemaType.Object, description);

    /// <summary>
    /// <c>POST /fhir</c> (a resource or a Bundle: transaction, batch, collection, message, history, subscription
    /// notification; or NDJSON, see <see cref="NdjsonIngestion"/>), <c>POST /fhir/{type}</c>,
    /// <c>PUT /fhir/{type}/{id}</c>, <c>DELETE /fhir/{type}/{id}</c>; and the latest report, <c>GET /eligibility/{patientId}</c>. Writes need SMART write scopes for every type written
    /// (create and update alike: what is stored decides which it is); the report needs Patient read.
    /// </summary>
    public static IEndpointRouteBuilder MapIngestionApi(this IEndpointRouteBuilder app)
    {
        var fhir = app.MapGroup("/fhir").WithTags("Ingestion").RequireApiCaller();
        // 200: a Bundle's per-entry response, or an update; 201: a created resource; 413 over the size or entry limit.
        int[] written = [StatusCodes.Status200OK, StatusCodes.Status201Created, StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType];
        fhir.MapPost("", (HttpContext http, ResourceIngestion ingestion, StoreContext store, IOptions<FhirOptions> fhirOptions, IOptions<IngestionOptions> options, CancellationToken ct) =>
            IngestAsync(http, null, null, ingestion, store, fhirOptions.Value, options.Value, ct)).ProducesFhir(written)
            .DocumentsBody("A FHIR resource or Bundle, or NDJSON: one resource per line.", FhirBody("A FHIR resource, or a Bundle (transaction, batch, collection, message, history, subscription notification)."), NdjsonBody);
        fhir.MapPost("/{type}", (string type, HttpContext http, ResourceIngestion ingestion, StoreContext store, IOptions<FhirOptions> fhirOptions, IOptions<IngestionOptions> options, CancellationToken ct) =>
            IngestAsync(http, type, null, ingestion, store, fhirOptions.Value, options.Value, ct)).ProducesFhir(written)
            .DocumentsBody("A FHIR resource of the URL's type.", FhirBody("A FHIR resource of the URL's type."));
        fhir.MapPut("/{type}/{id}", (string type, string id, HttpContext http, ResourceIngestion ingestion, StoreContext store, IOptions<FhirOptions> fhirOptions, IOptions<IngestionOptions> options, CancellationToken ct) =>
            IngestAsync(http, type, id, ingestion, store, fhirOptions.Value, options.Value, ct)).ProducesFhir(written)
            .DocumentsBody("A FHIR resource of the URL's type; its id, if any, must be the URL's.", FhirBody("A FHIR resource of the URL's type."));
        fhir.MapDelete("/{type}/{id}", DeleteAsync).ProducesFhir(StatusCodes.Status400BadRequest);

        // PUT or DELETE with an empty id, or one holding '/' (issue 20): a 400 naming the id, not a 404 or 405. The
        // catch-all ranks below /{type}/{id}, so it only takes what that route cannot.
        fhir.MapMethods("/{type}/{**rest}", [HttpMethods.Put, HttpMethods.Delete], () =>
            FhirResults.Problem(OperationOutcome.IssueType.Invalid, "The URL's id: an id must be 1-64 characters from A-Z, a-z, 0-9, '-' and '.' (not '.' or '..'), in one path segment.", StatusCodes.Status400BadRequest))
            .ExcludeFromDescription();
        app.MapGet("/eligibility/{**rest}", () =>
            FhirResults.Problem(OperationOutcome.IssueType.Invalid, "The URL's patient id: an id must be 1-64 characters from A-Z, a-z, 0-9, '-' and '.' (not '.' or '..'), in one path segment.", StatusCodes.Status400BadRequest))
            .WithTags("Eligibility").RequirePatientRead().ExcludeFromDescription();

        app.MapGet("/eligibility/{patientId}", LatestReportAsync).WithTags("Eligibility").RequirePatientRead()
            .Produces<ReportDocument>(StatusCodes.Status200OK)
            .WithDescription(FhirResults.NegotiatedReport)
            .ProducesFhir(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<NoContent, ContentHttpResult>> DeleteAsync(string type, string id, HttpContext http, ResourceIngestion ingestion, CancellationToken ct)
    {
        if (FhirIds.Check(type, id) is { } bad)
        {
            return FhirResults.Problem(OperationOutcome.IssueType.Invalid, $"The URL's type and id: {bad}.", StatusCodes.Status400BadRequest);
        }

        if (http.Forbidden([type], ApiAccess.Delete) is { } forbidden)
        {
            return forbidden;
        }

        await ingestion.IngestAsync([new IngestEntry(null, type, id)], ct);
        return TypedResults.NoContent();
    }

    private static async Task<ContentHttpResult> IngestAsync(HttpContext http, string? type, string? id, ResourceIngestion ingestion, StoreContext store, FhirOptions fhirOptions, IngestionOptions options, CancellationToken cancellationToken)
    {
        if (type is not null && FhirIds.Check(type, id) is { } bad)
        {
            return FhirResults.Problem(OperationOutcome.IssueType.Invalid, $"The URL's type and id: {bad}.", StatusCodes.Status400BadRequest);
        }

        if (type is null && NdjsonIngestion.Accepts(http.Request))
        {
            return await NdjsonIngestion.IngestAsync(http, ingestion, store, fhirOptions, options, cancellationToken);
        }

        var (parsed, error, body) = await FhirResults.ReadAsync(http.Request, fhirOptions.MaxRequestBytes, cancellationToken, options.MaxEntries);
        if (error is not null)
        {
            return error;
        }

        var resource = parsed!.Resource!;
        var unchanged = AsSent.Unchanged(resource);
        if (type is not null && resource.TypeName != type)
        {
            return FhirResults.Problem(OperationOutcome.IssueType.Invalid, $"The body is a {resource.TypeName}, the URL names {type}.", StatusCodes.Status400BadRequest, "resourceType");
        }

        if (id is not null)
        {
            if (resource.Id is not null && resource.Id != id)
            {
                return FhirResults.Problem(OperationOutcome.IssueType.Invalid, "The body's id differs from the URL's.", StatusCodes.Status400BadRequest, $"{resource.TypeName}.id");
            }

            resource.Id = id;
        }

        if (resource is Bundle { Entry.Count: var count } && count > options.MaxEntries)
        {
            return FhirResults.Problem(OperationOutcome.IssueType.TooLong, $"{count} entries; at most {options.MaxEntries} per Bundle.", StatusCodes.Status413PayloadTooLarge, "Bundle.entry");
        }

        var (parsedEntries, slots, invalid) = IngestionRequest.Entries(resource);
        if (invalid is not null)
        {
            var bar = invalid.IndexOf(':', StringComparison.Ordinal);
            return FhirResults.Problem(OperationOutcome.IssueType.Invalid, invalid[(bar + 1)..].Trim(), StatusCodes.Status400BadRequest, invalid[..bar]);
        }

        var entries = AsSent.Attach(body.Span, resource, parsedEntries, unchanged);

        var forbidden = await WritePermission.ForbiddenAsync(http, entries.Select(e => e.Resource).OfType<Resource>(), store, cancellationToken)
            ?? http.Forbidden(entries.Where(e => e.Resource is null).Select(e => e.DeleteType!), ApiAccess.Delete);
        if (forbidden is not null)
        {
            return forbidden;
        }

        var results = await ingestion.IngestAsync(entries, cancellationToken);
        if (resource is not Bundle bundle)
        {
            var single = results[0];
            if (single.NotUsed)
            {
                // Accepted, not kept: say why in an OperationOutcome rather than echo a resource that is not stored.
                return FhirResults.Resource(new OperationOutcome
                {
                    Issue = [new OperationOutcome.IssueComponent { Severity = OperationOutcome.IssueSeverity.Information, Code = OperationOutcome.IssueType.Informational, Diagnostics = single.Message, Expression = [$"{resource.TypeName}.code"] }],
                }, StatusCodes.Status200OK);
            }

            return FhirResults.Resource(resource, single.Status.StartsWith("201", StringComparison.Ordinal) ? StatusCodes.Status201Created : StatusCodes.Status200OK);
        }

        var response = BatchResponse(Slotted(results, slots));
        if (bundle.Type == Bundle.BundleType.Transaction)
        {
            response.Type = Bundle.BundleType.TransactionResponse;
        }

        return FhirResults.Resource(response, StatusCodes.Status200OK);
    }

    /// <summary>A batch-response Bundle: one entry per result, its message as an OperationOutcome (an error when the entry was refused).</summary>
    public static Bundle BatchResponse(IEnumerable<EntryResult> results) => new()
    {
        Type = Bundle.BundleType.BatchResponse,
        Entry = [.. results.Select(result => new Bundle.EntryComponent
        {
            Response = new Bundle.ResponseComponent
            {
                Status = result.Status,
                Location = result.Location,
                Outcome = result.Message is null ? null : new OperationOutcome
                {
                    Issue =
                    [
                        result.Invalid
                            ? new OperationOutcome.IssueComponent { Severity = OperationOutcome.IssueSeverity.Error, Code = OperationOutcome.IssueType.Invalid, Diagnostics = result.Message }
                            : new OperationOutcome.IssueComponent { Severity = OperationOutcome.IssueSeverity.Information, Code = OperationOutcome.IssueType.Informational, Diagnostics = result.Message },
                    ],
                },
            },
        })],
    };

    /// <summary>One result per posted entry: a nested Bundle's resources are summed up in one, passed-over entries say so.</summary>
    private static IEnumerable<EntryResult> Slotted(IReadOnlyList<EntryResult> results, List<IngestSlot> slots)
    {
        var next = 0;
        foreach (var slot in slots)
        {
            yield return slot switch
            {
                { Nested: false, Count: 1 } => results[next],
                { Nested: false } => new EntryResult("200 OK", null, "not clinical data: passed over"),
                _ => new EntryResult("200 OK", null, $"nested Bundle: {slot.Count} resources read ({string.Join(", ", results.Skip(next).Take(slot.Count).Select(r => $"{r.Location} {r.Status}"))})"),
            };
            next += slot.Count;
        }
    }

    /// <summary>The latest report; its <c>ETag</c> is the report's revision, the one an <c>EligibilityChanged</c> names.</summary>
    /// <remarks>With <c>Accept: application/fhir+json</c>, the same report as a Bundle of GuidanceResponses (issue 21), same ETag.</remarks>
    private static async Task<ContentHttpResult> LatestReportAsync(string patientId, HttpContext http, StoreContext store, NetCds.Fhir.FhirEvaluation evaluation, CancellationToken cancellationToken)
    {
        if (!FhirIds.IsValidId(patientId))
        {
            return FhirResults.Problem(OperationOutcome.IssueType.Invalid, "A patient id must be 1-64 characters from A-Z, a-z, 0-9, '-' and '.'.", StatusCodes.Status400BadRequest);
        }

        var report = await store.Reports.AsNoTracking().FirstOrDefaultAsync(r => r.Patient == $"Patient/{patientId}", cancellationToken);
        if (report is null)
        {
            return FhirResults.Problem(OperationOutcome.IssueType.NotFound, "No report for this patient yet: nothing has been received about them, or the recompute is still queued.", StatusCodes.Status404NotFound);
        }

        http.Response.Headers.ETag = ReportRevision.ETag(report.Revision);
        http.Response.Headers.Vary = "Accept";
        if (FhirResults.WantsFhir(http.Request)
            && System.Text.Json.JsonSerializer.Deserialize<ReportDocument>(report.ReportJson, ReportDocument.JsonOptions) is { } document)
        {
            return FhirResults.Resource(GuidanceResponses.From(document, evaluation.Terminology), StatusCodes.Status200OK);
        }

        return TypedResults.Content(report.ReportJson, "application/json", statusCode: StatusCodes.Status200OK);
    }
}

/// <summary>How a report's revision is written as an HTTP entity tag (weak: the JSON may be re-serialized).</summary>
public static class ReportRevision
{
    public static string ETag(int revision) => $"W/\"{revision.ToString(System.Globalization.CultureInfo.InvariantCulture)}\"";
}

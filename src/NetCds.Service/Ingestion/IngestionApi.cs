using System.ComponentModel.DataAnnotations;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NetCds.Service.Fhir;
using NetCds.Service.Storage;

namespace NetCds.Service.Ingestion;

/// <summary>Configuration section <c>Ingestion</c>.</summary>
public sealed class IngestionOptions
{
    /// <summary>Most entries accepted in one Bundle.</summary>
    [Range(1, 100_000)]
    public int MaxEntries { get; init; } = 1000;

    /// <summary>
    /// An Observation arriving on the bus with no code the terminology map knows: stored (the default) or refused to
    /// the error queue (<c>DeadLetter</c>), so a site sees codes it has not mapped and replays them once it has.
    /// </summary>
    public Messaging.UnknownCodePolicy UnknownObservationCodes { get; init; } = Messaging.UnknownCodePolicy.Store;
}

public static class IngestionApi
{
    public static IHostApplicationBuilder AddIngestion(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestionOptions>().BindConfiguration("Ingestion").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<ResourceIngestion>();
        return builder;
    }

    /// <summary>
    /// <c>POST /fhir</c> (a resource or a Bundle: transaction, batch, collection, message, history, subscription
    /// notification), <c>POST /fhir/{type}</c>, <c>PUT /fhir/{type}/{id}</c>, <c>DELETE /fhir/{type}/{id}</c>; and
    /// the latest report, <c>GET /eligibility/{patientId}</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapIngestionApi(this IEndpointRouteBuilder app)
    {
        var fhir = app.MapGroup("/fhir").WithTags("Ingestion");
        fhir.MapPost("", (HttpRequest request, ResourceIngestion ingestion, IOptions<FhirOptions> fhirOptions, IOptions<IngestionOptions> options, CancellationToken ct) =>
            IngestAsync(request, null, null, ingestion, fhirOptions.Value, options.Value, ct));
        fhir.MapPost("/{type}", (string type, HttpRequest request, ResourceIngestion ingestion, IOptions<FhirOptions> fhirOptions, IOptions<IngestionOptions> options, CancellationToken ct) =>
            IngestAsync(request, type, null, ingestion, fhirOptions.Value, options.Value, ct));
        fhir.MapPut("/{type}/{id}", (string type, string id, HttpRequest request, ResourceIngestion ingestion, IOptions<FhirOptions> fhirOptions, IOptions<IngestionOptions> options, CancellationToken ct) =>
            IngestAsync(request, type, id, ingestion, fhirOptions.Value, options.Value, ct));
        fhir.MapDelete("/{type}/{id}", async (string type, string id, ResourceIngestion ingestion, CancellationToken ct) =>
        {
            await ingestion.IngestAsync([new IngestEntry(null, type, id)], ct);
            return TypedResults.NoContent();
        });

        app.MapGet("/eligibility/{patientId}", LatestReportAsync).WithTags("Eligibility");
        return app;
    }

    private static async Task<ContentHttpResult> IngestAsync(HttpRequest request, string? type, string? id, ResourceIngestion ingestion, FhirOptions fhirOptions, IngestionOptions options, CancellationToken cancellationToken)
    {
        var (parsed, error) = await FhirResults.ReadAsync(request, fhirOptions.MaxRequestBytes, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var resource = parsed!.Resource!;
        if (type is not null && resource.TypeName != type)
        {
            return FhirResults.Problem(OperationOutcome.IssueType.Invalid, $"The body is a {resource.TypeName}, the URL names {type}.", StatusCodes.Status400BadRequest, "resourceType");
        }

        if (id is not null)
        {
            if (resource.Id is not null && resource.Id != id)
            {
                return FhirResults.Problem(OperationOutcome.IssueType.Invalid, $"The body's id '{resource.Id}' differs from the URL's '{id}'.", StatusCodes.Status400BadRequest, $"{resource.TypeName}.id");
            }

            resource.Id = id;
        }

        if (resource is Bundle { Entry.Count: var count } && count > options.MaxEntries)
        {
            return FhirResults.Problem(OperationOutcome.IssueType.TooLong, $"{count} entries; at most {options.MaxEntries} per Bundle.", StatusCodes.Status413PayloadTooLarge, "Bundle.entry");
        }

        var (entries, invalid) = IngestionRequest.Entries(resource);
        if (invalid is not null)
        {
            var bar = invalid.IndexOf(':', StringComparison.Ordinal);
            return FhirResults.Problem(OperationOutcome.IssueType.Invalid, invalid[(bar + 1)..].Trim(), StatusCodes.Status400BadRequest, invalid[..bar]);
        }

        var results = await ingestion.IngestAsync(entries, cancellationToken);
        if (resource is not Bundle bundle)
        {
            var single = results[0];
            return FhirResults.Resource(resource, single.Status.StartsWith("201", StringComparison.Ordinal) ? StatusCodes.Status201Created : StatusCodes.Status200OK);
        }

        var response = new Bundle
        {
            Type = bundle.Type == Bundle.BundleType.Transaction ? Bundle.BundleType.TransactionResponse : Bundle.BundleType.BatchResponse,
            Entry = [.. results.Select(r => new Bundle.EntryComponent
            {
                Response = new Bundle.ResponseComponent
                {
                    Status = r.Status,
                    Location = r.Location,
                    Outcome = r.Message is null ? null : new OperationOutcome
                    {
                        Issue = [new OperationOutcome.IssueComponent { Severity = OperationOutcome.IssueSeverity.Information, Code = OperationOutcome.IssueType.Informational, Diagnostics = r.Message }],
                    },
                },
            })],
        };
        return FhirResults.Resource(response, StatusCodes.Status200OK);
    }

    private static async Task<ContentHttpResult> LatestReportAsync(string patientId, StoreContext store, CancellationToken cancellationToken)
    {
        var report = await store.Reports.AsNoTracking().FirstOrDefaultAsync(r => r.Patient == $"Patient/{patientId}", cancellationToken);
        return report is null
            ? FhirResults.Problem(OperationOutcome.IssueType.NotFound, "No report for this patient yet: nothing has been received about them, or the recompute is still queued.", StatusCodes.Status404NotFound)
            : TypedResults.Content(report.ReportJson, "application/json", statusCode: StatusCodes.Status200OK);
    }
}

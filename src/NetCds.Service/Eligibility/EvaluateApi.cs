using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NetCds.Fhir;
using NetCds.Fhir.Reporting;
using NetCds.Service.Fhir;
using NetCds.Service.Security;

namespace NetCds.Service.Eligibility;

public static class EvaluateApi
{
    /// <summary><c>POST /eligibility/$evaluate</c>: a Bundle (or one resource) about one patient in, the eligibility report out.</summary>
    public static IEndpointRouteBuilder MapEligibilityApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/eligibility").WithTags("Eligibility").RequirePatientRead();
        group.MapPost("/$evaluate", EvaluateAsync)
            .Produces<ReportDocument>(StatusCodes.Status200OK)
            .WithDescription(FhirResults.NegotiatedReport)
            .ProducesFhir(StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status422UnprocessableEntity);
        return app;
    }

    /// <param name="asOf">Evaluate as of this instant (ISO 8601) instead of now: for reviewing a past decision.</param>
    /// <param name="patient">Which patient, when the input holds several.</param>
    private static async Task<Results<ContentHttpResult, JsonHttpResult<ReportDocument>>> EvaluateAsync(
        HttpRequest request,
        FhirEvaluation evaluation,
        IOptions<FhirOptions> options,
        IOptions<Records.IngestionOptions> ingestion,
        TimeProvider clock,
        string? asOf,
        string? patient,
        CancellationToken cancellationToken)
    {
        var instant = clock.GetUtcNow();
        if (asOf is not null)
        {
            if (FhirResults.ParseAsOf(asOf) is not { } requested)
            {
                return FhirResults.Problem(OperationOutcome.IssueType.Value, "asOf is not an ISO 8601 date or date-time between the years 1900 and 2200.", StatusCodes.Status400BadRequest, "asOf");
            }

            instant = requested;
        }

        var (parsed, error, _) = await FhirResults.ReadAsync(request, options.Value.MaxRequestBytes, cancellationToken, ingestion.Value.MaxEntries);
        if (error is not null)
        {
            return error;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = evaluation.Evaluate(parsed!.Resource!, instant, patient);
        NetCds.Service.Ops.NetCdsTelemetry.Evaluated("evaluate", System.Diagnostics.Stopwatch.GetElapsedTime(started));
        if (result is null)
        {
            return FhirResults.Problem(OperationOutcome.IssueType.Required,
                "Cannot tell which patient the input is about: include the Patient resource, a subject reference, or ?patient=.", StatusCodes.Status422UnprocessableEntity, "Bundle.entry.resource.subject");
        }

        // Issue 21: Accept: application/fhir+json answers GuidanceResponses; application/json (or no Accept) our report.
        request.HttpContext.Response.Headers.Vary = "Accept";
        if (FhirResults.WantsFhir(request))
        {
            return FhirResults.Resource(GuidanceResponses.From(result.Document, evaluation.Terminology), StatusCodes.Status200OK);
        }

        return TypedResults.Json(result.Document, ReportDocument.JsonOptions);
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NetCds.Service.Records;
using NetCds.Service.Security;
using NetCds.Service.Storage;

namespace NetCds.Service.Ingestion;

/// <summary>
/// The recompute as a service for the backfill and the operator (issue 19, deliverable 5): both call
/// <see cref="EligibilityRecompute"/> directly, as the thin bus consumer does, instead of queueing messages.
/// <list type="bullet">
/// <item><c>POST /fhir</c> with NDJSON and <c>X-NetCds-Recompute: deferred</c> stores a part without queueing any
/// recompute (<see cref="ResourceIngestion.IngestDeferringRecomputesAsync"/>).</item>
/// <item><c>POST /recompute?after=&amp;limit=</c> closes an import window: recomputes, in patient order, the patients
/// whose record is ahead of their report and whose recompute nobody queued, one page at a time (at most
/// <c>limit</c> patients, taken up for at most <c>Ingestion:RecomputePageTime</c>), a patient per core at once, without
/// the gather (answering <c>next</c>, the cursor for the following page, null at the end). <c>netcds import</c> calls it after its parts,
/// so a patient is recomputed once per window; a resumed import calls it again, which also covers the patients of
/// a run that stopped before closing its window (the stale state is in the store, not in the client).</item>
/// <item><c>POST /admin/recompute/{patientId}</c>: the operator's replay of one patient's recompute (admin policy),
/// whatever the generations say (e.g. after a dead-lettered recompute was purged).</item>
/// </list>
/// </summary>
public static class BackfillApi
{
    /// <summary>The header that makes an NDJSON post a backfill part (its value: <see cref="Deferred"/>).</summary>
    public const string RecomputeHeader = "X-NetCds-Recompute";

    public const string Deferred = "deferred";

    public sealed record RecomputeResult(int Recomputed, int Changed, string? Next);

    public static bool DefersRecompute(HttpRequest request) =>
        string.Equals(request?.Headers[RecomputeHeader].ToString(), Deferred, StringComparison.OrdinalIgnoreCase);

    public static IEndpointRouteBuilder MapBackfillApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/recompute", RecomputeStaleAsync).WithTags("Ingestion").RequireApiCaller()
            .Produces<RecomputeResult>(StatusCodes.Status200OK);
        app.MapPost("/admin/recompute/{patientId}", RecomputeOneAsync).WithTags("Admin").RequireAuthorization(AdminAuthorization.Policy);
        return app;
    }

    private static async Task<Results<Ok<RecomputeResult>, ContentHttpResult>> RecomputeStaleAsync(
        string? after, int? limit, HttpContext http, StoreContext store, IServiceScopeFactory scopes, IOptions<IngestionOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        // Whoever may write patients' records may have them recomputed: it is what writing them would do.
        if (http.Forbidden(["Patient"], ApiAccess.Update) is { } forbidden)
        {
            return forbidden;
        }

        var page = Math.Clamp(limit ?? 200, 1, 5_000);
        if (after is null)
        {
            // The window's first page: what the window wrote is about to be read back, on plans that know its size.
            await ResourceRows.AnalyzeIfStaleAsync(store, cancellationToken);
        }

        var stale = await PatientGenerations.StaleAsync(store, after, page, cancellationToken);

        // Without the gather (every part of the window is committed: nothing is left to join) and a patient per core
        // at once (issue 19, deliverable 8): the window's close had waited out the 500 ms gather per patient, one
        // after another, so a page of 200 ran past the request timeout, was cut off with a 504 and sent again, and
        // closing a window of a 200-patient import took about 100 s of a 241 s run. A page also stops taking patients
        // after Ingestion:RecomputePageTime and answers the last one taken as next, so large records never run into the timeout.
        var started = clock.GetTimestamp();
        var taken = 0;
        IEnumerable<(string Patient, long Generation)> Taken()
        {
            foreach (var patient in stale)
            {
                if (taken > 0 && clock.GetElapsedTime(started) >= options.Value.RecomputePageTime)
                {
                    yield break;
                }

                taken++;
                yield return patient;
            }
        }

        var changed = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Taken(), parallel, async (patient, ct) =>
        {
            await using var scope = scopes.CreateAsyncScope();
            var outcome = await scope.ServiceProvider.GetRequiredService<EligibilityRecompute>()
                .RecomputeAsync(patient.Patient, patient.Generation, clock.GetUtcNow(), gather: false, ct);
            if (outcome == RecomputeOutcome.Changed)
            {
                Interlocked.Increment(ref changed);
            }
        });

        // The patients taken are a prefix of the page (taken in order), so the last of them is where the next page starts.
        var next = taken < stale.Count || stale.Count == page ? stale[taken - 1].Patient : null;
        return TypedResults.Ok(new RecomputeResult(taken, changed, next));
    }

    private static async Task<Results<Ok<RecomputeOutcome>, ContentHttpResult>> RecomputeOneAsync(string patientId, EligibilityRecompute recompute, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Fhir.FhirIds.Check("Patient", patientId) is { } bad)
        {
            return Fhir.FhirResults.Problem(Hl7.Fhir.Model.OperationOutcome.IssueType.Invalid, $"The URL's patient id: {bad}.", StatusCodes.Status400BadRequest);
        }

        return TypedResults.Ok(await recompute.RecomputeAsync($"Patient/{patientId}", generation: null, clock.GetUtcNow(), cancellationToken));
    }
}

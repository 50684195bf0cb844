using System.Text.Json;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NetCds.Fhir;
using NetCds.Fhir.Input;
using NetCds.Service.Cards;
using NetCds.Service.CdsHooks.Contracts;
using NetCds.Service.CdsHooks.Feedback;
using NetCds.Service.CdsHooks.OrderCheck;
using NetCds.Service.CdsHooks.Prefetch;
using NetCds.Service.CdsHooks.Security;
using NetCds.Service.Fhir;
using NetCds.Service.Records;
using NetCds.Service.Security;

namespace NetCds.Service.CdsHooks;

public static class CdsHooksApi
{
    public const string CorsPolicy = "cds-hooks";

    /// <summary>Everything the CDS Hooks endpoints need: JWT security, prefetch resolution, cards, order classification, CORS.</summary>
    public static IHostApplicationBuilder AddCdsHooks(this IHostApplicationBuilder builder)
    {
        builder.AddCdsHooksSecurity();
        builder.AddCdsHooksPrefetch();
        builder.Services.AddOptions<OrderCodeOptions>().BindConfiguration("CdsHooks");
        builder.Services.AddSingleton<OrderClassifier>();
        builder.Services.AddOptions<MdtLinkOptions>().BindConfiguration("CdsHooks:MdtView").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<CdsHooksLimits>().BindConfiguration(CdsHooksLimits.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<CardBuilder>();
        builder.AddCardFeedback();

        // CORS for browser-based CDS clients: origins from configuration (CdsHooks:Cors:AllowedOrigins) only, none by default.
        builder.Services.AddCors();
        builder.Services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>().Configure<IConfiguration>((cors, configuration) =>
        {
            var origins = configuration.GetSection("CdsHooks:Cors:AllowedOrigins").Get<string[]>() ?? [];
            cors.AddPolicy(CorsPolicy, p => p.WithOrigins(origins).WithMethods("GET", "POST").WithHeaders("Authorization", "Content-Type"));
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapCdsHooksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/cds-services").WithTags("CDS Hooks").RequireCors(CorsPolicy).RequireCdsHooksJwt();
        group.MapGet("", () => TypedResults.Json(CdsServiceCatalog.Discovery, CdsJson.Options));
        group.MapPost("/{id}", CallAsync)
            .Produces<CdsResponse>(StatusCodes.Status200OK)
            .ProducesFhir(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);
        group.MapPost("/{id}/feedback", FeedbackAsync)
            .Produces(StatusCodes.Status200OK)
            .ProducesFhir(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);
        app.MapFeedbackSummary();
        return app;
    }

    private static async Task<Results<JsonHttpResult<CdsResponse>, ContentHttpResult>> CallAsync(
        string id,
        HttpRequest request,
        PrefetchResolver prefetch,
        FhirEvaluation evaluation,
        OrderClassifier orders,
        CardBuilder cards,
        CardMemory memory,
        PatientRecord record,
        TimeProvider clock,
        IOptions<ServiceOptions> service,
        IOptions<FhirOptions> fhirOptions,
        IOptions<CdsHooksLimits> limits,
        CancellationToken cancellationToken)
    {
        if (!CdsServiceCatalog.Hooks.ContainsKey(id))
        {
            return FhirResults.Problem(OperationOutcome.IssueType.NotFound, $"No CDS service '{id}'.", StatusCodes.Status404NotFound);
        }

        var (json, unreadable) = await ReadJsonAsync(request, fhirOptions.Value.MaxRequestBytes, cancellationToken);
        if (unreadable is not null)
        {
            return unreadable;
        }

        var maxEntries = limits.Value.MaxPrefetchEntries;
        var read = HookCallReader.TryRead(json, maxEntries);
        if (read is { Document: var document })
        {
            request.HttpContext.Response.RegisterForDispose(document);
        }

        var (call, error) = read is { } plain
            ? plain.Entries > maxEntries ? (null, TooManyItems("entry", maxEntries)) : (plain.Call, null)
            : Deserialize<CdsRequest>(json, "entry", maxEntries);
        if (error is not null)
        {
            return error;
        }

        if (CdsRequestValidator.Validate(id, call!) is { } invalid)
        {
            return FhirResults.Problem(OperationOutcome.IssueType.Invalid, invalid.Message, StatusCodes.Status400BadRequest, invalid.Field);
        }

        NetCds.Service.Ops.NetCdsTelemetry.CdsRequest(id, call!.Hook!);
        var context = call!.Context!.Value;
        var patientId = context.GetProperty("patientId").GetString()!;
        var resolution = await prefetch.ResolveAsync(call.Prefetch, context, call.FhirServer, call.FhirAuthorization, cancellationToken);
        if (!resolution.HasRequiredData)
        {
            // CDS Hooks 2.0: 412 when the data needed cannot be had from prefetch or the FHIR server.
            var keys = string.Join("; ", resolution.MissingRequired.Select(k => $"{k.Key}: {k.Reason}"));
            return FhirResults.Problem(OperationOutcome.IssueType.Processing, $"Cannot evaluate without the patient: {keys}.", StatusCodes.Status412PreconditionFailed, "prefetch.patient");
        }

        // The stored record's facts come from the patient's held fact state; only the call's resources are mapped (issue 20).
        var asOf = clock.GetUtcNow();
        var (mapping, stored) = await record.CallFactsAsync($"Patient/{patientId}", resolution.Resources, asOf, cancellationToken);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = evaluation.Evaluate(resolution.SetAside is { Count: > 0 } setAside ? mapping with { Problems = [.. setAside, .. mapping.Problems] } : mapping, asOf);
        NetCds.Service.Ops.NetCdsTelemetry.Evaluated("cds", System.Diagnostics.Stopwatch.GetElapsedTime(started));
        if (result is null)
        {
            return FhirResults.Problem(OperationOutcome.IssueType.Processing, "The prefetched data name no patient.", StatusCodes.Status412PreconditionFailed, "prefetch.patient");
        }

        var serviceBase = service.Value.UrlOf("");
        var links = new CardLinks(service.Value.UrlOf("/cds-services"), serviceBase, StoredRevision(stored, result));
        var gaps = resolution.Warnings.Select(w => $"{w.Key}: {w.Reason}").ToList();
        if (call.Hook == CdsServiceCatalog.PatientView)
        {
            return Answer(cards.PatientView(result, links, gaps));
        }

        var draft = FhirInput.Parse(context.GetProperty("draftOrders"));
        if (draft.Error is { } notFhir)
        {
            // Named within the hook request: every path is inside context.draftOrders.
            return FhirResults.Outcome(notFhir with { Issues = [.. notFhir.Issues.Select(i => i with { Path = i.Path is null ? "context.draftOrders" : $"context.draftOrders ({i.Path})" })] });
        }

        var ordered = orders.Classify(FhirInput.Resources(draft.Resource!));
        return Answer(cards.OrderCheck(result, ordered, links, gaps));

        // Every returned card is remembered for feedback (issue 20); queued, so the answer never waits for the store.
        JsonHttpResult<CdsResponse> Answer(IReadOnlyList<Card> returned)
        {
            memory.Remember(id, call.Hook!, call.HookInstance!, patientId, returned);
            return TypedResults.Json(new CdsResponse(returned), CdsJson.Options);
        }
    }

    /// <summary>
    /// The stored report's revision, named in the cards' extension (issue 20) only when that report says what this
    /// call's evaluation says (same rules version, same status for every therapy); null when none is stored or the
    /// call's data changed a status. Its bookkeeping comes with the held fact state (read with the patient's generation,
    /// never the report itself).
    /// </summary>
    private static int? StoredRevision(StoredReportSummary? stored, Evaluation result) =>
        stored is not null && stored.RulesVersion == result.Report.RulesVersion && stored.Statuses == EligibilityRecompute.StatusesOf(result)
            ? stored.Revision
            : null;

    private static async Task<Results<Ok, ContentHttpResult>> FeedbackAsync(
        string id,
        HttpContext http,
        FeedbackReceiver receiver,
        IOptions<CdsHooksLimits> limits,
        CancellationToken cancellationToken)
    {
        if (!CdsServiceCatalog.Hooks.ContainsKey(id))
        {
            return FhirResults.Problem(OperationOutcome.IssueType.NotFound, $"No CDS service '{id}'.", StatusCodes.Status404NotFound);
        }

        var (json, unreadable) = await ReadJsonAsync(http.Request, limits.Value.MaxFeedbackBytes, cancellationToken);
        if (unreadable is not null)
        {
            return unreadable;
        }

        var (feedback, error) = Deserialize<FeedbackRequest>(json, "feedback", limits.Value.MaxFeedbackItems);
        if (error is not null)
        {
            return error;
        }

        if (CdsRequestValidator.Validate(feedback!, limits.Value.MaxFeedbackItems) is { } invalid)
        {
            return FhirResults.Problem(OperationOutcome.IssueType.Invalid, invalid.Message, StatusCodes.Status400BadRequest, invalid.Field);
        }

        // Checked against the remembered cards and the site's override reasons, stored once (issue 20).
        return await receiver.StoreAsync(id, feedback!, http.GetCdsHooksCaller()?.Issuer, cancellationToken) is { } refused
            ? FhirResults.Problem(OperationOutcome.IssueType.Invalid, refused.Message, StatusCodes.Status400BadRequest, refused.Field)
            : TypedResults.Ok();
    }

    /// <summary>
    /// Reads a JSON body ourselves, so a bad one is a 400 OperationOutcome rather than a framework error: within
    /// <paramref name="maxBytes"/> (413 beyond), JSON's media type (415 otherwise), valid UTF-8.
    /// </summary>
    private static async Task<(ReadOnlyMemory<byte> Json, ContentHttpResult? Error)> ReadJsonAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentType?.Split(';')[0].Trim() is not ("application/json" or "application/fhir+json"))
        {
            return (default, FhirResults.Problem(OperationOutcome.IssueType.NotSupported, "Content-Type must be application/json.", StatusCodes.Status415UnsupportedMediaType));
        }

        var (json, tooLarge) = await FhirResults.ReadBodyAsync(request, maxBytes, cancellationToken);
        if (tooLarge is not null)
        {
            return (default, tooLarge);
        }

        return System.Text.Unicode.Utf8.IsValid(json.Span)
            ? (json, null)
            : (default, FhirResults.Problem(OperationOutcome.IssueType.Structure, "The body is not valid UTF-8.", StatusCodes.Status400BadRequest));
    }

    /// <summary>
    /// A JSON body deserialized, with at most <paramref name="maxItems"/> items in arrays named
    /// <paramref name="counted"/> (counted in one streaming pass before anything is deserialized): 413 otherwise.
    /// </summary>
    private static (T? Body, ContentHttpResult? Error) Deserialize<T>(ReadOnlyMemory<byte> json, string counted, int maxItems)
        where T : class
    {
        if (JsonEntryCounter.Count(json.Span, counted, maxItems) > maxItems)
        {
            return (null, TooManyItems(counted, maxItems));
        }

        try
        {
            var body = JsonSerializer.Deserialize<T>(json.Span, CdsJson.Options);
            return body is null
                ? (null, FhirResults.Problem(OperationOutcome.IssueType.Required, "Request body is empty.", StatusCodes.Status400BadRequest))
                : (body, null);
        }
        catch (JsonException malformed)
        {
            return (null, FhirResults.Problem(OperationOutcome.IssueType.Structure, $"Malformed JSON: {malformed.Message}", StatusCodes.Status400BadRequest, malformed.Path));
        }
    }

    private static ContentHttpResult TooManyItems(string counted, int maxItems) =>
        FhirResults.Problem(OperationOutcome.IssueType.TooLong, $"More than {maxItems} '{counted}' items; at most {maxItems} per call.", StatusCodes.Status413PayloadTooLarge, counted);
}

using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Diagnostics;
using NetCds.Fhir.Input;

namespace NetCds.Service.Errors;

/// <summary>
/// One error path: an unexpected exception becomes a 500 with a correlation id (an OperationOutcome on FHIR routes, a
/// JSON error on CDS Hooks routes), and framework errors without a body (404, 405, 413, 414, 415) get the same
/// bodies. Neither the exception's message nor anything from the request is sent or logged: they may hold patient data.
/// </summary>
public static partial class ErrorResponses
{
    private static readonly int[] FilledStatuses = [StatusCodes.Status404NotFound, StatusCodes.Status405MethodNotAllowed, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status414UriTooLong, StatusCodes.Status415UnsupportedMediaType];
    private static readonly FhirJsonSerializer Serializer = new();

    public static IHostApplicationBuilder AddErrorResponses(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<UnexpectedErrorHandler>();
        return builder;
    }

    /// <summary>First in the pipeline, so that every later failure goes through it.</summary>
    public static WebApplication UseErrorResponses(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages(context =>
        {
            var http = context.HttpContext;
            return FilledStatuses.Contains(http.Response.StatusCode)
                ? WriteAsync(http, http.Response.StatusCode, Describe(http.Response.StatusCode))
                : System.Threading.Tasks.Task.CompletedTask;
        });
        app.UseDotSegmentRefusal();
        return app;
    }

    /// <summary>The error body for this route: CDS Hooks routes answer JSON, every other route a FHIR OperationOutcome.</summary>
    internal static System.Threading.Tasks.Task WriteAsync(HttpContext http, int status, string message) => WriteAsync(http, status, message, http.RequestAborted);

    /// <inheritdoc cref="WriteAsync(HttpContext, int, string)"/>
    internal static async System.Threading.Tasks.Task WriteAsync(HttpContext http, int status, string message, CancellationToken cancellationToken)
    {
        var correlation = http.TraceIdentifier;
        http.Response.StatusCode = status;
        if (http.Request.Path.StartsWithSegments("/cds-services", StringComparison.Ordinal))
        {
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(JsonSerializer.Serialize(new { error = message, status, correlationId = correlation }), cancellationToken);
            return;
        }

        var type = status >= 500 ? OperationOutcome.IssueType.Exception : status switch
        {
            StatusCodes.Status404NotFound => OperationOutcome.IssueType.NotFound,
            StatusCodes.Status413PayloadTooLarge or StatusCodes.Status414UriTooLong => OperationOutcome.IssueType.TooLong,
            StatusCodes.Status400BadRequest => OperationOutcome.IssueType.Invalid,
            _ => OperationOutcome.IssueType.NotSupported,
        };
        var outcome = FhirInput.Outcome(type, $"{message} Correlation id: {correlation}.");
        http.Response.ContentType = "application/fhir+json";
        await http.Response.WriteAsync(Serializer.SerializeToString(outcome), cancellationToken);
    }

    private static string Describe(int status) => status switch
    {
        StatusCodes.Status404NotFound => "No such route.",
        StatusCodes.Status405MethodNotAllowed => "This route does not take that HTTP method.",
        StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
        StatusCodes.Status414UriTooLong => "The URL is too long.",
        _ => "Unsupported media type.",
    };

    /// <summary>Logs the exception's type and stack (not its message: it may quote data) with the correlation id, and answers 500.</summary>
    private sealed partial class UnexpectedErrorHandler(ILogger<UnexpectedErrorHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
            {
                return true;
            }

            var type = exception.GetType().FullName ?? "Exception";
            var stack = exception.StackTrace ?? "";
            LogUnexpected(logger, type, httpContext.TraceIdentifier, stack);
            if (!httpContext.Response.HasStarted)
            {
                await WriteAsync(httpContext, StatusCodes.Status500InternalServerError, "Unexpected error: the request could not be completed.", cancellationToken);
            }

            return true;
        }

        [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected {ExceptionType}; correlation id {CorrelationId}\n{StackTrace}")]
        private static partial void LogUnexpected(ILogger logger, string exceptionType, string correlationId, string stackTrace);
    }
}

using System.Diagnostics;

namespace NetCds.Service.Ops;

/// <summary>
/// One log line per request: method, route template (never the path, which can hold a patient id), status and
/// duration. Probes and scrapes log at Debug so they do not drown the rest.
/// </summary>
public sealed partial class RequestLogging(RequestDelegate next, ILogger<RequestLogging> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var status = context.Response.StatusCode;
            if (route.StartsWith("/health", StringComparison.Ordinal) || route == "/metrics")
            {
                LogProbe(logger, context.Request.Method, route, status, elapsed);
            }
            else
            {
                LogRequest(logger, context.Request.Method, route, status, elapsed);
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "HTTP {Method} {Route} answered {StatusCode} in {ElapsedMilliseconds:0.0} ms")]
    private static partial void LogRequest(ILogger logger, string method, string route, int statusCode, double elapsedMilliseconds);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "HTTP {Method} {Route} answered {StatusCode} in {ElapsedMilliseconds:0.0} ms")]
    private static partial void LogProbe(ILogger logger, string method, string route, int statusCode, double elapsedMilliseconds);
}

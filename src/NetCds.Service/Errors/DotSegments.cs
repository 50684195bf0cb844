using Microsoft.AspNetCore.Http.Features;

namespace NetCds.Service.Errors;

/// <summary>
/// A request whose URL path holds a <c>.</c> or <c>..</c> segment (as sent, percent-encoded or not) is answered 400
/// with the route's error body (issue 20). Kestrel removes dot segments before routing, so <c>PUT /fhir/Observation/../</c>
/// would otherwise reach <c>PUT /fhir</c> and get a 405, and <c>GET /eligibility/..</c> the landing page: the id the
/// caller meant is outside FHIR's <c>[A-Za-z0-9\-\.]{1,64}</c> in practice (it cannot be addressed), so say so.
/// </summary>
internal static class DotSegments
{
    public const string Message = "The URL path has a '.' or '..' segment: a FHIR id in a URL is 1-64 characters from A-Z, a-z, 0-9, '-' and '.', and not '.' or '..'.";

    /// <summary>Runs right after the error handlers, before anything reads the (already normalised) path.</summary>
    public static WebApplication UseDotSegmentRefusal(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (HasDotSegment(http.Features.Get<IHttpRequestFeature>()?.RawTarget))
            {
                await ErrorResponses.WriteAsync(http, StatusCodes.Status400BadRequest, Message);
                return;
            }

            await next(http);
        });
        return app;
    }

    /// <summary>True when the path part of <paramref name="rawTarget"/> (origin form) has a segment that decodes to <c>.</c> or <c>..</c>.</summary>
    internal static bool HasDotSegment(string? rawTarget)
    {
        if (string.IsNullOrEmpty(rawTarget) || rawTarget[0] != '/')
        {
            return false;
        }

        var end = rawTarget.IndexOfAny(['?', '#']);
        var path = end < 0 ? rawTarget : rawTarget[..end];
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length is > 0 and <= 6 && Uri.UnescapeDataString(segment) is "." or "..")
            {
                return true;
            }
        }

        return false;
    }
}

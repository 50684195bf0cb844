using System.Text;
using System.Text.Encodings.Web;

namespace NetCds.Service.Mdt;

/// <summary>Small helpers for the server-rendered pages: every value is encoded, the shell is shared.</summary>
internal static class Html
{
    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    /// <summary>A whole page: one stylesheet served by the service (hospital networks are often closed: no CDN).</summary>
    public static string Page(string title, string body) => new StringBuilder()
        .Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .Append("<title>").Append(E(title)).Append("</title>")
        .Append("<link rel=\"stylesheet\" href=\"/assets/netcds.css\">")
        .Append("<link rel=\"icon\" href=\"data:,\">") // no favicon request, so no 404 in the browser console
        .Append("</head><body>").Append(body).Append("</body></html>")
        .ToString();

    /// <summary>
    /// Scripts only from the service itself (no inline script: the pages have none); inline styles allowed because
    /// ScottPlot's SVG carries style attributes. No frame-ancestors limit: an EHR may show the MDT view in a frame.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'";

    public static IResult Result(string html) => new HtmlPage(html);

    private sealed class HtmlPage(string html) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            httpContext.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            httpContext.Response.Headers.XContentTypeOptions = "nosniff";
            httpContext.Response.Headers.CacheControl = "no-store";
            return Results.Content(html, "text/html; charset=utf-8").ExecuteAsync(httpContext);
        }
    }
}

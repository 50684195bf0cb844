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

    public static IResult Result(string html) => Results.Content(html, "text/html; charset=utf-8");
}

using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace NetCds.Cli;

/// <summary>
/// <c>netcds feedback</c>: what clinicians did with the cards (issue 20), from the service's admin API
/// (<c>GET /admin/feedback</c>, scope <c>netcds.admin</c>): per therapy and decisive rule, how often shown, accepted
/// and overridden, and the override reasons given. Exit codes (<see cref="ExitCodes"/>): 0 shown, 1 the service
/// refused or could not be reached, 2 usage.
/// </summary>
public static class FeedbackCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create(TextWriter output, TextWriter error)
    {
        var service = new Option<Uri>("--service")
        {
            Description = "The service's URL (default: NETCDS_URL, else http://localhost:8080).",
            DefaultValueFactory = _ => new Uri(Environment.GetEnvironmentVariable("NETCDS_URL") ?? "http://localhost:8080"),
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (Uri.TryCreate(text, UriKind.Absolute, out var uri))
                {
                    return uri;
                }

                result.AddError($"--service must be an absolute URL (was '{text}')");
                return null!;
            },
        };
        var token = new Option<string?>("--token") { Description = "An access token with scope netcds.admin (default: NETCDS_ADMIN_TOKEN)." };
        var json = new Option<bool>("--json") { Description = "The summary as the service answers it (JSON), not as a table." };
        var command = new Command("feedback", "Card feedback per therapy and decisive rule: how often shown, accepted, overridden, and with which override reasons (GET /admin/feedback, scope netcds.admin).")
        {
            service, token, json,
        };
        command.SetAction(async (parsed, ct) =>
        {
            using var http = new HttpClient { BaseAddress = parsed.GetRequiredValue(service) };
            if ((parsed.GetValue(token) ?? Environment.GetEnvironmentVariable("NETCDS_ADMIN_TOKEN")) is { Length: > 0 } bearer)
            {
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            }

            return await RunAsync(http, parsed.GetValue(json), output, error, ct);
        });
        return command;
    }

    /// <summary>The command itself, against <paramref name="http"/> (its base address is the service).</summary>
    public static async Task<int> RunAsync(HttpClient http, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        string body;
        try
        {
            using var response = await http.GetAsync(new Uri("admin/feedback", UriKind.Relative), cancellationToken);
            body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                error.WriteLine($"feedback failed: HTTP {(int)response.StatusCode}{(response.StatusCode == System.Net.HttpStatusCode.Unauthorized ? " (pass --token or set NETCDS_ADMIN_TOKEN: scope netcds.admin)" : "")}");
                return ExitCodes.Failed;
            }
        }
        catch (HttpRequestException unreachable)
        {
            error.WriteLine($"feedback failed: {unreachable.Message}");
            return ExitCodes.Failed;
        }

        using var document = JsonDocument.Parse(body);
        var summary = document.RootElement;
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(summary, Indented));
            return ExitCodes.Success;
        }

        output.WriteLine($"{"therapy",-8} {"rule",-24} {"shown",7} {"accepted",9} {"overridden",11}  override reasons");
        foreach (var row in summary.GetProperty("rows").EnumerateArray())
        {
            var reasons = string.Join(", ", row.GetProperty("reasons").EnumerateArray().Select(r => $"{r.GetProperty("code").GetString()} ({r.GetProperty("count").GetInt32()})"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{row.GetProperty("therapy").GetString(),-8} {row.GetProperty("rule").GetString(),-24} {row.GetProperty("shown").GetInt64(),7} {row.GetProperty("accepted").GetInt32(),9} {row.GetProperty("overridden").GetInt32(),11}  {reasons}"));
        }

        output.WriteLine($"{summary.GetProperty("cardsRemembered").GetInt32()} card(s) remembered (retention {summary.GetProperty("retention").GetString()})");
        return ExitCodes.Success;
    }
}

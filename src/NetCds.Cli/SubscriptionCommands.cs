using System.Net.Http.Headers;
using System.Text.Json;

namespace NetCds.Cli;

/// <summary>
/// <c>netcds subscriptions list|create|check|delete</c>: the service's Subscriptions on the EHR, through its admin API
/// (<c>/admin/subscriptions</c>, scope <c>netcds.admin</c>), so the service's own configuration and keys are used.
/// Exit codes: 0 done, 1 the service or the EHR refused, 2 usage.
/// </summary>
public static class SubscriptionCommands
{
    public const string Usage = """
        usage: netcds subscriptions list
               netcds subscriptions create|check|delete <name>
          The topic-based Subscriptions the service holds on EHR FHIR servers (configured as Subscriptions:N:...):
          create posts the Subscription to the EHR (rest-hook, backport profile), check shows where it stands here and
          on the EHR (events received, gaps recovered), delete removes it from the EHR.
          --service  the service's URL (default: NETCDS_URL, else http://localhost:8080)
          --token    an access token with scope netcds.admin (default: NETCDS_ADMIN_TOKEN)
        """;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var service = Environment.GetEnvironmentVariable("NETCDS_URL") ?? "http://localhost:8080";
        var token = Environment.GetEnvironmentVariable("NETCDS_ADMIN_TOKEN");
        var positional = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--service" when i + 1 < args.Length:
                    service = args[++i];
                    break;
                case "--token" when i + 1 < args.Length:
                    token = args[++i];
                    break;
                default:
                    positional.Add(args[i]);
                    break;
            }
        }

        if (!Uri.TryCreate(service, UriKind.Absolute, out var baseUri))
        {
            error.WriteLine($"--service must be an absolute URL (was '{service}')");
            return 2;
        }

        using var http = new HttpClient { BaseAddress = baseUri };
        if (!string.IsNullOrWhiteSpace(token))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await RunAsync(positional, http, output, error, cancellationToken);
    }

    /// <summary>The command itself, against <paramref name="http"/> (its base address is the service).</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> positional, HttpClient http, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(positional);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var command = positional.Count > 0 ? positional[0] : null;
        var name = positional.Count > 1 ? positional[1] : null;
        HttpMethod? method = (command, name, positional.Count) switch
        {
            ("list", null, 1) => HttpMethod.Get,
            ("create", not null, 2) => HttpMethod.Post,
            ("check", not null, 2) => HttpMethod.Get,
            ("delete", not null, 2) => HttpMethod.Delete,
            _ => null,
        };
        if (method is null)
        {
            error.WriteLine(Usage);
            return 2;
        }

        var path = name is null ? "admin/subscriptions" : $"admin/subscriptions/{Uri.EscapeDataString(name)}";
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            error.WriteLine($"{command} failed: HTTP {(int)response.StatusCode}{Diagnostics(body)}");
            return 1;
        }

        using var document = JsonDocument.Parse(body);
        output.WriteLine(JsonSerializer.Serialize(document.RootElement, Indented));
        return 0;
    }

    /// <summary>The OperationOutcome's diagnostics, when the body is one.</summary>
    private static string Diagnostics(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var issues = document.RootElement.TryGetProperty("issue", out var list) ? list.EnumerateArray().Select(i => i.TryGetProperty("diagnostics", out var d) ? d.GetString() : null).OfType<string>().ToList() : [];
            return issues.Count == 0 ? "" : ": " + string.Join("; ", issues);
        }
        catch (JsonException)
        {
            return "";
        }
    }
}

using System.CommandLine;
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
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create(TextWriter output, TextWriter error)
    {
        var service = new Option<Uri>("--service")
        {
            Description = "The service's URL (default: NETCDS_URL, else http://localhost:8080).",
            Recursive = true,
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
        var token = new Option<string?>("--token") { Description = "An access token with scope netcds.admin (default: NETCDS_ADMIN_TOKEN).", Recursive = true };
        var command = new Command("subscriptions", "The topic-based Subscriptions the service holds on EHR FHIR servers (configured as Subscriptions:N:...), through its admin API (/admin/subscriptions, scope netcds.admin).")
        {
            service, token,
        };

        var list = new Command("list", "List the configured subscriptions and where each stands.");
        list.SetAction((parsed, ct) => SendAsync(["list"], parsed.GetRequiredValue(service), parsed.GetValue(token), output, error, ct));
        command.Add(list);
        foreach (var (name, description) in new[]
        {
            ("create", "Post the Subscription to the EHR (rest-hook, backport profile)."),
            ("check", "Show where it stands here and on the EHR (events received, gaps recovered)."),
            ("delete", "Remove it from the EHR."),
        })
        {
            var subscription = new Argument<string>("name") { Description = "The subscription's configured name." };
            var sub = new Command(name, description) { subscription };
            sub.SetAction((parsed, ct) => SendAsync([name, parsed.GetRequiredValue(subscription)], parsed.GetRequiredValue(service), parsed.GetValue(token), output, error, ct));
            command.Add(sub);
        }

        return command;
    }

    private static async Task<int> SendAsync(string[] positional, Uri service, string? token, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        token ??= Environment.GetEnvironmentVariable("NETCDS_ADMIN_TOKEN");
        using var http = new HttpClient { BaseAddress = service };
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
            error.WriteLine("usage: netcds subscriptions list | create|check|delete <name> (netcds subscriptions --help)");
            return ExitCodes.Usage;
        }

        var path = name is null ? "admin/subscriptions" : $"admin/subscriptions/{Uri.EscapeDataString(name)}";
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            error.WriteLine($"{command} failed: HTTP {(int)response.StatusCode}{Diagnostics(body)}");
            return ExitCodes.Failed;
        }

        using var document = JsonDocument.Parse(body);
        output.WriteLine(JsonSerializer.Serialize(document.RootElement, Indented));
        return ExitCodes.Success;
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

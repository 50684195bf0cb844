using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace NetCds.Cli;

/// <summary>
/// <c>netcds import &lt;dir|file.ndjson&gt; --url &lt;service&gt; [--batch 1000] [--parallel 2] [--window 100000]</c>: backfills FHIR
/// Bulk Data NDJSON (the files a <c>$export</c> writes, one resource per line) through the service's own ingestion
/// (<c>POST /fhir</c>, <c>application/fhir+ndjson</c>), so every version rule and the terminology filter apply as for
/// live events. The recomputes are deferred (issue 19, deliverable 8): every part is sent with
/// <c>X-NetCds-Recompute: deferred</c>, so storing it queues none, and each import window (<c>--window</c> resources,
/// and the end of the run) is closed with <c>POST /recompute</c>, which recomputes each patient written since once,
/// however many parts carried its resources. Resumable: after each acknowledged part the number of lines done per file
/// is written to a checkpoint beside the input, and a second run starts after it (a part sent twice is harmless: the
/// same resource twice is a no-op); the patients a stopped run left without a recompute are found in the store
/// (record ahead of report) when the resumed run closes its first window. The access token comes from <c>NETCDS_TOKEN</c> (never from the command line, where
/// it would end up in shell history and process lists).
/// Exit codes (<see cref="ExitCodes"/>): 0 all lines stored or answered, 1 some lines refused or the service failed, 2 usage.
/// </summary>
public static class ImportCommand
{
    /// <summary>The service's header for a backfill part (NetCds.Service.Ingestion.BackfillApi): store, recompute later.</summary>
    public const string RecomputeHeader = "X-NetCds-Recompute";

    /// <param name="client">The HTTP client to send with (tests); by default one for <c>--url</c> with <c>NETCDS_TOKEN</c>.</param>
    public static Command Create(TextWriter output, TextWriter error, HttpClient? client)
    {
        var input = new Argument<string>("input") { Description = "A $export directory (*.ndjson, Patient.ndjson first) or one .ndjson file.", HelpName = "dir|file.ndjson" };
        var url = new Option<Uri>("--url")
        {
            Description = "The service's base URL, e.g. http://127.0.0.1:5080.",
            Required = true,
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (Uri.TryCreate(text.TrimEnd('/') + "/", UriKind.Absolute, out var uri))
                {
                    return uri;
                }

                result.AddError($"--url must be an absolute URL (was '{text}')");
                return null!;
            },
        };
        var batch = new Option<int>("--batch") { Description = "Resources per request.", DefaultValueFactory = _ => 1000, CustomParser = CommandLine.ParsePositive };
        var parallel = new Option<int>("--parallel") { Description = "Parts in flight at once (the service parses one while the database writes another).", DefaultValueFactory = _ => 2, CustomParser = CommandLine.ParsePositive };
        var window = new Option<int>("--window") { Description = "Resources per import window: the patients written in a window are recomputed once, when it closes (and at the end).", DefaultValueFactory = _ => 100_000, CustomParser = CommandLine.ParsePositive };
        var command = new Command("import", "Load FHIR Bulk Data NDJSON (a $export's output) through POST /fhir; each patient is recomputed once per import window (POST /recompute), not once per part; resumable (a checkpoint beside the input). The access token (system/*.write) is read from NETCDS_TOKEN. On a terminal a progress bar shows rate and time left; otherwise a progress line every few seconds.")
        {
            input, url, batch, parallel, window,
        };
        command.SetAction((parsed, ct) => ImportAsync(parsed.GetRequiredValue(input), parsed.GetRequiredValue(url), parsed.GetValue(batch), parsed.GetValue(parallel), parsed.GetValue(window), output, error, client, ct));
        return command;
    }

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        RunAsync(args, output, error, client: null, cancellationToken);

    /// <summary><c>import ...</c> as on the command line, against <paramref name="client"/> when given (tests).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, HttpClient? client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var parsed = new RootCommand { Create(output, error, client) }.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
            {
                error.WriteLine(problem.Message);
            }

            return ExitCodes.Usage;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellationToken);
    }

    private static async Task<int> ImportAsync(string input, Uri baseUrl, int batch, int parallel, int window, TextWriter output, TextWriter error, HttpClient? client, CancellationToken cancellationToken)
    {
        var files = Directory.Exists(input)
            ? Directory.GetFiles(input, "*.ndjson").OrderBy(f => Path.GetFileName(f) == "Patient.ndjson" ? 0 : 1).ThenBy(f => f, StringComparer.Ordinal).ToList()
            : File.Exists(input) ? [input] : [];
        if (files.Count == 0)
        {
            error.WriteLine($"no NDJSON input at {input}");
            return ExitCodes.Failed;
        }

        var checkpoint = new Checkpoint(Directory.Exists(input) ? Path.Combine(input, ".netcds-import.json") : input + ".netcds-import.json");
        using var owned = client is null ? new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(2) } : null;
        var http = client ?? owned!;
        if (owned is not null && Environment.GetEnvironmentVariable("NETCDS_TOKEN") is { Length: > 0 } token)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var total = files.Sum(f => File.ReadLines(f).LongCount(l => l.Length > 0));
        var alreadyDone = files.Sum(checkpoint.LinesDone);
        var refused = 0L;
        var recomputed = 0L;
        var inWindow = 0L;
        ImportProgress.Result result;
        try
        {
            result = await ImportProgress.ShowAsync(error, total - alreadyDone, async progress =>
        {
            var sent = 0L;

            // Up to --parallel parts in flight (issue 19, deliverable 8): the service parses and maps one part while
            // the database writes another. Answers are taken in the order the parts were sent, so the checkpoint only
            // ever moves past parts that are all acknowledged.
            var inFlight = new Queue<(Task<string> Answer, string File, long FirstLine, long LastLine, int Count)>();
            async Task DrainAsync(int keep)
            {
                while (inFlight.Count > keep)
                {
                    var (answer, file, firstLine, lastLine, count) = inFlight.Dequeue();
                    refused += Refused(await answer, file, firstLine, progress);
                    checkpoint.Save(file, lastLine);
                    progress.Add(count);
                    sent += count;
                }
            }

            async Task SendPartAsync(List<string> part, string file, long lastLine)
            {
                inFlight.Enqueue((SendAsync(http, string.Join('\n', part) + "\n", file, lastLine - part.Count + 1, cancellationToken), file, lastLine - part.Count + 1, lastLine, part.Count));
                inWindow += part.Count;
                part.Clear();
                await DrainAsync(parallel - 1);
                if (inWindow >= window)
                {
                    await DrainAsync(0);
                    recomputed += await CloseWindowAsync(http, cancellationToken);
                    inWindow = 0;
                }
            }

            foreach (var file in files)
            {
                var done = checkpoint.LinesDone(file);
                var part = new List<string>(batch);
                var lineNumber = 0L;
                foreach (var line in File.ReadLines(file))
                {
                    if (line.Length == 0 || ++lineNumber <= done)
                    {
                        continue;
                    }

                    part.Add(line);
                    if (part.Count == batch)
                    {
                        await SendPartAsync(part, file, lineNumber);
                    }
                }

                if (part.Count > 0)
                {
                    await SendPartAsync(part, file, lineNumber);
                }
            }

            await DrainAsync(0);

            // Always, even when nothing was left to send: a run stopped before closing its window left patients stale.
            recomputed += await CloseWindowAsync(http, cancellationToken);
            return sent;
        });
        }
        catch (InvalidOperationException failure)
        {
            // The service refused a part for good (not a retryable status): what was acknowledged stays checkpointed.
            error.WriteLine($"import stopped: {failure.Message}");
            return ExitCodes.Failed;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"imported {result.Sent:N0} resources in {result.Elapsed.TotalSeconds:0.0} s ({result.Rate:N0} resources/s){(alreadyDone > 0 ? $", {alreadyDone:N0} already done before" : "")}; {refused:N0} refused; {recomputed:N0} patients recomputed"));
        return refused == 0 ? ExitCodes.Success : ExitCodes.Failed;
    }

    /// <summary>Posts one part, retrying what may pass later (network, 429, 5xx); returns the batch-response Bundle.</summary>
    private static async Task<string> SendAsync(HttpClient http, string body, string file, long firstLine, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/fhir+ndjson");
                content.Headers.Add(RecomputeHeader, "deferred");
                using var response = await http.PostAsync(new Uri("fhir", UriKind.Relative), content, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return text;
                }

                if (response.StatusCode is not (HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError) || attempt == 5)
                {
                    throw new InvalidOperationException($"{Path.GetFileName(file)} from line {firstLine}: HTTP {(int)response.StatusCode} {Diagnostics(text)}");
                }
            }
            catch (HttpRequestException) when (attempt < 5)
            {
                // The service restarting or unreachable for a moment: the part is sent again (idempotent).
            }

            await Task.Delay(TimeSpan.FromSeconds(Math.Pow(2, attempt - 1)), cancellationToken);
        }
    }

    /// <summary>
    /// Closes an import window: <c>POST /recompute</c>, page after page, recomputes every patient whose record the
    /// window (or a stopped run) moved ahead of its report; returns how many patients were recomputed.
    /// </summary>
    private static async Task<long> CloseWindowAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var total = 0L;
        string? after = null;
        do
        {
            var path = after is null ? "recompute" : $"recompute?after={Uri.EscapeDataString(after)}";
            using var page = await PostWithRetryAsync(http, path, cancellationToken);
            total += page.RootElement.GetProperty("recomputed").GetInt64();
            after = page.RootElement.GetProperty("next").GetString();
        }
        while (after is not null);
        return total;
    }

    private static async Task<JsonDocument> PostWithRetryAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var response = await http.PostAsync(new Uri(path, UriKind.Relative), content: null, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return JsonDocument.Parse(text);
                }

                if (response.StatusCode is not (HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError) || attempt == 5)
                {
                    throw new InvalidOperationException($"recomputing the imported patients: HTTP {(int)response.StatusCode} {Diagnostics(text)}");
                }
            }
            catch (HttpRequestException) when (attempt < 5)
            {
                // The service restarting: the window is closed again (a recompute already done is skipped).
            }

            await Task.Delay(TimeSpan.FromSeconds(Math.Pow(2, attempt - 1)), cancellationToken);
        }
    }

    private static int Refused(string batchResponse, string file, long firstLine, ImportProgress progress)
    {
        using var bundle = JsonDocument.Parse(batchResponse);
        var refused = 0;
        foreach (var entry in bundle.RootElement.GetProperty("entry").EnumerateArray())
        {
            var response = entry.GetProperty("response");
            if (response.GetProperty("status").GetString()?.StartsWith('4') == true)
            {
                refused++;
                progress.Problem($"{Path.GetFileName(file)}: {Diagnostics(response.TryGetProperty("outcome", out var outcome) ? outcome.GetRawText() : "")} (part from line {firstLine})");
            }
        }

        return refused;
    }

    private static string Diagnostics(string outcomeJson)
    {
        try
        {
            using var outcome = JsonDocument.Parse(outcomeJson);
            return string.Join("; ", outcome.RootElement.GetProperty("issue").EnumerateArray().Select(i => i.TryGetProperty("diagnostics", out var d) ? d.GetString() : null).OfType<string>());
        }
        catch (Exception failure) when (failure is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return "";
        }
    }

    /// <summary>Lines done per file, written atomically after each acknowledged part.</summary>
    private sealed class Checkpoint(string path)
    {
        private readonly Dictionary<string, long> _done = File.Exists(path)
            ? JsonSerializer.Deserialize<Dictionary<string, long>>(File.ReadAllText(path)) ?? []
            : [];

        public long LinesDone(string file) => _done.GetValueOrDefault(Path.GetFullPath(file));

        public void Save(string file, long lines)
        {
            _done[Path.GetFullPath(file)] = lines;
            File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(_done));
            File.Move(path + ".tmp", path, overwrite: true);
        }
    }
}

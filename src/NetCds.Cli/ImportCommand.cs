using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace NetCds.Cli;

/// <summary>
/// <c>netcds import &lt;dir|file.ndjson&gt; --url &lt;service&gt; [--batch 1000]</c>: backfills FHIR Bulk Data NDJSON
/// (the files a <c>$export</c> writes, one resource per line) through the service's own ingestion
/// (<c>POST /fhir</c>, <c>application/fhir+ndjson</c>), so every version rule, the terminology filter and the
/// recompute apply as for live events. Resumable: after each acknowledged part the number of lines done per file is
/// written to a checkpoint beside the input, and a second run starts after it (a part sent twice is harmless: the same
/// resource twice is a no-op). The access token comes from <c>NETCDS_TOKEN</c> (never from the command line, where
/// it would end up in shell history and process lists).
/// Exit codes: 0 all lines stored or answered, 1 some lines refused or the service failed, 2 usage.
/// </summary>
public static class ImportCommand
{
    public const string Usage = """
        usage: netcds import <dir|file.ndjson> --url http://127.0.0.1:5080 [--batch 1000]
          Loads FHIR Bulk Data NDJSON (a $export's output) through POST /fhir; resumable (checkpoint beside the input).
          The access token (system/*.write) is read from NETCDS_TOKEN.
        """;

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        RunAsync(args, output, error, client: null, cancellationToken);

    /// <param name="client">The HTTP client to send with (tests); by default one for <c>--url</c> with <c>NETCDS_TOKEN</c>.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, HttpClient? client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Length < 2 || Option(args, "--url") is not { } url || !Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var baseUrl))
        {
            error.WriteLine(Usage);
            return 2;
        }

        var batch = int.TryParse(Option(args, "--batch"), NumberStyles.None, CultureInfo.InvariantCulture, out var b) && b > 0 ? b : 1000;
        var input = args[1];
        var files = Directory.Exists(input)
            ? Directory.GetFiles(input, "*.ndjson").OrderBy(f => Path.GetFileName(f) == "Patient.ndjson" ? 0 : 1).ThenBy(f => f, StringComparer.Ordinal).ToList()
            : File.Exists(input) ? [input] : [];
        if (files.Count == 0)
        {
            error.WriteLine($"no NDJSON input at {input}");
            return 1;
        }

        var checkpoint = new Checkpoint(Directory.Exists(input) ? Path.Combine(input, ".netcds-import.json") : input + ".netcds-import.json");
        using var owned = client is null ? new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(2) } : null;
        var http = client ?? owned!;
        if (owned is not null && Environment.GetEnvironmentVariable("NETCDS_TOKEN") is { Length: > 0 } token)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var total = files.Sum(f => File.ReadLines(f).LongCount(l => l.Length > 0));
        var progress = new Progress(error, total);
        var refused = 0L;
        foreach (var file in files)
        {
            var done = checkpoint.LinesDone(file);
            progress.Skip(done);
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
                    refused += await SendAsync(http, part, file, lineNumber - part.Count + 1, error, cancellationToken);
                    checkpoint.Save(file, lineNumber);
                    progress.Add(part.Count);
                    part.Clear();
                }
            }

            if (part.Count > 0)
            {
                refused += await SendAsync(http, part, file, lineNumber - part.Count + 1, error, cancellationToken);
                checkpoint.Save(file, lineNumber);
                progress.Add(part.Count);
            }
        }

        progress.Finish(output, refused);
        return refused == 0 ? 0 : 1;
    }

    /// <summary>Posts one part, retrying what may pass later (network, 429, 5xx); returns how many lines were refused.</summary>
    private static async Task<int> SendAsync(HttpClient http, List<string> lines, string file, long firstLine, TextWriter error, CancellationToken cancellationToken)
    {
        var body = string.Join('\n', lines) + "\n";
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/fhir+ndjson");
                using var response = await http.PostAsync(new Uri("fhir", UriKind.Relative), content, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return Refused(text, file, firstLine, error);
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

    private static int Refused(string batchResponse, string file, long firstLine, TextWriter error)
    {
        using var bundle = JsonDocument.Parse(batchResponse);
        var refused = 0;
        foreach (var entry in bundle.RootElement.GetProperty("entry").EnumerateArray())
        {
            var response = entry.GetProperty("response");
            if (response.GetProperty("status").GetString()?.StartsWith('4') == true)
            {
                refused++;
                error.WriteLine($"{Path.GetFileName(file)}: {Diagnostics(response.TryGetProperty("outcome", out var outcome) ? outcome.GetRawText() : "")} (part from line {firstLine})");
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

    private static string? Option(string[] args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

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

    /// <summary>One line on the terminal, redrawn at most twice a second: resources done, share, rate.</summary>
    private sealed class Progress(TextWriter error, long total)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _done;
        private long _sent;
        private TimeSpan _drawn;

        public void Skip(long lines) => _done += lines;

        public void Add(int lines)
        {
            _done += lines;
            _sent += lines;
            if (_clock.Elapsed - _drawn >= TimeSpan.FromMilliseconds(500) || _done == total)
            {
                _drawn = _clock.Elapsed;
                error.Write(string.Create(CultureInfo.InvariantCulture, $"\r{Bar()} {_done:N0}/{total:N0} resources ({Rate():N0}/s)   "));
            }
        }

        public void Finish(TextWriter output, long refused)
        {
            error.WriteLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"imported {_sent:N0} resources in {_clock.Elapsed.TotalSeconds:0.0} s ({Rate():N0} resources/s){(_done > _sent ? $", {_done - _sent:N0} already done before" : "")}; {refused:N0} refused"));
        }

        private double Rate() => _sent / Math.Max(_clock.Elapsed.TotalSeconds, 0.001);

        private string Bar()
        {
            var filled = total == 0 ? 30 : (int)(30 * _done / total);
            return "[" + new string('#', filled) + new string('.', 30 - filled) + "]";
        }
    }
}

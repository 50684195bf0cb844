using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace NetCds.PipelineLoad;

/// <summary>
/// Backfill load (issue 19, deliverable 8; bench/run-import.sh). Usage:
/// <c>NetCds.PipelineLoad import &lt;service-base-url&gt; --cli &lt;netcds.dll&gt; --dir &lt;empty dir&gt; [--patients 200]
/// [--resources 200000] [--batch 1000] [--window 100000] [--service-pid N] [--auth-port N]</c>.
/// Writes a $export-like NDJSON set (Patient.ndjson, then Observation.ndjson with the patients' bilirubin results
/// interleaved, as an export orders them by resource, not by patient), then runs <c>netcds import</c> on it as the
/// operator would, with a bearer access token from this harness's authorization server in <c>NETCDS_TOKEN</c>, and
/// prints resources/s with the CPU seconds the service and PostgreSQL spent meanwhile (recomputes at each window's
/// close included).
/// </summary>
internal static class ImportLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: NetCds.PipelineLoad import <service-base-url> --cli <netcds.dll> --dir <dir> [--patients 200] [--resources 200000] [--batch 1000] [--window 100000] [--service-pid N] [--auth-port N]");
            return 2;
        }

        string? Get(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var baseUrl = args[0].TrimEnd('/');
        var cli = Get("--cli") ?? throw new ArgumentException("--cli <netcds.dll> is required");
        var directory = Get("--dir") ?? throw new ArgumentException("--dir is required");
        var patients = Int("--patients", 200);
        var resources = Int("--resources", 200_000);
        var servicePid = Int("--service-pid", 0);
        var authPort = Int("--auth-port", 0);

        var written = Stopwatch.StartNew();
        var total = await WriteExportAsync(directory, patients, resources);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"export: {total:N0} resources ({patients} Patients, {resources:N0} Observations) written in {written.Elapsed.TotalSeconds:0.0} s"));

        // The token outlives the import (the CLI reads it once); the service checks it on every part.
        using var tokens = authPort > 0 ? new AccessTokens(authPort, baseUrl) : null;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[cli, "import", directory, "--url", baseUrl, "--batch", Get("--batch") ?? "1000", "--window", Get("--window") ?? "100000"])
        {
            start.ArgumentList.Add(argument);
        }

        if (tokens is not null)
        {
            start.Environment["NETCDS_TOKEN"] = tokens.Token(TimeSpan.FromHours(2));
        }

        var cpuBefore = CpuSample.Take(servicePid);
        var clock = Stopwatch.StartNew();
        using var import = Process.Start(start)!;
        var output = import.StandardOutput.ReadToEndAsync();
        var errors = import.StandardError.ReadToEndAsync();
        await import.WaitForExitAsync();
        var elapsed = clock.Elapsed;
        var cpu = CpuSample.Take(servicePid) - cpuBefore;
        Console.Write(await output);
        var problems = (await errors).Split('\n').Where(l => !l.StartsWith("import:", StringComparison.Ordinal) && l.Length > 0).Take(10).ToList();
        problems.ForEach(Console.WriteLine);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            netcds import exit code {import.ExitCode}: {total:N0} resources in {elapsed.TotalSeconds:0.0} s (CLI start and window recomputes included) = {total / elapsed.TotalSeconds:N0} resources/s
            CPU s: service {cpu.Service:0.0}, PostgreSQL {cpu.Database:0.0}; per 1,000 resources: service {cpu.Service / total * 1000:0.000}, PostgreSQL {cpu.Database / total * 1000:0.000}
            service peak RSS {(servicePid > 0 ? ProcessCpu.PeakRssMegabytes(servicePid) : double.NaN):0} MB
            """));
        return import.ExitCode;
    }

    /// <summary>Patient.ndjson and Observation.ndjson in <paramref name="directory"/>; returns the number of resources.</summary>
    private static async Task<long> WriteExportAsync(string directory, int patients, int observations)
    {
        Directory.CreateDirectory(directory);
        var run = Guid.NewGuid().ToString("N")[..6];
        string PatientId(int p) => $"imp-{run}-{p}";
        await File.WriteAllLinesAsync(Path.Combine(directory, "Patient.ndjson"), Enumerable.Range(0, patients).Select(p => new JsonObject
        {
            ["resourceType"] = "Patient",
            ["id"] = PatientId(p),
            ["gender"] = p % 2 == 0 ? "female" : "male",
            ["birthDate"] = "1960-01-01",
        }.ToJsonString()));
        var start = DateTimeOffset.UtcNow.AddDays(-400);
        await File.WriteAllLinesAsync(Path.Combine(directory, "Observation.ndjson"), Enumerable.Range(0, observations).Select(i => new JsonObject
        {
            ["resourceType"] = "Observation",
            ["id"] = $"imp-{run}-o{i}",
            ["meta"] = new JsonObject { ["lastUpdated"] = start.AddSeconds(i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) },
            ["status"] = "final",
            ["subject"] = new JsonObject { ["reference"] = $"Patient/{PatientId(i % patients)}" },
            ["effectiveDateTime"] = start.AddSeconds(i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = "1975-2" }) },
            ["valueQuantity"] = new JsonObject { ["value"] = 1m + (i % 7 * 0.5m), ["unit"] = "mg/dL", ["system"] = "http://unitsofmeasure.org", ["code"] = "mg/dL" },
        }.ToJsonString()));
        return patients + (long)observations;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace NetCds.PipelineLoad;

/// <summary>
/// Backfill load (issue 19, deliverable 8; bench/run-import.sh). Usage:
/// <c>NetCds.PipelineLoad import &lt;service-base-url&gt; --cli &lt;netcds.dll&gt; --dir &lt;empty dir&gt; [--patients 200]
/// [--resources 200000] [--batch 1000] [--window 100000] [--warmup 0] [--parallel 2] [--service-pid N] [--auth-port N] [--postgres-pid N]</c>.
/// Writes a $export-like NDJSON set (Patient.ndjson, then Observation.ndjson with the patients' bilirubin results
/// interleaved, as an export orders them by resource, not by patient), then runs <c>netcds import</c> on it as the
/// operator would, with a bearer access token from this harness's authorization server in <c>NETCDS_TOKEN</c>, and
/// prints resources/s with the CPU seconds the service and PostgreSQL spent meanwhile (recomputes at each window's
/// close included). With <c>--postgres-pid</c> (a postmaster) PostgreSQL's CPU is that server's alone, exited
/// autovacuum workers included; without it, every process named <c>postgres</c> (other databases' work included).
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
        var postgresPid = Int("--postgres-pid", 0);

        var warmup = Int("--warmup", 0);
        var written = Stopwatch.StartNew();
        var total = await WriteExportAsync(directory, patients, resources);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"export: {total:N0} resources ({patients} Patients, {resources:N0} Observations) written in {written.Elapsed.TotalSeconds:0.0} s"));

        // The token outlives the import (the CLI reads it once); the service checks it on every part.
        using var tokens = authPort > 0 ? new AccessTokens(authPort, baseUrl) : null;
        async Task<(int ExitCode, string Output, string Errors)> ImportAsync(string from)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in (string[])[cli, "import", from, "--url", baseUrl, "--batch", Get("--batch") ?? "1000", "--window", Get("--window") ?? "100000", "--parallel", Get("--parallel") ?? "2"])
            {
                start.ArgumentList.Add(argument);
            }

            if (tokens is not null)
            {
                start.Environment["NETCDS_TOKEN"] = tokens.Token(TimeSpan.FromHours(2));
            }

            using var import = Process.Start(start)!;
            var output = import.StandardOutput.ReadToEndAsync();
            var errors = import.StandardError.ReadToEndAsync();
            await import.WaitForExitAsync();
            return (import.ExitCode, await output, await errors);
        }

        if (warmup > 0)
        {
            // A warm-up import into other patients first (--warmup N resources), not measured: a fresh service spends
            // much of a short run's CPU compiling and running not yet optimized code (tiered JIT), which says nothing
            // about what a resource costs once it runs (issue 19, deliverable 8).
            var warm = directory.TrimEnd('/') + "-warmup";
            await WriteExportAsync(warm, patients, warmup);
            var (code, text, _) = await ImportAsync(warm);
            Console.Write($"warm-up (exit code {code}): {text}");
            Directory.Delete(warm, recursive: true);
        }

        var cpuBefore = CpuSample.Take(servicePid);
        var postgresBefore = postgresPid > 0 ? ProcessCpu.TreeSeconds(postgresPid) : 0;
        var cliBefore = ProcessCpu.ReapedChildrenSeconds();
        var clock = Stopwatch.StartNew();
        var (exitCode, importOutput, importErrors) = await ImportAsync(directory);
        var elapsed = clock.Elapsed;
        var cpu = CpuSample.Take(servicePid) - cpuBefore;
        if (postgresPid > 0)
        {
            cpu = cpu with { Database = ProcessCpu.TreeSeconds(postgresPid) - postgresBefore };
        }

        var cliCpu = ProcessCpu.ReapedChildrenSeconds() - cliBefore;
        Console.Write(importOutput);
        var problems = importErrors.Split('\n').Where(l => !l.StartsWith("import:", StringComparison.Ordinal) && l.Length > 0).Take(10).ToList();
        problems.ForEach(Console.WriteLine);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            netcds import exit code {exitCode}: {total:N0} resources in {elapsed.TotalSeconds:0.0} s (CLI start and window recomputes included) = {total / elapsed.TotalSeconds:N0} resources/s
            CPU s: service {cpu.Service:0.0}, PostgreSQL {cpu.Database:0.0}{(postgresPid > 0 ? " (its server alone)" : "")}, CLI {cliCpu:0.0}; per 1,000 resources: service {cpu.Service / total * 1000:0.000}, PostgreSQL {cpu.Database / total * 1000:0.000}, CLI {cliCpu / total * 1000:0.000}
            service peak RSS {(servicePid > 0 ? ProcessCpu.PeakRssMegabytes(servicePid) : double.NaN):0} MB
            """));
        return exitCode;
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

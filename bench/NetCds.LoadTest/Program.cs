using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Hl7.Fhir.Serialization;

// usage: NetCds.LoadTest <service-base-url> <seed-bundle.json> [requests=2000] [concurrency=1] [--jwt <port>] [--alg RS384|ES384] [--rate <calls/s>]
//        NetCds.LoadTest --emit-wrk <dir> <tokens> <seed-bundle.json> <service-base-url> --jwt <port> [--alg RS384|ES384]
// Sends patient-view calls whose prefetch holds 100 resources (the seed, padded with monthly labs) and reports latency.
// --jwt: every call carries its own CDS Hooks JWT (distinct jti), RS384 unless --alg ES384; the key's JWKS is served by
// this process on that loopback port (configure the service with CdsHooks:Issuers:0:Issuer/JwksUrl as printed by
// --print-issuer <port>). The tokens are signed before the clock starts, so the generator's CPU during a run is HTTP.
// --rate: open-loop pacing (calls started at that rate whatever the answers), for latency at a given load.
// --emit-wrk: writes the call body and the signed tokens for bench/cds-hooks.lua (wrk, the independent load issue 20
// measured with), prints the bare baseline, and serves the JWKS until its standard input closes.
// In the same run it measures the bare baseline: Firely parsing the same prefetch, so a call is quoted as a multiple.
// --distinct: every call's prefetch differs in every resource but the Patient (its meta.versionId is the run's and the call's number),
// so nothing a call sends was sent before: the service's parse-once-per-content cache never helps. Without it, every
// call sends the same resources, as an EHR does when the same chart is opened again.
if (args.Length >= 2 && args[0] == "--print-issuer")
{
    var port = int.Parse(args[1], CultureInfo.InvariantCulture);
    Console.WriteLine($"http://127.0.0.1:{port} http://127.0.0.1:{port}/jwks.json");
    return 0;
}

string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
var algorithm = Option("--alg") ?? "RS384";
var distinct = args.Contains("--distinct");
if (args.Length >= 6 && args[0] == "--emit-wrk")
{
    var dir = args[1];
    var count = int.Parse(args[2], CultureInfo.InvariantCulture);
    using var signer = new NetCds.LoadTest.CdsClient(int.Parse(Option("--jwt")!, CultureInfo.InvariantCulture), algorithm);
    var (wrkBody, wrkResources) = PatientView(File.ReadAllText(args[3]), 100, distinct);
    Directory.CreateDirectory(dir);
    File.WriteAllText(Path.Combine(dir, "body.json"), wrkBody);
    File.WriteAllLines(Path.Combine(dir, "tokens.txt"), signer.Presign(new Uri(new Uri(args[4].TrimEnd('/') + "/"), "cds-services/net-liver-mets-eligibility").ToString(), count));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{wrkResources}-resource prefetch, {count} {algorithm} tokens; {Bare(BareParse(wrkBody))}"));
    File.WriteAllText(Path.Combine(dir, "ready"), "");
    while (Console.In.Read() >= 0)
    {
    }

    return 0;
}

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: NetCds.LoadTest <service-base-url> <seed-bundle.json> [requests] [concurrency]");
    return 2;
}

var baseUrl = new Uri(args[0].TrimEnd('/') + "/");
var positional = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || !args[i - 1].StartsWith("--", StringComparison.Ordinal))).ToList();
var requests = positional.Count > 2 ? int.Parse(positional[2], CultureInfo.InvariantCulture) : 2000;
var concurrency = positional.Count > 3 ? int.Parse(positional[3], CultureInfo.InvariantCulture) : 1;
var rate = Option("--rate") is { } r ? double.Parse(r, CultureInfo.InvariantCulture) : (double?)null;
using var client = Option("--jwt") is { } jwtPort ? new NetCds.LoadTest.CdsClient(int.Parse(jwtPort, CultureInfo.InvariantCulture), algorithm) : null;
var (body, resourceCount) = PatientView(File.ReadAllText(args[1]), 100, distinct);
var callNumber = 0;

// Distinct across runs too: a later run on the same service must not send again what an earlier run sent.
var run = Guid.NewGuid().ToString("N")[..12];
var serviceUrl = new Uri(baseUrl, "cds-services/net-liver-mets-eligibility");
var bareParse = BareParse(body);
var bareParseMs = bareParse.Wall;

const int WarmUp = 200;
var tokens = client?.Presign(serviceUrl.ToString(), WarmUp + requests);
var issued = -1;
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Math.Max(concurrency, 64) }) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
async Task<double> CallAsync()
{
    using var request = new HttpRequestMessage(HttpMethod.Post, serviceUrl)
    {
        Content = new StringContent(
            body.Replace("HOOK-INSTANCE", Guid.NewGuid().ToString(), StringComparison.Ordinal)
                .Replace(CallVariant, distinct ? $"{run}-{Interlocked.Increment(ref callNumber).ToString(CultureInfo.InvariantCulture)}" : "1", StringComparison.Ordinal),
            Encoding.UTF8,
            "application/json"),
    };
    if (tokens is not null)
    {
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tokens![Interlocked.Increment(ref issued)]);
    }

    var watch = Stopwatch.StartNew();
    using var response = await http.SendAsync(request);
    await response.Content.ReadAsByteArrayAsync();
    watch.Stop();
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"HTTP {(int)response.StatusCode}");
    }

    return watch.Elapsed.TotalMilliseconds;
}

for (var i = 0; i < WarmUp; i++)
{
    await CallAsync();
}

var latencies = new List<double>(requests);
var total = Stopwatch.StartNew();
if (rate is { } perSecond)
{
    // Open loop: call i starts at i / rate seconds, however long earlier calls take (no coordinated omission).
    var calls = Enumerable.Range(0, requests).Select(async i =>
    {
        var due = TimeSpan.FromSeconds(i / perSecond) - total.Elapsed;
        if (due > TimeSpan.Zero)
        {
            await Task.Delay(due);
        }

        var ms = await CallAsync();
        lock (latencies)
        {
            latencies.Add(ms);
        }
    }).ToList();
    await Task.WhenAll(calls);
}
else
{
    await Parallel.ForAsync(0, requests, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (_, _) =>
    {
        var ms = await CallAsync();
        lock (latencies)
        {
            latencies.Add(ms);
        }
    });
}

total.Stop();
latencies.Sort();
double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"patient-view, {resourceCount}-resource prefetch{(distinct ? " (distinct in every call)" : "")}, {requests} requests, {(rate is null ? $"concurrency {concurrency}" : $"paced at {rate:0}/s")}, JWT {(client is null ? "off" : $"on ({client.Algorithm}, a distinct jti per call, signed before the run)")}: p50 {P(0.50):0.0} ms, p90 {P(0.90):0.0} ms, p99 {P(0.99):0.0} ms, max {latencies[^1]:0.0} ms, {requests / total.Elapsed.TotalSeconds:0} requests/s; {Bare(bareParse)}, p50 call = {P(0.50) / bareParseMs:0.0}x its wall time"));
return 0;

// Firely parsing every resource of the prefetch (what any FHIR service must at least do with it), one thread, after warm-up.
// Firely parsing the prefetch of one call, warm: 3 s of parsing first (the runtime's tiered JIT recompiles hot methods
// with profile data well after 50 rounds), then 3 s measured. Wall time per parse, and this process's CPU per parse
// (the GC's threads included, as the service's CPU per call includes them): the baseline a call's CPU is quoted against.
static (double Wall, double Cpu) BareParse(string callJson)
{
    var prefetch = System.Text.Json.Nodes.JsonNode.Parse(callJson)!["prefetch"]!.AsObject().Select(p => p.Value!.ToJsonString()).ToList();
    var parser = new FhirJsonDeserializer();
    var warm = Stopwatch.StartNew();
    while (warm.ElapsedMilliseconds < 3000)
    {
        prefetch.ForEach(p => parser.DeserializeResource(p));
    }

    var process = Process.GetCurrentProcess();
    process.Refresh();
    var cpuBefore = process.TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    var rounds = 0;
    while (watch.ElapsedMilliseconds < 3000)
    {
        prefetch.ForEach(p => parser.DeserializeResource(p));
        rounds++;
    }

    watch.Stop();
    process.Refresh();
    return (watch.Elapsed.TotalMilliseconds / rounds, (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / rounds);
}

static string Bare((double Wall, double Cpu) parse) =>
    string.Create(CultureInfo.InvariantCulture, $"bare Firely parse of the prefetch, warm: {parse.Wall:0.00} ms wall, {parse.Cpu:0.00} ms CPU");

// Each resource but the Patient carries meta.versionId CALL-VARIANT: "1" in every call, or the call's number (--distinct;
// bench/cds-hooks.lua does the same for wrk).
static (string Body, int Resources) PatientView(string seedJson, int target, bool distinct)
{
    var resources = JsonNode.Parse(seedJson)!["entry"]!.AsArray().Select(e => e!["resource"]!.DeepClone()).ToList();
    var patient = resources.Single(r => (string?)r["resourceType"] == "Patient");
    var patientId = (string)patient["id"]!;
    var start = new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
    for (var month = 1; resources.Count < target; month++)
    {
        foreach (var (code, value, unit) in new[] { ("777-3", 210m, "10*9/L"), ("718-7", 12.9m, "g/dL") })
        {
            if (resources.Count >= target)
            {
                break;
            }

            resources.Add(new JsonObject
            {
                ["resourceType"] = "Observation",
                ["id"] = $"pad-{code}-{month}",
                ["status"] = "final",
                ["subject"] = new JsonObject { ["reference"] = $"Patient/{patientId}" },
                ["effectiveDateTime"] = start.AddMonths(-month).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = code }) },
                ["valueQuantity"] = new JsonObject { ["value"] = value, ["unit"] = unit, ["system"] = "http://unitsofmeasure.org", ["code"] = unit },
            });
        }
    }

    foreach (var resource in resources.Where(r => (string?)r["resourceType"] != "Patient"))
    {
        var meta = resource["meta"] as JsonObject ?? new JsonObject();
        meta["versionId"] = CallVariant;
        resource["meta"] = meta;
    }

    JsonObject Searchset(string type)
    {
        var entries = resources.Where(r => (string?)r["resourceType"] == type).Select(r => (JsonNode)new JsonObject { ["resource"] = r.DeepClone() }).ToArray();
        var bundle = new JsonObject { ["resourceType"] = "Bundle", ["type"] = "searchset", ["total"] = entries.Length };
        if (entries.Length > 0)
        {
            bundle["entry"] = new JsonArray(entries);
        }

        return bundle;
    }

    var call = new JsonObject
    {
        ["hookInstance"] = "HOOK-INSTANCE",
        ["hook"] = "patient-view",
        ["context"] = new JsonObject { ["userId"] = "Practitioner/bench", ["patientId"] = patientId },
        ["prefetch"] = new JsonObject
        {
            ["patient"] = patient.DeepClone(),
            ["conditions"] = Searchset("Condition"),
            ["observations"] = Searchset("Observation"),
            ["procedures"] = Searchset("Procedure"),
            ["medicationStatements"] = Searchset("MedicationStatement"),
            ["medicationRequests"] = Searchset("MedicationRequest"),
        },
    };
    var json = call.ToJsonString();
    return (distinct ? json : json.Replace(CallVariant, "1", StringComparison.Ordinal), resources.Count);
}

internal static partial class Program
{
    /// <summary>The marker each call's number replaces in the body (--distinct).</summary>
    private const string CallVariant = "CALL-VARIANT";
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

// usage: NetCds.LoadTest <service-base-url> <seed-bundle.json> [requests=2000] [concurrency=1]
// Sends patient-view calls whose prefetch holds 100 resources (the seed, padded with monthly labs) and reports latency.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: NetCds.LoadTest <service-base-url> <seed-bundle.json> [requests] [concurrency]");
    return 2;
}

var baseUrl = new Uri(args[0].TrimEnd('/') + "/");
var requests = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2000;
var concurrency = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
var (body, resourceCount) = PatientView(File.ReadAllText(args[1]), 100);

using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
async Task<double> CallAsync()
{
    using var content = new StringContent(body.Replace("HOOK-INSTANCE", Guid.NewGuid().ToString(), StringComparison.Ordinal), Encoding.UTF8, "application/json");
    var watch = Stopwatch.StartNew();
    using var response = await http.PostAsync(new Uri("cds-services/net-liver-mets-eligibility", UriKind.Relative), content);
    await response.Content.ReadAsByteArrayAsync();
    watch.Stop();
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"HTTP {(int)response.StatusCode}");
    }

    return watch.Elapsed.TotalMilliseconds;
}

for (var i = 0; i < 200; i++)
{
    await CallAsync();
}

var latencies = new List<double>(requests);
var total = Stopwatch.StartNew();
await Parallel.ForAsync(0, requests, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (_, _) =>
{
    var ms = await CallAsync();
    lock (latencies)
    {
        latencies.Add(ms);
    }
});
total.Stop();
latencies.Sort();
double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"patient-view, {resourceCount}-resource prefetch, {requests} requests, concurrency {concurrency}: p50 {P(0.50):0.0} ms, p90 {P(0.90):0.0} ms, p99 {P(0.99):0.0} ms, max {latencies[^1]:0.0} ms, {requests / total.Elapsed.TotalSeconds:0} requests/s"));
return 0;

static (string Body, int Resources) PatientView(string seedJson, int target)
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
    return (call.ToJsonString(), resources.Count);
}

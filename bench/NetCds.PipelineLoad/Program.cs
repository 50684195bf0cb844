using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

// usage: NetCds.PipelineLoad <service-base-url> <seed-bundle.json> [patients=20] [events=2000] [concurrency=4]
// Gives each patient the seed's record, then posts Observation events (bilirubin that crosses the embolization
// thresholds, so statuses really change) and measures the accepted events/s and the recompute lag: the time from
// the last accepted event until every patient's stored report reflects it.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: NetCds.PipelineLoad <service-base-url> <seed-bundle.json> [patients] [events] [concurrency]");
    return 2;
}

var baseUrl = new Uri(args[0].TrimEnd('/') + "/");
var patients = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20;
var events = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 2000;
var concurrency = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 4;
var seed = File.ReadAllText(args[1]);
var seedPatient = (string)JsonNode.Parse(seed)!["entry"]!.AsArray().Select(e => e!["resource"]!).Single(r => (string?)r["resourceType"] == "Patient")["id"]!;
var run = Guid.NewGuid().ToString("N")[..6];
using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };

async Task PostAsync(string json)
{
    using var content = new StringContent(json, Encoding.UTF8, "application/fhir+json");
    using var response = await http.PostAsync(new Uri("fhir", UriKind.Relative), content);
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}

string PatientId(int p) => $"load-{run}-{p}";
for (var p = 0; p < patients; p++)
{
    await PostAsync(seed.Replace(seedPatient, PatientId(p), StringComparison.Ordinal));
}

// Newer than anything in the seed, older than now: each event is the newest bilirubin when it arrives in order.
var start = DateTimeOffset.UtcNow.AddDays(-10);
var watch = Stopwatch.StartNew();
await Parallel.ForAsync(0, events, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
{
    var p = i % patients;
    var value = 1m + (i % 7 * 0.5m);
    var observation = new JsonObject
    {
        ["resourceType"] = "Observation",
        ["id"] = $"bili-{run}-{i}",
        ["status"] = "final",
        ["subject"] = new JsonObject { ["reference"] = $"Patient/{PatientId(p)}" },
        ["effectiveDateTime"] = start.AddMinutes(i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = "1975-2" }) },
        ["valueQuantity"] = new JsonObject { ["value"] = value, ["unit"] = "mg/dL", ["system"] = "http://unitsofmeasure.org", ["code"] = "mg/dL" },
    };
    await PostAsync(observation.ToJsonString());
});
var accepted = watch.Elapsed;

// Lag: until every patient's stored report shows the newest bilirubin sent for it (the highest effective time).
decimal Expected(int p) => 1m + (((p + (patients * ((events - 1 - p) / patients))) % 7) * 0.5m);
var lag = Stopwatch.StartNew();
var pending = Enumerable.Range(0, Math.Min(patients, events)).ToHashSet();
while (pending.Count > 0 && lag.Elapsed < TimeSpan.FromMinutes(5))
{
    foreach (var p in pending.ToList())
    {
        using var response = await http.GetAsync(new Uri($"eligibility/{PatientId(p)}", UriKind.Relative));
        if (response.IsSuccessStatusCode
            && JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("facts").TryGetProperty("bilirubin", out var bilirubin)
            && bilirubin.GetProperty("value").GetDecimal() == Expected(p))
        {
            pending.Remove(p);
        }
    }

    await Task.Delay(20);
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{events} events for {patients} patients, concurrency {concurrency}: accepted {events / accepted.TotalSeconds:0} events/s ({accepted.TotalSeconds:0.0} s); recompute lag after the last event {lag.Elapsed.TotalMilliseconds:0} ms{(pending.Count > 0 ? $" ({pending.Count} patients still pending)" : "")}"));
return pending.Count == 0 ? 0 : 1;

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using NetCds.PipelineLoad;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

// Event pipeline load harness (issue 10); "NetCds.PipelineLoad import ..." is the backfill load (ImportLoad.cs). Usage:
//   NetCds.PipelineLoad <service-base-url> <seed-bundle.json> [--mode http|bundle|raw] [--seconds 60] [--warmup 15] [--patients 200]
//                       [--concurrency 16] [--bundle 20] [--service-pid N] [--rabbit amqp://...] [--auth-port N] [--history N]
// Gives each patient the seed's record, then sends bilirubin Observations (values that cross the embolization
// thresholds, so statuses really change) as fast as the service accepts them for --seconds: one resource per POST
// (http), Bundles of --bundle (bundle), or raw JSON on the netcds-fhir-raw exchange with publisher confirms (raw).
// Lag is per event: from its acceptance (HTTP answer / broker confirm) until the patient's stored report shows it
// (the report's newest bilirubin cites its source, Observation/bili-<run>-<index>). CPU per event is split by process
// (/proc), so a slow broker or database is told apart from a slow service. In the same invocation it measures the
// bare baselines the figures are quoted against: Firely parsing the same Observation, and, with --rabbit, a bare
// RabbitMQ.Client publish (confirms) and consume (manual acks) of the same bytes through a quorum queue.
// "import ...": the backfill load instead (ImportLoad, bench/run-import.sh).
if (args.FirstOrDefault() == "import")
{
    return await ImportLoad.RunAsync(args[1..]);
}

var options = Options.Parse(args);
var seed = File.ReadAllText(options.Seed);
var seedPatient = (string)JsonNode.Parse(seed)!["entry"]!.AsArray().Select(e => e!["resource"]!).Single(r => (string?)r["resourceType"] == "Patient")["id"]!;
var run = Guid.NewGuid().ToString("N")[..6];
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency + 4 }) { BaseAddress = options.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
// With --auth-port the API's authentication stays on: every request carries a bearer access token (renewed each minute).
using var tokens = options.AuthPort > 0 ? new NetCds.PipelineLoad.AccessTokens(options.AuthPort, options.BaseUrl.ToString().TrimEnd('/')) : null;
var bearer = tokens?.Token();
using var renewTokens = new Timer(_ => Volatile.Write(ref bearer, tokens?.Token()), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
var start = DateTimeOffset.UtcNow.AddDays(-10);

string PatientId(int p) => $"load-{run}-{p}";

JsonObject Observation(long i) => new()
{
    ["resourceType"] = "Observation",
    ["id"] = $"bili-{run}-{i}",
    ["status"] = "final",
    ["subject"] = new JsonObject { ["reference"] = $"Patient/{PatientId((int)(i % options.Patients))}" },
    // Newer than anything in the seed, older than now: the highest index is the patient's newest bilirubin.
    ["effectiveDateTime"] = start.AddSeconds(i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
    ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = "1975-2" }) },
    ["valueQuantity"] = new JsonObject { ["value"] = 1m + (i % 7 * 0.5m), ["unit"] = "mg/dL", ["system"] = "http://unitsofmeasure.org", ["code"] = "mg/dL" },
};

var sample = Encoding.UTF8.GetBytes(Observation(0).ToJsonString());
var bareParse = Baselines.FirelyParsesPerSecond(sample);
var bareBroker = options.Rabbit is null ? (double?)null : await Baselines.RabbitMessagesPerSecondAsync(options.Rabbit, sample, 30_000);

HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null)
{
    var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
    if (Volatile.Read(ref bearer) is { } token)
    {
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
    }

    return request;
}

// Per-request latency of the measured window's POSTs (ms): what an integration engine waits for each acceptance.
var requestTimes = new ConcurrentQueue<double>();
var measuring = false;

async System.Threading.Tasks.Task PostAsync(string json)
{
    using var content = new StringContent(json, Encoding.UTF8, "application/fhir+json");
    using var request = Request(HttpMethod.Post, "fhir", content);
    var sentAt = Stopwatch.GetTimestamp();
    using var response = await http.SendAsync(request);
    if (Volatile.Read(ref measuring))
    {
        requestTimes.Enqueue(Stopwatch.GetElapsedTime(sentAt).TotalMilliseconds);
    }

    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}

await Parallel.ForAsync(0, options.Patients, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (p, _) =>
    await PostAsync(seed.Replace(seedPatient, PatientId(p), StringComparison.Ordinal)));

// --history N: each patient first gets N older bilirubin Observations (Bundles of 500), so the measured events land on
// records of that size (issue 19: "20 patients of about 10,000 Observations each"). Then the service is let settle.
if (options.History > 0)
{
    var loaded = Stopwatch.StartNew();
    await Parallel.ForAsync(0, options.Patients, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (p, _) =>
    {
        for (var k = 0; k < options.History; k += 500)
        {
            var entries = new JsonArray([.. Enumerable.Range(k, Math.Min(500, options.History - k)).Select(j =>
            {
                var history = Observation(0);
                history["id"] = $"hist-{run}-{p}-{j}";
                history["subject"] = new JsonObject { ["reference"] = $"Patient/{PatientId(p)}" };
                history["effectiveDateTime"] = start.AddSeconds(-1 - j).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                return (JsonNode)new JsonObject { ["resource"] = history };
            })]);
            await PostAsync(new JsonObject { ["resourceType"] = "Bundle", ["type"] = "batch", ["entry"] = entries }.ToJsonString());
        }
    });
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"history: {options.History} Observations for each of {options.Patients} patients in {loaded.Elapsed.TotalSeconds:0} s"));
}

// Acceptance times by event index (Stopwatch ticks; 0 = not accepted yet), and per patient the next index to settle.
var accepted = new long[20_000_000];
var lags = new ConcurrentBag<double>();
var next = Enumerable.Range(0, options.Patients).Select(p => (long)p).ToArray();
var counter = -1L;
var clock = Stopwatch.StartNew();

IConnection? rabbit = options.Mode == "raw" ? await new ConnectionFactory { Uri = options.Rabbit ?? throw new InvalidOperationException("--mode raw needs --rabbit") }.CreateConnectionAsync() : null;
// A warm-up first (JIT tiering, caches, connection pools), then the measured window: only events sent in it count.
using var stopLoad = new CancellationTokenSource(TimeSpan.FromSeconds(options.Warmup + options.Seconds));
var measuredFrom = long.MaxValue;
var cpuBefore = CpuSample.Take(options.ServicePid);
var measuredStart = System.Threading.Tasks.Task.Run(async () =>
{
    await System.Threading.Tasks.Task.Delay(TimeSpan.FromSeconds(options.Warmup));
    cpuBefore = CpuSample.Take(options.ServicePid);
    Volatile.Write(ref measuring, true);
    Volatile.Write(ref measuredFrom, Interlocked.Read(ref counter) + 1);
    return clock.Elapsed;
});
var load = Enumerable.Range(0, options.Concurrency).Select(_ => System.Threading.Tasks.Task.Run(async () =>
{
    IChannel? channel = rabbit is null ? null : await rabbit.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
    var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent };
    while (!stopLoad.IsCancellationRequested)
    {
        var size = options.Mode == "bundle" ? options.Bundle : 1;
        var first = Interlocked.Add(ref counter, size) - size + 1;
        var resources = Enumerable.Range(0, size).Select(k => Observation(first + k)).ToList();
        switch (options.Mode)
        {
            case "raw":
                await channel!.BasicPublishAsync("netcds-fhir-raw", "", mandatory: true, properties, Encoding.UTF8.GetBytes(resources[0].ToJsonString()));
                break;
            case "bundle":
                var entries = new JsonArray([.. resources.Select(r => (JsonNode)new JsonObject { ["resource"] = r })]);
                await PostAsync(new JsonObject { ["resourceType"] = "Bundle", ["type"] = "batch", ["entry"] = entries }.ToJsonString());
                break;
            default:
                await PostAsync(resources[0].ToJsonString());
                break;
        }

        var now = clock.ElapsedTicks;
        for (var k = 0; k < size; k++)
        {
            Volatile.Write(ref accepted[first + k], now);
        }
    }

    if (channel is not null)
    {
        await channel.CloseAsync();
    }
})).ToArray();

// Watches a sample of patients' reports (--watch, 10 by default: reading reports costs the service CPU too, so a sample
// keeps the watcher from being the load; --watch 0 watches every patient); an event is settled when its patient's
// report cites it or a later event. Lag and "settled" count the watched patients' events only.
var watchCount = options.Watch <= 0 ? options.Patients : Math.Min(options.Watch, options.Patients);
var watched = Enumerable.Range(0, options.Patients).Where(p => p % Math.Max(1, options.Patients / watchCount) == 0).ToArray();
var settled = 0L;
async System.Threading.Tasks.Task WatchAsync(CancellationToken cancellationToken)
{
    var prefix = $"Observation/bili-{run}-";
    while (!cancellationToken.IsCancellationRequested)
    {
        await Parallel.ForEachAsync(watched, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (p, token) =>
        {
            using var request = Request(HttpMethod.Get, $"eligibility/{PatientId(p)}");
            using var response = await http.SendAsync(request, token);
            if (!response.IsSuccessStatusCode)
            {
                return;
            }

            using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync(token));
            if (!report.RootElement.GetProperty("facts").TryGetProperty("bilirubin", out var bilirubin)
                || bilirubin.GetProperty("source").GetString() is not { } source || !source.StartsWith(prefix, StringComparison.Ordinal))
            {
                return;
            }

            var newest = long.Parse(source[prefix.Length..], CultureInfo.InvariantCulture);
            var now = clock.ElapsedTicks;
            while (next[p] <= newest && Volatile.Read(ref accepted[next[p]]) is var at && at != 0)
            {
                if (next[p] >= Volatile.Read(ref measuredFrom))
                {
                    lags.Add(Math.Max(0, (now - at) * 1000.0 / Stopwatch.Frequency));
                    Interlocked.Increment(ref settled);
                }

                next[p] += options.Patients;
            }
        });
        await System.Threading.Tasks.Task.Delay(50, CancellationToken.None);
    }
}

using var stopWatching = new CancellationTokenSource();
var watcher = WatchAsync(stopWatching.Token);
await System.Threading.Tasks.Task.WhenAll(load);
var loadSeconds = (clock.Elapsed - await measuredStart).TotalSeconds;
var first = Volatile.Read(ref measuredFrom);
var last = Interlocked.Read(ref counter);
var sent = last - first + 1;
long Count(int p, long upTo) => upTo < p ? 0 : ((upTo - p) / options.Patients) + 1;
var toSettle = watched.Sum(p => Count(p, last) - Count(p, first - 1));
var drain = Stopwatch.StartNew();
while (Interlocked.Read(ref settled) < toSettle && drain.Elapsed < TimeSpan.FromSeconds(120))
{
    await System.Threading.Tasks.Task.Delay(50);
}

var cpu = CpuSample.Take(options.ServicePid) - cpuBefore;
stopWatching.Cancel();
await watcher;
if (rabbit is not null)
{
    await rabbit.CloseAsync();
}

var sorted = lags.Order().ToArray();
var requests = requestTimes.Order().ToArray();
double Percentile(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
double RequestPercentile(double q) => requests.Length == 0 ? double.NaN : requests[Math.Min(requests.Length - 1, (int)(q * requests.Length))];
var rate = sent / loadSeconds;
var perThousand = (double seconds) => seconds / sent * 1000;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
    mode {options.Mode}{(options.Mode == "bundle" ? $" ({options.Bundle} per Bundle)" : "")}, {options.Patients} patients, concurrency {options.Concurrency}, {options.Warmup} s warm-up then {loadSeconds:0} s measured, API authentication {(tokens is null ? "OFF" : "on (a bearer access token on every request)")}
    POST latency (measured window, {requests.Length} requests): p50 {RequestPercentile(0.5):0.0} ms, p99 {RequestPercentile(0.99):0.0} ms
    events: {sent} sent, {rate:0} events/s sustained; of the {watched.Length} watched patients' {toSettle} events, {Interlocked.Read(ref settled)} settled; last accepted event -> every watched report: {drain.Elapsed.TotalSeconds:0.0} s after the load stopped
    lag acceptance -> stored report: p50 {Percentile(0.5):0} ms, p99 {Percentile(0.99):0} ms, max {(sorted.Length == 0 ? double.NaN : sorted[^1]):0} ms
    CPU s per 1,000 events: service {perThousand(cpu.Service):0.000}, broker {perThousand(cpu.Broker):0.000}, database {perThousand(cpu.Database):0.000}, load generator {perThousand(cpu.LoadGenerator):0.000}
    service peak RSS {(options.ServicePid > 0 ? ProcessCpu.PeakRssMegabytes(options.ServicePid) : double.NaN):0} MB
    bare Firely parse of the same Observation: {bareParse:0} parses/s on one thread ({1e6 / bareParse:0.0} µs); service CPU per event = {perThousand(cpu.Service) * bareParse / 1000:0.0}x a bare parse
    """));
if (bareBroker is { } broker)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bare RabbitMQ.Client quorum queue, same bytes (confirms + manual acks): {broker:0} messages/s; NetCds = {rate / broker:0.000} of it"));
}

return Interlocked.Read(ref settled) >= toSettle ? 0 : 1;

internal sealed record Options(Uri BaseUrl, string Seed, string Mode, int Seconds, int Warmup, int Patients, int Concurrency, int Bundle, int ServicePid, Uri? Rabbit, int AuthPort, int History, int Watch)
{
    public static Options Parse(string[] args)
    {
        if (args.Length < 2)
        {
            throw new ArgumentException("usage: NetCds.PipelineLoad <service-base-url> <seed-bundle.json> [--mode http|bundle|raw] [--seconds 60] [--warmup 15] [--patients 200] [--concurrency 16] [--bundle 20] [--service-pid N] [--rabbit amqp://...] [--auth-port N] [--history N]");
        }

        string? Get(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new Options(
            new Uri(args[0].TrimEnd('/') + "/"),
            args[1],
            Get("--mode") ?? "http",
            Int("--seconds", 60),
            Int("--warmup", 15),
            Int("--patients", 200),
            Int("--concurrency", 16),
            Int("--bundle", 20),
            Int("--service-pid", 0),
            Get("--rabbit") is { } uri ? new Uri(uri) : null,
            Int("--auth-port", 0),
            Int("--history", 0),
            Int("--watch", 10));
    }
}

internal static class Baselines
{
    /// <summary>How many times one thread parses the Observation into Firely's model per second (2 s, after 3 s of warm-up).</summary>
    public static double FirelyParsesPerSecond(byte[] json)
    {
        var parser = new FhirJsonDeserializer();
        var text = Encoding.UTF8.GetString(json);

        // Warm: 3 s first, so the runtime's tiered JIT has recompiled the deserializer with profile data (a few
        // thousand parses did not: the CDS Hooks bench's baseline read about twice the warm figure that way).
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 3_000)
        {
            parser.DeserializeResource(text);
        }

        var watch = Stopwatch.StartNew();
        var count = 0;
        while (watch.ElapsedMilliseconds < 2_000)
        {
            _ = (Resource)parser.DeserializeResource(text);
            count++;
        }

        return count / watch.Elapsed.TotalSeconds;
    }

    /// <summary>Messages/s through a fresh quorum queue: publish with confirms (in flights of 100), consume with manual acks.</summary>
    public static async Task<double> RabbitMessagesPerSecondAsync(Uri uri, byte[] body, int messages)
    {
        await using var connection = await new ConnectionFactory { Uri = uri }.CreateConnectionAsync();
        await using var publisher = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await using var consumer = await connection.CreateChannelAsync();
        var queue = $"netcds-bench-bare-{Guid.NewGuid():N}";
        await publisher.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
        await consumer.BasicQosAsync(0, 200, false);
        var received = 0;
        var done = new TaskCompletionSource();
        var handler = new AsyncEventingBasicConsumer(consumer);
        handler.ReceivedAsync += async (_, delivery) =>
        {
            await consumer.BasicAckAsync(delivery.DeliveryTag, false);
            if (Interlocked.Increment(ref received) == messages)
            {
                done.TrySetResult();
            }
        };
        await consumer.BasicConsumeAsync(queue, autoAck: false, handler);
        var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent };
        var watch = Stopwatch.StartNew();
        for (var sent = 0; sent < messages; sent += 100)
        {
            await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, Math.Min(100, messages - sent))
                .Select(_ => publisher.BasicPublishAsync("", queue, mandatory: true, properties, body).AsTask()));
        }

        await done.Task.WaitAsync(TimeSpan.FromMinutes(2));
        var rate = messages / watch.Elapsed.TotalSeconds;
        await publisher.QueueDeleteAsync(queue);
        return rate;
    }
}

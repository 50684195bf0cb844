using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NetCds.Service.Tests.Support;
using static NetCds.Service.Tests.Pipeline.PipelineSupport;

namespace NetCds.Service.Tests.Pipeline;

/// <summary>
/// Issue 19, deliverable 7: no allocation on the large-object heap per event. A patient whose record holds a long
/// bilirubin series (more values than a reference array under the 85,000-byte threshold can list) receives single
/// Observations; each is ingested, recomputed and its report written while the runtime's allocation events are
/// watched: a large-object allocation on that path (a report, a settled list, a buffer of the record's size) is
/// named with its type. Alone in its collection: the allocation events are the whole process's.
/// </summary>
[Collection(nameof(HeapMeasurement))]
public sealed class LargeObjectHeapTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>More references than 85,000 bytes hold (10,625): a list of the whole series would be a large object.</summary>
    private const int Series = 12_000;

    [Fact]
    public async Task An_event_for_a_patient_with_a_long_series_allocates_nothing_on_the_large_object_heap()
    {
        using var client = factory.CreateApiClient();
        var patientId = $"loh{Guid.NewGuid():N}"[..20];
        var patient = new JsonObject { ["resourceType"] = "Patient", ["id"] = patientId, ["birthDate"] = "1960-01-01" };
        (await PostAsync(client, "/fhir/Patient", patient.ToJsonString())).Status.Should().Be(HttpStatusCode.Created);
        var oldest = TestClock.Now.AddDays(-30);
        foreach (var chunk in Enumerable.Range(0, Series).Chunk(1000))
        {
            var entries = new JsonArray([.. chunk.Select(i => (JsonNode)new JsonObject { ["resource"] = Bilirubin($"{patientId}-h{i}", patientId, 1.0m + (i % 9 / 10m), oldest.AddMinutes(i)) })]);
            var bundle = new JsonObject { ["resourceType"] = "Bundle", ["type"] = "batch", ["entry"] = entries };
            (await PostAsync(client, "/fhir", bundle.ToJsonString())).Status.Should().Be(HttpStatusCode.OK);
        }

        // Warm: the state is built (a full read, once) and every path has run before the allocations are watched.
        for (var n = 0; n < 3; n++)
        {
            await OneEventAsync(client, patientId, n);
        }

        const int Events = 20;
        using var allocations = new LargeAllocations();
        await allocations.StartAsync();
        for (var n = 3; n < 3 + Events; n++)
        {
            await OneEventAsync(client, patientId, n);
        }

        await allocations.StopAsync();

        // Nothing of the record's size may be large: a settled list of the series, a buffer of its rows (a settled
        // list of this series is 96 KB an event). The report's text does not grow with the record, and is stored
        // compact, under the threshold; the recompute reads the stored report's bookkeeping, never its text. Slack,
        // 512 KB: the allocation events count from the last one before the start (under 100 KB), and a 128 KB byte
        // buffer was seen once or twice in 10-20 events (a pool growing, not identified).
        var reference = $"Patient/{patientId}";
        var reportChars = await QueryAsync(factory.Services, s => s.Reports.AsNoTracking().Where(r => r.Patient == reference).Select(r => r.ReportJson.Length).SingleAsync(Token));
        var reportText = (2L * reportChars) + 24;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"large-object heap per event: {allocations.Bytes / Events:N0} bytes ({string.Join(", ", allocations.Types.Select(t => $"{t.Key} {t.Value:N0}"))}); report text {reportText:N0} bytes");
        reportText.Should().BeLessThan(85_000, "the stored report's text stays a small object");
        allocations.Bytes.Should().BeLessThanOrEqualTo(512 * 1024, "no event may put anything on the large-object heap");
    }

    /// <summary>
    /// One Observation, then wait until the patient's report covers it: read from the store as two numbers, so the
    /// wait itself reads no report (a GET of the report is not the event's path).
    /// </summary>
    private async Task OneEventAsync(HttpClient client, string patientId, int n)
    {
        var observation = Bilirubin($"{patientId}-e{n}", patientId, 3.0m + (n / 100m), TestClock.Now.AddMinutes(-60 + n));
        (await PostAsync(client, "/fhir/Observation", observation.ToJsonString())).Status.Should().Be(HttpStatusCode.Created);
        var patient = $"Patient/{patientId}";
        var generation = await QueryAsync(factory.Services, s => s.PatientRecords.AsNoTracking().Where(r => r.Patient == patient).Select(r => r.Generation).SingleAsync(Token));
        var covered = await EventuallyAsync(
            () => QueryAsync(factory.Services, s => s.Reports.AsNoTracking().Where(r => r.Patient == patient).Select(r => (long?)r.Generation).SingleOrDefaultAsync(Token)),
            reported => reported >= generation);
        covered.Should().BeGreaterThanOrEqualTo(generation, "the event's recompute should have written the report");
    }

    /// <summary>
    /// The runtime's allocation ticks for the large-object heap (at least one per 100 KB allocated there), by type,
    /// between two marks: the events arrive late, on the listener's own thread, so a large array of a type of its own
    /// is allocated at the start and at the end, and each is awaited.
    /// </summary>
    private sealed class LargeAllocations : EventListener
    {
        private const int AllocationTick = 10;
        private const uint LargeObjectHeap = 1;
        private readonly ConcurrentQueue<string> _marks = new();
        private volatile bool _counting;

        private long _bytes;

        /// <summary>Bytes allocated on the large-object heap by type, as the allocation events count them.</summary>
        public ConcurrentDictionary<string, long> Types { get; } = new(StringComparer.Ordinal);

        public long Bytes => Interlocked.Read(ref _bytes);

        public Task StartAsync() => MarkAsync(typeof(StartMark), counting: true);

        public Task StopAsync() => MarkAsync(typeof(StopMark), counting: false);

        private async Task MarkAsync(Type mark, bool counting)
        {
            await Eventually.PollAsync(
                () =>
                {
                    GC.KeepAlive(Array.CreateInstance(mark, 200_000));
                    return Task.FromResult(_marks.Any(m => m.Contains(mark.Name, StringComparison.Ordinal)));
                },
                seen => seen);
            _marks.Clear();
            _counting = counting;
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventId != AllocationTick || eventData.PayloadNames is not { } names || eventData.Payload is not { } payload)
            {
                return;
            }

            var kind = Convert.ToUInt32(payload[names.IndexOf("AllocationKind")], System.Globalization.CultureInfo.InvariantCulture);
            if (kind == LargeObjectHeap)
            {
                var type = payload[names.IndexOf("TypeName")] as string ?? "?";
                if (type.Contains("Mark", StringComparison.Ordinal))
                {
                    _marks.Enqueue(type);
                    return;
                }

                if (!_counting)
                {
                    return;
                }

                var bytes = Convert.ToInt64(payload[names.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
                Types.AddOrUpdate(type, bytes, (_, total) => total + bytes);
                Interlocked.Add(ref _bytes, bytes);
            }
        }

        private struct StartMark;

        private struct StopMark;
    }
}

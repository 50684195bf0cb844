using System.Diagnostics;
using System.Net;
using NetCds.Service.Tests.Broker;
using NetCds.Service.Tests.Broker.Support;
using NetCds.Service.Tests.Support;
using OpenTelemetry.Trace;

namespace NetCds.Service.Tests.Ops;

/// <summary>One event is one trace: HTTP, the outbox, RabbitMQ, the recompute consumer and the EligibilityChanged it publishes.</summary>
[Collection("RabbitMq")]
public sealed class TraceTests
{
    [Fact]
    public async Task An_event_is_traced_from_HTTP_through_the_outbox_and_RabbitMQ_to_EligibilityChanged()
    {
        BrokerEnvironment.SkipUnlessAvailable();
        var spans = new List<Activity>();
        await using var database = await PostgresDatabase.CreateAsync();
        await using var broker = new BrokerServiceFactory(database.ConnectionString);
        await using var service = broker.WithWebHostBuilder(b => b.ConfigureServices(s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans))));
        using var client = service.CreateApiClient();
        var patient = BrokerEnvironment.NewPatientId();

        using (var posted = await BrokerPipelineTests.PostFhirAsync(client, BrokerEnvironment.Seed("02-pancreatic-net-g2-progressive", "seed-02", patient)))
        {
            posted.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        List<Activity> Snapshot()
        {
            lock (spans)
            {
                return [.. spans];
            }
        }

        var request = await BrokerEnvironment.EventuallyAsync(
            () => Task.FromResult(Snapshot().SingleOrDefault(a => a.Kind == ActivityKind.Server && a.DisplayName.Contains("/fhir", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(10),
            "the server span of POST /fhir");
        var trace = await BrokerEnvironment.EventuallyAsync(
            () => Task.FromResult(Snapshot().Where(a => a.TraceId == request.TraceId).ToList() is var t
                && t.Any(a => a.DisplayName == "outbox dispatch EligibilityChanged")
                && t.Any(a => a.Kind == ActivityKind.Producer && a.ParentSpanId == t.Single(d => d.DisplayName == "outbox dispatch EligibilityChanged").SpanId)
                ? t : null),
            TimeSpan.FromSeconds(60),
            "the EligibilityChanged publish in the trace of the POST",
            () => string.Join(", ", Snapshot().Select(a => $"{a.TraceId.ToString()[..6]} {a.Kind} {a.DisplayName}")));

        trace.Should().Contain(a => a.DisplayName == "outbox dispatch RecomputeEligibility", "the recompute was dispatched from the outbox row written by the request");
        trace.Should().Contain(a => a.Kind == ActivityKind.Consumer, "the recompute consumer ran in the same trace, across RabbitMQ");
        trace.Select(a => a.TraceId).Distinct().Should().ContainSingle();
    }
}

using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NetCds.Service.Ops;
using OpenTelemetry.Metrics;

namespace NetCds.Service.Tests.Ops;

/// <summary>
/// Every metric stream keeps at most <see cref="TelemetryExtensions.MetricCardinalityLimit"/> tag combinations: each
/// stream allocates its points up to its limit, so OpenTelemetry's default (2,000) cost 14 MB of heap across the
/// service's streams (issue 19, deliverable 7). A stream past the limit still counts, in its overflow point.
/// </summary>
public sealed class MetricCardinalityTests
{
    [Fact]
    public void A_stream_keeps_the_configured_number_of_tag_combinations_and_counts_the_rest_in_its_overflow_point()
    {
        var exported = new List<Metric>();
        var builder = Host.CreateApplicationBuilder();
        builder.AddTelemetry();
        builder.Services.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(exported));
        using var host = builder.Build();
        var provider = host.Services.GetRequiredService<MeterProvider>();

        using var meter = new Meter(NetCdsTelemetry.Name);
        var counter = meter.CreateCounter<long>("netcds.test.cardinality");
        const int combinations = TelemetryExtensions.MetricCardinalityLimit + 100;
        for (var i = 0; i < combinations; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("case", i));
        }

        provider.ForceFlush(); // false: the Prometheus reader only exports when scraped; the in-memory one has exported
        var points = new List<MetricPoint>();
        foreach (var point in exported.Single(m => m.Name == "netcds.test.cardinality").GetMetricPoints())
        {
            points.Add(point);
        }

        var overflow = points.Where(p => IsOverflow(p)).ToList();
        points.Count.Should().BeLessThanOrEqualTo(TelemetryExtensions.MetricCardinalityLimit + 1, "the stream keeps its limit, plus the overflow point");
        overflow.Should().ContainSingle("measurements past the limit are not dropped");
        points.Sum(p => p.GetSumLong()).Should().Be(combinations, "every measurement is counted, within the limit or in the overflow");
    }

    private static bool IsOverflow(MetricPoint point)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == "otel.metric.overflow")
            {
                return true;
            }
        }

        return false;
    }
}

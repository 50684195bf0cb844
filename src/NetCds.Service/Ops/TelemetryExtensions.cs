using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace NetCds.Service.Ops;

/// <summary>
/// OpenTelemetry: metrics scraped by Prometheus at <c>/metrics</c> (HTTP server, HTTP client, the bus and
/// <see cref="NetCdsTelemetry"/>); traces from HTTP through the outbox and RabbitMQ to the consumer, exported by
/// OTLP when an <c>OTEL_EXPORTER_OTLP_*ENDPOINT</c> is set (the exporter reads every standard <c>OTEL_*</c> variable).
/// </summary>
public static class TelemetryExtensions
{
    /// <summary>
    /// Most tag combinations one metric stream keeps (a stream past it still counts, in an overflow point). Each stream
    /// allocates its points up to this limit at its first measurement: at OpenTelemetry's default of 2,000, the
    /// service's 80-odd streams held 14 MB of the heap whatever the load (issue 19, deliverable 7: a heap dump under
    /// the embedded Bundle load). The widest stream, card feedback by therapy, outcome and reason, has a few hundred.
    /// </summary>
    public const int MetricCardinalityLimit = 500;

    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
            || !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]);
        var telemetry = builder.Services.AddOpenTelemetry();
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_SERVICE_NAME"]))
        {
            telemetry.ConfigureResource(resource => resource.AddService("netcds", serviceVersion: typeof(TelemetryExtensions).Assembly.GetName().Version?.ToString()));
        }

        telemetry.WithMetrics(metrics => metrics
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddMeter(NetCdsTelemetry.Name, "MassTransit")
            .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = MetricCardinalityLimit })
            .AddPrometheusExporter());
        telemetry.WithTracing(tracing =>
        {
            tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/health") && !context.Request.Path.StartsWithSegments("/metrics"))
                .AddHttpClientInstrumentation()
                .AddSource(NetCdsTelemetry.Name, "MassTransit");
            if (otlp)
            {
                tracing.AddOtlpExporter();
            }
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}

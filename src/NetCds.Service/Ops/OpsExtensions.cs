namespace NetCds.Service.Ops;

/// <summary>What operators get: quiet structured logs, health, metrics and traces (dead letters live with Messaging; the outbox, its monitor and its readiness check with Outbox).</summary>
public static class OpsExtensions
{
    public static IHostApplicationBuilder AddOps(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OpsOptions>().BindConfiguration(OpsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.AddHealth();
        builder.AddTelemetry();
        return builder;
    }

    /// <summary>One log line per request (route, status, duration), before everything else so it sees the final status.</summary>
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app) => app.UseMiddleware<RequestLogging>();
}

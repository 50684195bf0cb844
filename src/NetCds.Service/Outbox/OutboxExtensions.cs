using Microsoft.Extensions.Diagnostics.HealthChecks;
using NetCds.Service.Ops;

namespace NetCds.Service.Outbox;

/// <summary>
/// The one home of the transactional outbox (issue 19, deliverable 4): writing rows (<see cref="OutboxMessages"/>),
/// the signal that publishes them right after the commit, the dispatcher, retention, and the backlog monitor with its
/// readiness check.
/// </summary>
public static class OutboxExtensions
{
    public static IHostApplicationBuilder AddOutbox(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<OutboxDispatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        builder.Services.AddSingleton<OutboxRetention>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxRetention>());
        builder.Services.AddSingleton<OutboxMonitor>();
        builder.Services.AddHostedService<OutboxMonitorService>();
        builder.Services.AddHealthChecks().AddCheck<OutboxBacklogHealthCheck>("outbox", HealthStatus.Unhealthy, [HealthExtensions.ReadyTag], HealthExtensions.CheckTimeout(builder));
        return builder;
    }
}

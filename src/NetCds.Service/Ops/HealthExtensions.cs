using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NetCds.Service.Storage;

namespace NetCds.Service.Ops;

/// <summary>
/// <c>/health/live</c> (the process answers) and <c>/health/ready</c> (store; broker when RabbitMQ is configured;
/// outbox backlog under <see cref="OpsOptions.OutboxBacklogThreshold"/>, registered by the outbox), with ASP.NET Core health checks.
/// Every check is abandoned after <see cref="OpsOptions.HealthCheckTimeoutMilliseconds"/>, so a hung dependency
/// makes readiness fail fast instead of hanging the probe. 503 names the failing checks.
/// </summary>
public static class HealthExtensions
{
    public const string ReadyTag = "ready";

    public static IHostApplicationBuilder AddHealth(this IHostApplicationBuilder builder)
    {
        var timeout = CheckTimeout(builder);
        builder.Services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store", HealthStatus.Unhealthy, [ReadyTag], timeout);

        // The outbox check ("outbox") is registered with the outbox (OutboxExtensions), which uses Ops, not the reverse.

        // The broker check is MassTransit's own (registered with the bus, see MessagingExtensions), named "broker".
        return builder;
    }

    /// <summary>How long a readiness check may take (<see cref="OpsOptions.HealthCheckTimeoutMilliseconds"/>), for checks registered elsewhere too.</summary>
    public static TimeSpan CheckTimeout(IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return TimeSpan.FromMilliseconds(builder.Configuration.GetValue($"{OpsOptions.Section}:{nameof(OpsOptions.HealthCheckTimeoutMilliseconds)}", new OpsOptions().HealthCheckTimeoutMilliseconds));
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        return app;
    }

    /// <summary><c>{"status":"Unhealthy","failing":["broker"],"checks":{"broker":{"status":"Unhealthy","description":"...","durationMs":1.2}}}</c>.</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            failing = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => e.Key).ToList(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description ?? e.Value.Exception?.GetType().Name, durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1) }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), context.RequestAborted);
    }
}

/// <summary>The store answers a trivial query.</summary>
public sealed class StoreHealthCheck(IServiceScopeFactory scopes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<StoreContext>();

            // WaitAsync: a driver that ignores cancellation while connecting must not hold the probe.
            return await store.Database.CanConnectAsync(cancellationToken).WaitAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("the store cannot be reached");
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("the store did not answer in time");
        }
        catch (Exception failure)
        {
            return HealthCheckResult.Unhealthy($"the store failed: {failure.GetType().Name}");
        }
    }
}

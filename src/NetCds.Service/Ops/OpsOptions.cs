using System.ComponentModel.DataAnnotations;

namespace NetCds.Service.Ops;

/// <summary>Configuration section <c>Ops</c>: health checks and the outbox monitor.</summary>
public sealed class OpsOptions
{
    public const string Section = "Ops";

    /// <summary>Each readiness check is abandoned (and reported failing) after this long, so /health/ready answers within a second.</summary>
    [Range(50, 10_000)]
    public int HealthCheckTimeoutMilliseconds { get; init; } = 800;

    /// <summary>Readiness fails when more outbox rows than this wait to be dispatched.</summary>
    [Range(1, int.MaxValue)]
    public int OutboxBacklogThreshold { get; init; } = 10_000;

    /// <summary>How often the outbox backlog and oldest-row age are read for the metrics (one query each time).</summary>
    [Range(1, 3_600)]
    public int OutboxMonitorSeconds { get; init; } = 15;
}

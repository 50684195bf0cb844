using System.ComponentModel.DataAnnotations;

namespace NetCds.Service.Outbox;

/// <summary>
/// The outbox's settings. Section <c>Messaging</c>, as before the outbox had a folder of its own (issue 19), so the
/// keys (<c>Messaging:Outbox...</c>) did not change.
/// </summary>
public sealed class OutboxOptions
{
    public const string Section = "Messaging";

    /// <summary>
    /// The safety net's interval: a local commit wakes the dispatcher at once, so this only bounds how late a row no
    /// signal announced is seen (left by a crashed instance, a claim that expired, a publish that failed). An idle
    /// tick is one indexed existence query; nothing is claimed or read unless a row waits.
    /// </summary>
    [Range(10, 60_000)]
    public int OutboxPollMilliseconds { get; init; } = 2000;

    /// <summary>Most outbox rows published per broker round trip.</summary>
    [Range(1, 10_000)]
    public int OutboxBatchSize { get; init; } = 100;

    /// <summary>Dispatched outbox rows older than this are deleted (in batches of <see cref="OutboxRetentionBatchSize"/>).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan OutboxRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Most rows deleted by one retention statement.</summary>
    [Range(1, 100_000)]
    public int OutboxRetentionBatchSize { get; init; } = 1_000;

    /// <summary>How often dispatched rows past their retention are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan OutboxRetentionInterval { get; init; } = TimeSpan.FromMinutes(10);
}

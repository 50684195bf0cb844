using System.ComponentModel.DataAnnotations;

namespace NetCds.Service.CdsHooks;

/// <summary>
/// Configuration section <c>CdsHooks:Limits</c> (issue 20: the limits are settings): how much one hook call or one
/// feedback call may carry. Each is counted before anything is deserialized; past it the answer is a 413 naming it.
/// </summary>
public sealed class CdsHooksLimits
{
    public const string Section = "CdsHooks:Limits";

    /// <summary>Most Bundle entries in one hook call, all prefetch keys and draft orders together.</summary>
    [Range(1, 1_000_000)]
    public int MaxPrefetchEntries { get; set; } = CdsRequestValidator.MaxPrefetchEntries;

    /// <summary>Most feedback items in one call (a CDS Client sends one per card acted on).</summary>
    [Range(1, 100_000)]
    public int MaxFeedbackItems { get; set; } = CdsRequestValidator.MaxFeedbackItems;

    /// <summary>Largest feedback body, in bytes.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxFeedbackBytes { get; set; } = CdsRequestValidator.MaxFeedbackBytes;
}

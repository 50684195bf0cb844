using System.ComponentModel.DataAnnotations;

namespace NetCds.Service.CdsHooks.Prefetch;

/// <summary>
/// Configuration section <c>CdsHooks:Fhir</c>: how missing prefetch is fetched from the CDS client's FHIR server.
/// A CDS call must answer within a second or two, so every limit is short.
/// </summary>
public sealed class CdsHooksFhirOptions : IValidatableObject
{
    public const string Section = "CdsHooks:Fhir";

    /// <summary>Time allowed for resolving all prefetch of one request (every key, page, retry and back-off).</summary>
    [Range(50, 30_000)]
    public int TotalBudgetMilliseconds { get; set; } = 2000;

    /// <summary>Time allowed for one HTTP attempt; a slower attempt is abandoned and retried.</summary>
    [Range(10, 30_000)]
    public int AttemptTimeoutMilliseconds { get; set; } = 700;

    /// <summary>Retries after the first attempt (GET only, on 5xx, 408, 429, connection failures and attempt timeouts).</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 2;

    /// <summary>Pages of a searchset followed through <c>link[relation=next]</c>, the first included.</summary>
    [Range(1, 100)]
    public int MaxPages { get; set; } = 10;

    /// <summary>A <c>Retry-After</c> up to this long is waited for; a longer one ends the retries for that request.</summary>
    [Range(0, 30_000)]
    public int MaxRetryAfterMilliseconds { get; set; } = 1000;

    /// <summary>Share of failed attempts to one FHIR server (over 30 s) that opens its circuit.</summary>
    [Range(0.01, 1.0)]
    public double CircuitBreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Attempts to one FHIR server needed (over 30 s) before its circuit can open.</summary>
    [Range(2, 10_000)]
    public int CircuitBreakerMinimumThroughput { get; set; } = 10;

    /// <summary>How long an open circuit refuses calls to that FHIR server.</summary>
    [Range(500, 600_000)]
    public int CircuitBreakerBreakMilliseconds { get; set; } = 15_000;

    public TimeSpan TotalBudget => TimeSpan.FromMilliseconds(TotalBudgetMilliseconds);

    public TimeSpan AttemptTimeout => TimeSpan.FromMilliseconds(AttemptTimeoutMilliseconds);

    /// <summary>These limits, as the shared FHIR HTTP pipeline takes them.</summary>
    public Fhir.FhirHttpLimits ToLimits() => new(
        TotalBudget,
        AttemptTimeout,
        MaxRetries,
        TimeSpan.FromMilliseconds(MaxRetryAfterMilliseconds),
        CircuitBreakerFailureRatio,
        CircuitBreakerMinimumThroughput,
        TimeSpan.FromMilliseconds(CircuitBreakerBreakMilliseconds));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (AttemptTimeoutMilliseconds > TotalBudgetMilliseconds)
        {
            yield return new ValidationResult(
                $"{nameof(AttemptTimeoutMilliseconds)} ({AttemptTimeoutMilliseconds}) exceeds {nameof(TotalBudgetMilliseconds)} ({TotalBudgetMilliseconds}).",
                [nameof(AttemptTimeoutMilliseconds), nameof(TotalBudgetMilliseconds)]);
        }
    }
}

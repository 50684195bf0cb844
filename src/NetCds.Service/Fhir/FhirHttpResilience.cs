using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace NetCds.Service.Fhir;

/// <summary>The limits of one resilient FHIR HTTP client: each feature that reads an EHR's FHIR server states its own.</summary>
public sealed record FhirHttpLimits(
    TimeSpan TotalBudget,
    TimeSpan AttemptTimeout,
    int MaxRetries,
    TimeSpan MaxRetryAfter,
    double CircuitBreakerFailureRatio,
    int CircuitBreakerMinimumThroughput,
    TimeSpan CircuitBreakerBreak);

/// <summary>
/// The resilience pipeline shared by every client that reads an EHR's FHIR server (CDS Hooks prefetch, Subscriptions
/// notifications): the same strategies in the same order, with the limits of the caller.
/// </summary>
public static class FhirHttpResilience
{
    private static readonly TimeSpan RetryBaseDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan CircuitSamplingDuration = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Outer to inner: a request-wide timeout (the total budget), retry with jittered exponential back-off (GET only;
    /// 5xx, 408, 429, connection failures, attempt timeouts; a short Retry-After is waited for, a long one ends the
    /// retries), a circuit breaker, and the per-attempt timeout.
    /// </summary>
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, FhirHttpLimits limits, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(limits);
        pipeline.AddTimeout(new HttpTimeoutStrategyOptions { Name = "Total", Timeout = limits.TotalBudget });

        if (limits.MaxRetries > 0)
        {
            var retry = new HttpRetryStrategyOptions
            {
                Name = "Retry",
                MaxRetryAttempts = limits.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = RetryBaseDelay,
                ShouldRetryAfterHeader = false,
                ShouldHandle = args => ValueTask.FromResult(
                    HttpClientResiliencePredicates.IsTransient(args.Outcome)
                    && !(RetryAfter(args.Outcome.Result, clock) > limits.MaxRetryAfter)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, clock)),
            };
            retry.DisableForUnsafeHttpMethods();
            pipeline.AddRetry(retry);
        }

        pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            Name = "CircuitBreaker",
            FailureRatio = limits.CircuitBreakerFailureRatio,
            MinimumThroughput = limits.CircuitBreakerMinimumThroughput,
            SamplingDuration = CircuitSamplingDuration,
            BreakDuration = limits.CircuitBreakerBreak,
        });

        pipeline.AddTimeout(new HttpTimeoutStrategyOptions { Name = "Attempt", Timeout = limits.AttemptTimeout });
    }

    /// <summary>The wait a 429 or 503 asks for (<c>Retry-After</c> as seconds or as a date), or null for the default back-off.</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeProvider clock)
    {
        if (response is null || response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable))
        {
            return null;
        }

        var header = response.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - clock.GetUtcNow() : null);
        return wait is { } w ? (w < TimeSpan.Zero ? TimeSpan.Zero : w) : null;
    }
}

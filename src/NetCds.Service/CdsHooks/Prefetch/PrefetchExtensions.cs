using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace NetCds.Service.CdsHooks.Prefetch;

public static class PrefetchExtensions
{
    /// <summary>
    /// Name of the resilience pipeline on <see cref="FhirServerClient"/>. One instance (so one circuit) per FHIR server
    /// and resource type: an EHR failing one kind of search does not stop the others, nor other EHRs.
    /// </summary>
    public const string PipelineName = "cds-hooks-fhir";

    private static readonly TimeSpan RetryBaseDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan CircuitSamplingDuration = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Options <c>CdsHooks:Fhir</c> (validated at start), the typed <see cref="FhirServerClient"/> with its resilience
    /// pipeline, and <see cref="PrefetchResolver"/>. The client's default request logging is removed: it would log
    /// URLs, and prefetch URLs carry the patient id.
    /// </summary>
    public static IHostApplicationBuilder AddCdsHooksPrefetch(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<CdsHooksFhirOptions>()
            .BindConfiguration(CdsHooksFhirOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);

        builder.Services.AddHttpClient<FhirServerClient>(http =>
            {
                http.MaxResponseContentBufferSize = 32L * 1024 * 1024;
                http.DefaultRequestHeaders.UserAgent.ParseAdd("NetCds-CdsHooks/1.0");
            })
            .RemoveAllLoggers()
            .AddResilienceHandler(PipelineName, (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<CdsHooksFhirOptions>>().Value;
                var clock = context.ServiceProvider.GetRequiredService<TimeProvider>();
                ConfigurePipeline(pipeline, options, clock);
            })
            .SelectPipelineBy(_ => FhirServerClient.PipelineKey);

        builder.Services.AddTransient<PrefetchResolver>();
        builder.Services.AddHostedService<FhirParserWarmUp>();
        return builder;
    }

    /// <summary>
    /// Outer to inner: a request-wide timeout (the total budget), retry with jittered exponential back-off (GET only;
    /// 5xx, 408, 429, connection failures, attempt timeouts; a short Retry-After is waited for, a long one ends the
    /// retries), a circuit breaker, and the per-attempt timeout.
    /// </summary>
    private static void ConfigurePipeline(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, CdsHooksFhirOptions options, TimeProvider clock)
    {
        var maxRetryAfter = TimeSpan.FromMilliseconds(options.MaxRetryAfterMilliseconds);
        pipeline.AddTimeout(new HttpTimeoutStrategyOptions { Name = "Total", Timeout = options.TotalBudget });

        if (options.MaxRetries > 0)
        {
            var retry = new HttpRetryStrategyOptions
            {
                Name = "Retry",
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = RetryBaseDelay,
                ShouldRetryAfterHeader = false,
                ShouldHandle = args => ValueTask.FromResult(
                    HttpClientResiliencePredicates.IsTransient(args.Outcome)
                    && !(RetryAfter(args.Outcome.Result, clock) > maxRetryAfter)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, clock)),
            };
            retry.DisableForUnsafeHttpMethods();
            pipeline.AddRetry(retry);
        }

        pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            Name = "CircuitBreaker",
            FailureRatio = options.CircuitBreakerFailureRatio,
            MinimumThroughput = options.CircuitBreakerMinimumThroughput,
            SamplingDuration = CircuitSamplingDuration,
            BreakDuration = TimeSpan.FromMilliseconds(options.CircuitBreakerBreakMilliseconds),
        });

        pipeline.AddTimeout(new HttpTimeoutStrategyOptions { Name = "Attempt", Timeout = options.AttemptTimeout });
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

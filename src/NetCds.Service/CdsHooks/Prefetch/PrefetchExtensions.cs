using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using NetCds.Service.Fhir;
using NetCds.Service.Records;

namespace NetCds.Service.CdsHooks.Prefetch;

public static class PrefetchExtensions
{
    /// <summary>
    /// Name of the resilience pipeline on <see cref="FhirServerClient"/>. One instance (so one circuit) per FHIR server
    /// and resource type: an EHR failing one kind of search does not stop the others, nor other EHRs.
    /// </summary>
    public const string PipelineName = "cds-hooks-fhir";

    /// <summary>
    /// Options <c>CdsHooks:Fhir</c> (validated at start), the typed <see cref="FhirServerClient"/> with its resilience
    /// pipeline, and <see cref="PrefetchResolver"/> (with <see cref="ParsedResources"/>). The client's default request
    /// logging is removed: it would log URLs, and prefetch URLs carry the patient id.
    /// </summary>
    public static IHostApplicationBuilder AddCdsHooksPrefetch(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<CdsHooksFhirOptions>()
            .BindConfiguration(CdsHooksFhirOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

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
                FhirHttpResilience.Configure(pipeline, options.ToLimits(), clock);
            })
            .SelectPipelineBy(_ => FhirServerClient.PipelineKey);

        builder.Services.AddTransient<PrefetchResolver>();

        // The prefetch's resources are kept parsed by content beside the stored ones, within one budget (Records).
        builder.Services.TryAddSingleton<ParsedResources>();
        FhirParserWarmUp.Begin();
        builder.Services.AddHostedService<FhirParserWarmUp>();
        return builder;
    }
}

using Microsoft.Extensions.Options;
using NetCds.Service.Security;

namespace NetCds.Service.CdsHooks.Security;

public static partial class CdsHooksSecurityExtensions
{
    /// <summary>Name of the HttpClient that fetches the issuers' JWKS.</summary>
    public const string JwksClientName = "cds-hooks-jwks";

    /// <summary>
    /// Binds and checks <see cref="CdsHooksSecurityOptions"/> (section <c>CdsHooks</c>) at start, and registers the
    /// JWKS cache, the replay cache and the validator behind <see cref="RequireCdsHooksJwt{TBuilder}"/>.
    /// </summary>
    public static IHostApplicationBuilder AddCdsHooksSecurity(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        PublicEndpointExtensions.AddServiceOptions(services);
        services.AddOptions<CdsHooksSecurityOptions>()
            .BindConfiguration(CdsHooksSecurityOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<CdsHooksSecurityOptions>, CdsHooksSecurityOptionsValidator>();

        // A CDS call waits on this fetch (only when a key is missing or old): keep it short, and small.
        services.AddHttpClient(JwksClientName, client => client.MaxResponseContentBufferSize = 512 * 1024)
            .AddStandardResilienceHandler(resilience =>
            {
                resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(2);
                resilience.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(5);
                resilience.Retry.MaxRetryAttempts = 1;
                resilience.Retry.Delay = TimeSpan.FromMilliseconds(200);
            });

        services.AddSingleton<JwksCache>();
        services.AddSingleton<JtiReplayCache>();
        services.AddHostedService<JtiPurgeService>();
        services.AddSingleton<CdsHooksJwtValidator>();
        Demo.DemoApi.AddDemoCdsClient(services);
        services.AddHostedService<SecurityStartupReport>();
        return builder;
    }

    /// <summary>
    /// Every endpoint of <paramref name="builder"/> (a route group, or one endpoint) needs a valid CDS Hooks JWT:
    /// otherwise a bare 401 with <c>WWW-Authenticate: Bearer</c>. The endpoint reads the caller with
    /// <see cref="GetCdsHooksCaller"/>.
    /// </summary>
    /// <remarks>An endpoint filter: it runs after parameter binding, so an endpoint behind it should read its body itself.</remarks>
    public static TBuilder RequireCdsHooksJwt<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder, CdsHooksJwtFilter>();

    /// <summary>The caller proven by the request's JWT; null when <c>CdsHooks:RequireJwt</c> is off or the endpoint is not protected.</summary>
    public static CdsHooksCaller? GetCdsHooksCaller(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<CdsHooksCaller>();
    }

    /// <summary>Says at start what an operator must know: JWTs are not required, or no issuer can pass.</summary>
    private sealed partial class SecurityStartupReport(IOptions<CdsHooksSecurityOptions> options, ILogger<SecurityStartupReport> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var settings = options.Value;
            if (!settings.RequireJwt)
            {
                LogJwtNotRequired(logger);
            }
            else if (settings.Issuers.Count == 0)
            {
                LogNoIssuers(logger);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Warning, Message = "CdsHooks:RequireJwt is false: CDS Hooks calls are accepted without a JWT. For local demos only.")]
        private static partial void LogJwtNotRequired(ILogger logger);

        [LoggerMessage(Level = LogLevel.Warning, Message = "CdsHooks:Issuers is empty: every CDS Hooks call will be refused.")]
        private static partial void LogNoIssuers(ILogger logger);
    }
}

using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using NetCds.Service.Security;

namespace NetCds.Service.CdsHooks.Security;

public static partial class CdsHooksSecurityExtensions
{
    /// <summary>Name of the HttpClient that fetches the issuers' JWKS.</summary>
    public const string JwksClientName = "cds-hooks-jwks";

    /// <summary>The CDS Hooks authentication scheme: chosen by the <c>/cds-services</c> group's policy only.</summary>
    public const string Scheme = "cds-hooks";

    /// <summary>The policy of the <c>/cds-services</c> group: a caller authenticated by <see cref="Scheme"/> (anyone, when <c>CdsHooks:RequireJwt</c> is false).</summary>
    public const string Policy = "cds-hooks-caller";

    /// <summary>
    /// Binds and checks <see cref="CdsHooksSecurityOptions"/> (section <c>CdsHooks</c>) at start, and registers the
    /// JWKS keys, the replay cache, the validator and the <see cref="Scheme"/> authentication scheme behind
    /// <see cref="RequireCdsHooksJwt{TBuilder}"/>. In-process issuers (the demo client) come from whichever feature
    /// registers an <see cref="ILocalTokenIssuers"/>.
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

        // Key rollover: the call whose kid made the JWKS be fetched again waits for that fetch and is served with the
        // new key (IdentityModel 8 otherwise refreshes in the background and refuses that first call). Process-wide;
        // the API's JwtBearer schemes refresh the same way. IdentityModel reads the switch once and keeps the answer, so
        // the service's runtimeconfig sets it too (NetCds.Service.csproj), before anything can read it; this call covers
        // hosts started from another entry point.
        AppContext.SetSwitch("Switch.Microsoft.IdentityModel.UpdateConfigAsBlocking", true);
        services.AddSingleton<IssuerKeys>();
        services.AddSingleton<JtiReplayCache>();
        services.AddHostedService<JtiPurgeService>();
        services.AddSingleton<CdsHooksJwtValidator>();

        // A scheme, not a default: only the /cds-services policy runs it, and that policy runs no other scheme (issue 20).
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, CdsHooksAuthenticationHandler>(Scheme, null);
        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>().Configure<IOptions<CdsHooksSecurityOptions>>((authorization, cds) =>
            authorization.AddPolicy(Policy, cds.Value.RequireJwt
                ? new AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser().Build()
                : new AuthorizationPolicyBuilder().RequireAssertion(_ => true).Build()));
        services.AddHostedService<SecurityStartupReport>();
        return builder;
    }

    /// <summary>
    /// Every endpoint of <paramref name="builder"/> (a route group, or one endpoint) needs a valid CDS Hooks JWT:
    /// otherwise a bare 401 with <c>WWW-Authenticate: Bearer</c>. The endpoint reads the caller with
    /// <see cref="GetCdsHooksCaller"/>. The check is the authorization middleware's, before the body is read.
    /// </summary>
    public static TBuilder RequireCdsHooksJwt<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Policy);

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

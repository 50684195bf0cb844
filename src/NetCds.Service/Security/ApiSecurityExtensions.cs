using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using NetCds.Service.Fhir;

namespace NetCds.Service.Security;

/// <summary>
/// The API's bearer authentication: one JwtBearer scheme per configured authorization server (<c>Api:Issuers</c>),
/// chosen by the token's <c>iss</c>; in Development also the <c>dotnet user-jwts</c> scheme (<c>Bearer</c>). Tokens
/// must be RFC 9068 access tokens (<c>typ</c> <c>at+jwt</c>) for the audience <c>Service:PublicBaseUrl</c>.
/// </summary>
public static partial class ApiSecurityExtensions
{
    /// <summary>The policy every API endpoint requires: an authenticated caller (anyone, when <c>Api:RequireAuth</c> is false).</summary>
    public const string CallerPolicy = "api-caller";

    /// <summary>The policy for reading eligibility: a caller whose scopes allow reading Patient data.</summary>
    public const string ReadPatientPolicy = "api-read-patient";

    /// <summary>
    /// The policy for reading the rule catalogue as PlanDefinitions: a token allowing PlanDefinition reads (issue 21;
    /// not patient data, but the site's configuration, so not public: docs/security.md).
    /// </summary>
    public const string ReadKnowledgePolicy = "api-read-plan-definition";

    /// <summary>The issuer <c>dotnet user-jwts</c> writes in its tokens (Development only).</summary>
    public const string UserJwtsIssuer = "dotnet-user-jwts";

    /// <summary>The API's scheme (a policy scheme choosing the issuer's JwtBearer scheme): named by the API policies only, never a default.</summary>
    public const string ApiScheme = "api";
    private const string UserJwtsScheme = JwtBearerDefaults.AuthenticationScheme;
    private const string UnknownIssuerScheme = "api-unknown-issuer";
    private const string JwksClientName = "api-jwks";

    private static readonly string[] Algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    public static IHostApplicationBuilder AddApiSecurity(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        PublicEndpointExtensions.AddServiceOptions(services);
        services.AddOptions<ApiSecurityOptions>().BindConfiguration(ApiSecurityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiSecurityOptions>, ApiSecurityOptionsValidator>();
        services.AddHttpClient(JwksClientName, client => client.MaxResponseContentBufferSize = 512 * 1024)
            .AddStandardResilienceHandler(resilience =>
            {
                resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(2);
                resilience.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(5);
                resilience.Retry.MaxRetryAttempts = 1;
            });

        // Schemes are fixed at start: read the issuers now (the options validator checks them at start too).
        var settings = builder.Configuration.GetSection(ApiSecurityOptions.Section).Get<ApiSecurityOptions>() ?? new ApiSecurityOptions();
        var issuers = builder.Configuration.GetSection($"{ApiSecurityOptions.Section}:{nameof(ApiSecurityOptions.Issuers)}").Get<List<TrustedIssuer>>() ?? [];
        var userJwts = builder.Environment.IsDevelopment();

        // No default scheme (issue 20): a scheme runs only where an endpoint's policy names it, so the API's schemes never
        // run on /cds-services (nor on any open route) and the CDS Hooks scheme never runs on the API.
        var authentication = services.AddAuthentication()
            .AddPolicyScheme(ApiScheme, null, o => o.ForwardDefaultSelector = context => SchemeFor(context, issuers, userJwts))
            .AddJwtBearer(UnknownIssuerScheme, o => Configure(o, null, null));
        for (var i = 0; i < issuers.Count; i++)
        {
            var issuer = issuers[i];
            authentication.AddJwtBearer(IssuerScheme(i), o => { });
            services.AddOptions<JwtBearerOptions>(IssuerScheme(i)).Configure<IHttpClientFactory>((o, http) => Configure(o, issuer, http));
        }

        if (userJwts)
        {
            // Keys, issuer and audiences come from Authentication:Schemes:Bearer (user secrets), as `dotnet user-jwts` writes them.
            authentication.AddJwtBearer(UserJwtsScheme, o => o.MapInboundClaims = false);
        }

        var schemes = new List<string> { UnknownIssuerScheme };
        schemes.AddRange(Enumerable.Range(0, issuers.Count).Select(IssuerScheme));
        if (userJwts)
        {
            schemes.Add(UserJwtsScheme);
        }

        foreach (var scheme in schemes)
        {
            // Registered after the schemes' own set-up, so the audience is always the configured public URL.
            services.AddOptions<JwtBearerOptions>(scheme).Configure<IOptions<ServiceOptions>, IOptions<ApiSecurityOptions>, TimeProvider>((o, service, api, clock) =>
            {
                o.TokenValidationParameters.ValidAudience = service.Value.BaseUrl;
                o.TokenValidationParameters.ValidAudiences = null;
                o.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(api.Value.ClockSkewSeconds);
                o.TokenValidationParameters.LifetimeValidator = TokenLifetime.On(clock);
                o.Events = new JwtBearerEvents { OnAuthenticationFailed = LogFailure };
            });
        }

        services.AddAuthorization(authorization =>
        {
            if (settings.RequireAuth)
            {
                authorization.AddPolicy(CallerPolicy, p => p.AddAuthenticationSchemes(ApiScheme).RequireAuthenticatedUser());
                authorization.AddPolicy(ReadPatientPolicy, p => p.AddAuthenticationSchemes(ApiScheme).RequireAuthenticatedUser()
                    .RequireAssertion(c => SmartScopes.Permits(c.User, "Patient", ApiAccess.Read)));
                authorization.AddPolicy(ReadKnowledgePolicy, p => p.AddAuthenticationSchemes(ApiScheme).RequireAuthenticatedUser()
                    .RequireAssertion(c => SmartScopes.Permits(c.User, "PlanDefinition", ApiAccess.Read)));
            }
            else
            {
                authorization.AddPolicy(CallerPolicy, p => p.RequireAssertion(_ => true));
                authorization.AddPolicy(ReadPatientPolicy, p => p.RequireAssertion(_ => true));
                authorization.AddPolicy(ReadKnowledgePolicy, p => p.RequireAssertion(_ => true));
            }
        });
        services.AddHostedService<ApiSecurityStartupReport>();
        return builder;
    }

    /// <summary>Authentication, then authorization: after CORS, before the endpoints.</summary>
    public static WebApplication UseApiSecurity(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>Every endpoint of <paramref name="builder"/> needs a valid access token (401 otherwise).</summary>
    public static TBuilder RequireApiCaller<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.RequireAuthorization(CallerPolicy);

    /// <summary>Every endpoint of <paramref name="builder"/> reads patient data: a token allowing Patient reads (401, or 403 when the scope is short).</summary>
    public static TBuilder RequirePatientRead<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.RequireAuthorization(ReadPatientPolicy);

    /// <summary>Every endpoint of <paramref name="builder"/> reads the rule catalogue: a token allowing PlanDefinition reads (401, or 403 when the scope is short).</summary>
    public static TBuilder RequireKnowledgeRead<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.RequireAuthorization(ReadKnowledgePolicy);

    /// <summary>
    /// Null when the caller's scopes allow <paramref name="access"/> to every type of <paramref name="resourceTypes"/>;
    /// otherwise the 403 OperationOutcome naming the scope that is missing.
    /// </summary>
    public static ContentHttpResult? Forbidden(this HttpContext context, IEnumerable<string> resourceTypes, params ApiAccess[] access)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(resourceTypes);
        if (!context.RequestServices.GetRequiredService<IOptions<ApiSecurityOptions>>().Value.RequireAuth)
        {
            return null;
        }

        foreach (var type in resourceTypes.Distinct(StringComparer.Ordinal))
        {
            foreach (var needed in access)
            {
                if (!SmartScopes.Permits(context.User, type, needed))
                {
                    var scope = needed == ApiAccess.Read ? "read" : "write";
                    return FhirResults.Problem(OperationOutcome.IssueType.Forbidden,
                        $"The access token does not allow {needed.ToString().ToLowerInvariant()} of {type}: a scope such as system/{type}.{scope} (v2: system/{type}.{SmartScopes.Letter(needed)}) is needed.",
                        StatusCodes.Status403Forbidden);
                }
            }
        }

        return null;
    }

    internal static string IssuerScheme(int index) => $"api-issuer-{index}";

    private static void Configure(JwtBearerOptions o, TrustedIssuer? issuer, IHttpClientFactory? http)
    {
        o.MapInboundClaims = false;
        o.RequireHttpsMetadata = false;
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = issuer?.Issuer,
            ValidateIssuer = true,
            ValidateAudience = true,
            IgnoreTrailingSlashWhenValidatingAudience = true,
            ValidTypes = ["at+jwt", "application/at+jwt"],
            ValidAlgorithms = Algorithms,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            NameClaimType = "client_id",
            LogValidationExceptions = false,
        };
        if (issuer is not null && http is not null)
        {
            o.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                issuer.JwksUrl,
                new JwksRetriever(),
                new HttpDocumentRetriever(http.CreateClient(JwksClientName)) { RequireHttps = false });
        }
    }

    /// <summary>The scheme for the token's (unverified) <c>iss</c>; tokens from nobody configured go to a scheme that refuses them.</summary>
    private static string SchemeFor(HttpContext context, List<TrustedIssuer> issuers, bool userJwts)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            return UnknownIssuerScheme;
        }

        string? claimed;
        try
        {
            claimed = new JsonWebToken(header[Bearer.Length..].Trim()).Issuer;
        }
        catch (ArgumentException)
        {
            return UnknownIssuerScheme;
        }

        if (userJwts && claimed == UserJwtsIssuer)
        {
            return UserJwtsScheme;
        }

        var index = issuers.FindIndex(i => string.Equals(i.Issuer, claimed, StringComparison.Ordinal));
        return index >= 0 ? IssuerScheme(index) : UnknownIssuerScheme;
    }

    private static System.Threading.Tasks.Task LogFailure(AuthenticationFailedContext context)
    {
        var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiSecurityExtensions).FullName!);
        var reason = context.Exception.GetType().Name;
        LogRefused(logger, context.Scheme.Name, reason);
        return System.Threading.Tasks.Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "API call refused by scheme {Scheme} ({Reason}).")]
    private static partial void LogRefused(ILogger logger, string scheme, string reason);

    /// <summary>Says loudly at start when the API is open to anyone, or when no token can pass.</summary>
    private sealed partial class ApiSecurityStartupReport(IOptions<ApiSecurityOptions> options, IHostEnvironment environment, ILogger<ApiSecurityStartupReport> logger) : IHostedService
    {
        public System.Threading.Tasks.Task StartAsync(CancellationToken cancellationToken)
        {
            var settings = options.Value;
            if (!settings.RequireAuth)
            {
                LogOpen(logger);
            }
            else if (settings.Issuers.Count == 0 && !environment.IsDevelopment())
            {
                LogNoIssuers(logger);
            }

            return System.Threading.Tasks.Task.CompletedTask;
        }

        public System.Threading.Tasks.Task StopAsync(CancellationToken cancellationToken) => System.Threading.Tasks.Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Warning, Message = "!!! Api:RequireAuth is false: /fhir and /eligibility accept calls WITHOUT ANY CREDENTIAL: anyone who reaches the port can change clinical advice. For local demos only. !!!")]
        private static partial void LogOpen(ILogger logger);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Api:Issuers is empty: every call to /fhir and /eligibility will be refused (401).")]
        private static partial void LogNoIssuers(ILogger logger);
    }
}

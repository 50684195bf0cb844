using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using NetCds.Service.Fhir;
using NetCds.Service.Security;

namespace NetCds.Service.Mdt.SmartLaunch;

/// <summary>
/// The MDT view as a SMART on FHIR app, EHR launch (SMART App Launch 2.x): <c>/mdt/launch?launch=…&amp;iss=…</c> finds the
/// authorization server from <c>{iss}/.well-known/smart-configuration</c> (only for an <c>iss</c> on the allow-list) and
/// sends the browser there with the launch, the scopes, a state and a PKCE S256 challenge; <c>/mdt/launch/callback</c>
/// exchanges the code at the token endpoint, accepts the access token only if the API would (<see cref="AccessTokens"/>),
/// and opens the MDT view of the patient the token response names, for this browser only (a Data Protection cookie).
/// </summary>
public static partial class SmartLaunchEndpoints
{
    /// <summary>The cookie scheme of a launched MDT view: it opens <c>/mdt/{patientId}</c> of the launched patient only.</summary>
    public const string SessionScheme = "mdt-smart-session";

    /// <summary>The claim holding the launched patient's id.</summary>
    public const string PatientClaim = "patient";

    private const string HttpClientName = "mdt-smart-launch";
    private const string CallbackPath = "/mdt/launch/callback";

    public static IHostApplicationBuilder AddSmartLaunch(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<SmartLaunchOptions>().BindConfiguration(SmartLaunchOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SmartLaunchOptions>, SmartLaunchOptionsValidator>();
        services.AddHttpClient(HttpClientName, client =>
        {
            client.Timeout = TimeSpan.FromSeconds(10);
            client.MaxResponseContentBufferSize = 256 * 1024;
        }).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.AddDataProtection();
        services.AddAuthentication().AddCookie(SessionScheme, o =>
        {
            o.Cookie.Name = "netcds-mdt";
            o.Cookie.Path = "/mdt";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.SlidingExpiration = false;
            o.Events = new CookieAuthenticationEvents
            {
                // The session is only ever read by the MDT view's own check: never send a browser to a login page.
                OnRedirectToLogin = c => { c.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; },
                OnRedirectToAccessDenied = c => { c.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; },
            };
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapSmartLaunch(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/mdt/launch", LaunchAsync).ExcludeFromDescription();
        app.MapGet(CallbackPath, CallbackAsync).ExcludeFromDescription();
        return app;
    }

    /// <summary>True when this request carries a launched session for <paramref name="patientId"/>.</summary>
    public static async Task<bool> IsLaunchedForAsync(HttpContext http, string patientId)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!http.RequestServices.GetRequiredService<IOptions<SmartLaunchOptions>>().Value.Enabled)
        {
            return false;
        }

        var session = await http.AuthenticateAsync(SessionScheme);
        return session.Succeeded && string.Equals(session.Principal.FindFirstValue(PatientClaim), patientId, StringComparison.Ordinal);
    }

    private static async Task<IResult> LaunchAsync(
        string? launch, string? iss, HttpContext http, IOptions<SmartLaunchOptions> options, IOptions<ServiceOptions> service,
        IHttpClientFactory clients, IDataProtectionProvider protection, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var logger = loggers.CreateLogger(typeof(SmartLaunchEndpoints).FullName!);
        if (!settings.Enabled)
        {
            return Results.Text("The MDT view is not set up as a SMART app here (Mdt:SmartLaunch:ClientId).", statusCode: StatusCodes.Status404NotFound);
        }

        if (string.IsNullOrEmpty(launch) || launch.Length > 2048)
        {
            return Refuse(logger, "no launch parameter");
        }

        // The configured value, never the request's: it is where the service will send the browser and post the code.
        if (settings.Allowed(iss) is not { } allowedIss)
        {
            return Refuse(logger, "iss not on Mdt:SmartLaunch:AllowedIss");
        }

        var endpoints = await SmartConfiguration.DiscoverAsync(clients.CreateClient(HttpClientName), allowedIss, cancellationToken);
        if (endpoints is null)
        {
            return Refuse(logger, "no usable .well-known/smart-configuration at the allowed iss");
        }

        var state = LaunchState.New(allowedIss, endpoints.TokenEndpoint);
        state.Write(http, protection);
        var authorize = QueryHelpers.AddQueryString(endpoints.AuthorizationEndpoint, new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = settings.ClientId,
            ["redirect_uri"] = service.Value.UrlOf(CallbackPath),
            ["launch"] = launch,
            ["scope"] = settings.Scope,
            ["state"] = state.State,
            ["aud"] = allowedIss,
            ["code_challenge"] = state.Challenge,
            ["code_challenge_method"] = "S256",
        });
        return Redirect(http, authorize);
    }

    private static async Task<IResult> CallbackAsync(
        string? code, string? state, string? error, HttpContext http, IOptions<SmartLaunchOptions> options, IOptions<ServiceOptions> service,
        IHttpClientFactory clients, IDataProtectionProvider protection, TimeProvider clock, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var logger = loggers.CreateLogger(typeof(SmartLaunchEndpoints).FullName!);
        if (!settings.Enabled)
        {
            return Results.NotFound();
        }

        if (LaunchState.Take(http, protection, state) is not { } launch)
        {
            return Refuse(logger, "state unknown to this browser, used already or expired");
        }

        if (error is not null || string.IsNullOrEmpty(code) || code.Length > 4096)
        {
            return Refuse(logger, error is null ? "no code" : "the authorization server refused");
        }

        var token = await SmartConfiguration.ExchangeAsync(clients.CreateClient(HttpClientName), launch, code, settings.ClientId, service.Value.UrlOf(CallbackPath), cancellationToken);
        if (token is null)
        {
            return Refuse(logger, "the token endpoint gave no access token and patient");
        }

        if (!FhirIds.IsValidId(token.Patient))
        {
            return Refuse(logger, "the patient in the token response is not a FHIR id");
        }

        if (await AccessTokens.ValidateAsync(http.RequestServices, token.AccessToken, cancellationToken) is not { } principal)
        {
            return Refuse(logger, "the access token is not one the API accepts (Api:Issuers, audience Service:PublicBaseUrl)");
        }

        // Scopes: the token's own claim when it has one (what was granted), else the token response's.
        var scopes = principal.FindAll("scope").Select(c => c.Value).DefaultIfEmpty(token.Scope ?? "").ToList();
        if (!SmartScopes.PermitsLaunch(scopes, "Patient", ApiAccess.Read))
        {
            return Refuse(logger, "the granted scopes do not allow reading the patient");
        }

        if (principal.FindFirstValue(PatientClaim) is { } inToken && inToken != token.Patient)
        {
            return Refuse(logger, "the access token names another patient than the token response");
        }

        var expires = clock.GetUtcNow().AddMinutes(settings.SessionMinutes);
        if (principal.FindFirstValue("exp") is { } exp && long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            && DateTimeOffset.FromUnixTimeSeconds(seconds) < expires)
        {
            expires = DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        var session = new ClaimsPrincipal(new ClaimsIdentity([new Claim(PatientClaim, token.Patient!)], SessionScheme));
        await http.SignInAsync(SessionScheme, session, new AuthenticationProperties { ExpiresUtc = expires, IsPersistent = false, AllowRefresh = false });
        LogLaunched(logger);
        return Redirect(http, $"{http.Request.PathBase}/mdt/{Uri.EscapeDataString(token.Patient!)}");
    }

    /// <summary>A 302 written directly: the framework's redirect result logs its URL, which here holds the launch or a patient id.</summary>
    private static IResult Redirect(HttpContext http, string url)
    {
        http.Response.Headers.Location = url;
        http.Response.Headers.CacheControl = "no-store";
        return Results.StatusCode(StatusCodes.Status302Found);
    }

    private static IResult Refuse(ILogger logger, string reason)
    {
        LogRefused(logger, reason);
        return Results.Text($"The SMART launch of the MDT view failed ({reason}). Launch it again from the EHR.", statusCode: StatusCodes.Status400BadRequest);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SMART launch of the MDT view refused: {Reason}.")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "SMART launch of the MDT view completed.")]
    private static partial void LogLaunched(ILogger logger);
}

using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace NetCds.Service.Security;

/// <summary>
/// The admin API's authorization: policy <see cref="Policy"/> needs an authenticated caller whose <c>scope</c> claim
/// (space-separated, OAuth 2.0 style) holds <see cref="Scope"/>. The service's bearer-token scheme plugs in by
/// becoming the default authentication scheme; until one is registered, a scheme that authenticates nobody answers
/// 401, so the admin routes are closed rather than open.
/// </summary>
public static class AdminAuthorization
{
    public const string Policy = "admin";

    public const string Scope = "netcds.admin";

    public const string ClosedScheme = "netcds-closed";

    public static IHostApplicationBuilder AddAdminAuthorization(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ClosedHandler>(ClosedScheme, null);
        builder.Services.PostConfigure<AuthenticationOptions>(o => o.DefaultScheme ??= ClosedScheme);
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy
            .RequireAuthenticatedUser()
            .RequireAssertion(context => context.User.FindAll("scope").SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Contains(Scope)));
        return builder;
    }

    /// <summary>Authenticates no one (no credentials are accepted until a real scheme is configured).</summary>
    private sealed class ClosedHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());
    }
}

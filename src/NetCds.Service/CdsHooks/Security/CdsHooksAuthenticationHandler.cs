using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using NetCds.Service.Security;

namespace NetCds.Service.CdsHooks.Security;

/// <summary>
/// The CDS Hooks authentication scheme (issue 20: one authentication stack). It runs only where an endpoint's policy
/// names it (the <c>/cds-services</c> group), never as a default on every request. A valid CDS Hooks JWT authenticates
/// the caller, whose <see cref="CdsHooksCaller"/> is also set as a request feature; otherwise the challenge is a 401
/// with <c>WWW-Authenticate: Bearer</c> and no body (the reason goes to the log, not to the caller). The audience is
/// <c>{Service:PublicBaseUrl}{path}</c>, never the Host header the caller chose.
/// </summary>
internal sealed class CdsHooksAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    CdsHooksJwtValidator validator,
    IOptions<ServiceOptions> service)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>Runs once per request (the base class keeps the result), so a token's jti is recorded once.</summary>
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var check = await validator.ValidateAsync(BearerToken(Request), service.Value.UrlOf(Request.Path), Context.RequestAborted);
        if (check.Caller is not { } caller)
        {
            return AuthenticateResult.Fail(check.Refusal?.ToString() ?? nameof(JwtRefusal.Invalid));
        }

        Context.Features.Set(caller);
        var claims = new List<Claim> { new("iss", caller.Issuer) };
        if (caller.Subject is not null)
        {
            claims.Add(new Claim("sub", caller.Subject));
        }

        if (caller.Tenant is not null)
        {
            claims.Add(new Claim("tenant", caller.Tenant));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name, "sub", null));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }

    private static string? BearerToken(HttpRequest request)
    {
        var values = request.Headers.Authorization;
        if (values.Count != 1)
        {
            return null;
        }

        const string Scheme = "Bearer ";
        var value = values[0];
        return value is not null && value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? value[Scheme.Length..].Trim() : null;
    }
}

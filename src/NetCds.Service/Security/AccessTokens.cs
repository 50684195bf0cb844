using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace NetCds.Service.Security;

/// <summary>
/// Checks an access token the service received some other way than in an <c>Authorization</c> header (the MDT view's
/// SMART launch gets it from the EHR's token endpoint) exactly as the API checks a bearer token: the issuer must be one
/// of <c>Api:Issuers</c>, and the same validation parameters apply (signature from that issuer's JWKS, <c>at+jwt</c>,
/// lifetime, audience <c>Service:PublicBaseUrl</c>).
/// </summary>
public static class AccessTokens
{
    /// <summary>The token's claims when the API would accept it; null otherwise (the reason is not said: it is the caller's secret).</summary>
    public static async Task<ClaimsPrincipal?> ValidateAsync(IServiceProvider services, string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        string? claimed;
        try
        {
            claimed = new JsonWebToken(token).Issuer;
        }
        catch (ArgumentException)
        {
            return null;
        }

        var issuers = services.GetRequiredService<IOptions<ApiSecurityOptions>>().Value.Issuers;
        var index = issuers.Select(i => i.Issuer).ToList().IndexOf(claimed);
        if (index < 0)
        {
            return null;
        }

        var options = services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(ApiSecurityExtensions.IssuerScheme(index));
        if (options.ConfigurationManager is null)
        {
            return null;
        }

        var configuration = await options.ConfigurationManager.GetConfigurationAsync(cancellationToken);
        var parameters = options.TokenValidationParameters.Clone();
        parameters.IssuerSigningKeys = configuration.SigningKeys;
        var result = await new JsonWebTokenHandler { MapInboundClaims = false }.ValidateTokenAsync(token, parameters);
        return result.IsValid ? new ClaimsPrincipal(result.ClaimsIdentity) : null;
    }
}

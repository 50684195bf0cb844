using Microsoft.IdentityModel.Tokens;

namespace NetCds.Service.Security;

/// <summary>
/// The <c>exp</c>/<c>nbf</c> check of the API's bearer tokens against the service's <see cref="TimeProvider"/>.
/// IdentityModel's own check reads the wall clock; everything else in the service reads the injected clock, and a token
/// must be judged by the same one (tests run the service on a clock of their own).
/// </summary>
internal static class TokenLifetime
{
    /// <summary>A validator that throws the exceptions IdentityModel's own check throws, so error descriptions stay the same.</summary>
    public static LifetimeValidator On(TimeProvider clock) => (notBefore, expires, token, parameters) =>
    {
        if (expires is null)
        {
            if (parameters.RequireExpirationTime)
            {
                throw new SecurityTokenNoExpirationException("The token has no expiration time.");
            }
        }
        else if (notBefore is { } nbf && nbf > expires)
        {
            throw new SecurityTokenInvalidLifetimeException("The token's 'nbf' is after its 'exp'.") { NotBefore = nbf, Expires = expires };
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (notBefore is { } start && start > now + parameters.ClockSkew)
        {
            throw new SecurityTokenNotYetValidException("The token is not valid yet.") { NotBefore = start };
        }

        if (expires is { } end && end < now - parameters.ClockSkew)
        {
            throw new SecurityTokenExpiredException("The token is expired.") { Expires = end };
        }

        return true;
    };
}

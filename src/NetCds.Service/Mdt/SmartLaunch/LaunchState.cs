using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace NetCds.Service.Mdt.SmartLaunch;

/// <summary>
/// What the callback needs from the launch that started it: the <c>state</c> sent to the authorization server, the
/// PKCE verifier, the allowed <c>iss</c> and the token endpoint discovered from it. Kept in an HttpOnly cookie
/// protected by ASP.NET Data Protection (encrypted and signed, ten minutes), named after the state so that two
/// launches in one browser do not overwrite each other; the cookie binds the callback to the browser that launched.
/// </summary>
internal sealed record LaunchState(string State, string Verifier, string Iss, string TokenEndpoint)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    private const string Purpose = "NetCds.Mdt.SmartLaunch.State";
    private const string CookiePrefix = "netcds-launch-";

    public static LaunchState New(string iss, string tokenEndpoint) =>
        new(Random(), Random(), iss, tokenEndpoint);

    /// <summary>RFC 7636 S256: BASE64URL(SHA256(verifier)).</summary>
    public string Challenge => Base64Url(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(Verifier)));

    public static string CookieName(string state) => CookiePrefix + state;

    public void Write(HttpContext http, IDataProtectionProvider protection)
    {
        var protector = protection.CreateProtector(Purpose).ToTimeLimitedDataProtector();
        http.Response.Cookies.Append(CookieName(State), protector.Protect(JsonSerializer.Serialize(this), Lifetime), Options(http));
    }

    /// <summary>The launch for <paramref name="state"/> from this browser's cookie, removed as it is read (one use); null when absent, expired or forged.</summary>
    public static LaunchState? Take(HttpContext http, IDataProtectionProvider protection, string? state)
    {
        if (string.IsNullOrEmpty(state) || state.Length > 64 || !state.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return null;
        }

        if (!http.Request.Cookies.TryGetValue(CookieName(state), out var value))
        {
            return null;
        }

        http.Response.Cookies.Delete(CookieName(state), Options(http));
        try
        {
            var launch = JsonSerializer.Deserialize<LaunchState>(protection.CreateProtector(Purpose).ToTimeLimitedDataProtector().Unprotect(value));
            return launch is not null && CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.ASCII.GetBytes(launch.State), System.Text.Encoding.ASCII.GetBytes(state)) ? launch : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static CookieOptions Options(HttpContext http) => new()
    {
        HttpOnly = true,
        Secure = http.Request.IsHttps,
        // Lax: the authorization server sends the browser back with a top-level GET, which carries Lax cookies.
        SameSite = SameSiteMode.Lax,
        Path = http.Request.PathBase.Add("/mdt/launch").Value,
        MaxAge = Lifetime,
        IsEssential = true,
    };

    private static string Random() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}

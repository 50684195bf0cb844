using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace NetCds.Service.Subscriptions;

/// <summary>A token, or whether the EHR could not give one (a temporary failure is retried by the bus).</summary>
public sealed class TokenException(string message) : Exception(message);

/// <summary>
/// SMART Backend Services (SMART App Launch 2.x, Backend Services §Obtaining an access token): a client-credentials
/// grant authenticated by a JWT assertion (RFC 7523) signed with the client's key, RS384 or ES384 by its type.
/// Access tokens are cached per subscription until shortly before they expire; nothing here is ever logged.
/// </summary>
public sealed class BackendServicesTokens(IHttpClientFactory httpFactory, TimeProvider clock)
{
    public const string HttpClientName = "subscriptions-token";

    private const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private static readonly TimeSpan AssertionLifetime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _tokenUrls = new(StringComparer.Ordinal);

    /// <summary>A bearer token for the subscription's server, or null when no client id is configured (an open server).</summary>
    public async Task<string?> TokenAsync(SubscriptionSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.ClientId.Length == 0)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(settings.Name, out var cached) && cached.Until > now)
        {
            return cached.Token;
        }

        var tokenUrl = await TokenUrlAsync(settings, cancellationToken);
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["scope"] = settings.Scope,
            ["client_assertion_type"] = AssertionType,
            ["client_assertion"] = Assertion(settings, tokenUrl, now),
        };
        using var content = new FormUrlEncodedContent(form);
        using var response = await Http().PostAsync(new Uri(tokenUrl), content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new TokenException($"the token endpoint of {new Uri(tokenUrl).Host} answered HTTP {(int)response.StatusCode}");
        }

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        if (!body.RootElement.TryGetProperty("access_token", out var token) || token.GetString() is not { Length: > 0 } accessToken)
        {
            throw new TokenException($"the token endpoint of {new Uri(tokenUrl).Host} gave no access_token");
        }

        var lifetime = body.RootElement.TryGetProperty("expires_in", out var expires) && expires.TryGetInt32(out var seconds) ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(5);
        _cache[settings.Name] = (accessToken, now + lifetime - RenewBefore);
        return accessToken;
    }

    /// <summary>Forgets the cached token (the server refused it: 401), so the next read asks for a new one.</summary>
    public void Forget(string name) => _cache.TryRemove(name, out _);

    /// <summary>The signed client assertion: iss = sub = client id, aud = token URL, a fresh jti, five minutes long.</summary>
    public static string Assertion(SubscriptionSettings settings, string tokenUrl, DateTimeOffset now)
    {
        var (key, algorithm) = SigningKey(settings);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = settings.ClientId,
            Audience = tokenUrl,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + AssertionLifetime).UtcDateTime,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = settings.ClientId,
                ["jti"] = Guid.NewGuid().ToString("N"),
            },
            SigningCredentials = new SigningCredentials(key, algorithm),
            TokenType = "JWT",
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    private static (SecurityKey Key, string Algorithm) SigningKey(SubscriptionSettings settings)
    {
        var pem = settings.PrivateKeyPem.Replace("\\n", "\n", StringComparison.Ordinal);
        SecurityKey key;
        string algorithm;
        if (pem.Contains("EC PRIVATE KEY", StringComparison.Ordinal) || IsEc(pem))
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            key = new ECDsaSecurityKey(ec);
            algorithm = SecurityAlgorithms.EcdsaSha384;
        }
        else
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            key = new RsaSecurityKey(rsa);
            algorithm = SecurityAlgorithms.RsaSha384;
        }

        if (settings.KeyId.Length > 0)
        {
            key.KeyId = settings.KeyId;
        }

        return (key, algorithm);
    }

    private static bool IsEc(string pem)
    {
        using var probe = ECDsa.Create();
        try
        {
            probe.ImportFromPem(pem);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private async Task<string> TokenUrlAsync(SubscriptionSettings settings, CancellationToken cancellationToken)
    {
        if (settings.TokenUrl.Length > 0)
        {
            return settings.TokenUrl;
        }

        if (_tokenUrls.TryGetValue(settings.Name, out var known))
        {
            return known;
        }

        // SMART App Launch 2.x §Discovery: the token endpoint is published at {base}/.well-known/smart-configuration.
        var discovery = new Uri(settings.ServerBaseUrl.TrimEnd('/') + "/.well-known/smart-configuration");
        using var response = await Http().GetAsync(discovery, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new TokenException($"{discovery.Host} has no SMART configuration (HTTP {(int)response.StatusCode}); set TokenUrl");
        }

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        if (!body.RootElement.TryGetProperty("token_endpoint", out var endpoint) || endpoint.GetString() is not { Length: > 0 } url)
        {
            throw new TokenException($"the SMART configuration of {discovery.Host} names no token_endpoint; set TokenUrl");
        }

        _tokenUrls[settings.Name] = url;
        return url;
    }

    private HttpClient Http() => httpFactory.CreateClient(HttpClientName);
}

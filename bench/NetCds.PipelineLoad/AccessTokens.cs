using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace NetCds.PipelineLoad;

/// <summary>
/// The OAuth 2.0 authorization server an integration engine gets its tokens from, as far as the service sees it: an
/// RS256 key whose JWKS it serves on loopback, and RFC 9068 access tokens (<c>typ</c> <c>at+jwt</c>) with the SMART
/// scopes an engine posting resources and reading reports holds. The load runs with the API's authentication on, as the
/// issue's measurements did: the service pays for its bearer check on every request.
/// </summary>
internal sealed class AccessTokens : IDisposable
{
    private readonly RSA _key = RSA.Create(2048);
    private readonly HttpListener _listener = new();
    private readonly JsonWebTokenHandler _handler = new();
    private readonly SigningCredentials _credentials;
    private readonly string _audience;

    public AccessTokens(int port, string audience)
    {
        _audience = audience;
        Issuer = $"http://127.0.0.1:{port}";
        var securityKey = new RsaSecurityKey(_key) { KeyId = "bench-as-1" };
        _credentials = new SigningCredentials(securityKey, SecurityAlgorithms.RsaSha256);
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(securityKey);
        var jwks = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { keys = new[] { new { kty = "RSA", n = jwk.N, e = jwk.E, kid = jwk.Kid, use = "sig", alg = "RS256" } } }));
        _listener.Prefixes.Add($"{Issuer}/");
        _listener.Start();
        _ = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (HttpListenerException)
                {
                    return;
                }

                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(jwks);
                context.Response.Close();
            }
        });
    }

    public string Issuer { get; }

    /// <summary>A token valid for <paramref name="lifetime"/>, ten minutes by default (the load harness asks for a fresh one every minute).</summary>
    public string Token(TimeSpan? lifetime = null) => _handler.CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = _audience,
        IssuedAt = DateTime.UtcNow,
        NotBefore = DateTime.UtcNow.AddSeconds(-5),
        Expires = DateTime.UtcNow.Add(lifetime ?? TimeSpan.FromMinutes(10)),
        TokenType = "at+jwt",
        Claims = new Dictionary<string, object>
        {
            ["scope"] = "system/*.read system/*.write",
            ["sub"] = "bench-integration-engine",
            ["client_id"] = "bench-integration-engine",
            ["jti"] = Guid.NewGuid().ToString("N"),
        },
        SigningCredentials = _credentials,
    });

    public void Dispose()
    {
        _listener.Close();
        _key.Dispose();
    }
}

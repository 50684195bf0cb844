using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace NetCds.LoadTest;

/// <summary>
/// A CDS Client as an EHR is one (CDS Hooks 2.0 "Trusting CDS Clients"): an ES384 key whose JWKS it serves itself on
/// loopback, and a fresh signed JWT (unique jti, 5-minute lifetime) for every call, so the benchmark pays for the
/// service's full JWT check, replay cache included.
/// </summary>
internal sealed class CdsClient : IDisposable
{
    private readonly ECDsa _key = LoadOrCreateKey();
    private readonly HttpListener _listener = new();
    private readonly JsonWebTokenHandler _handler = new();
    private readonly SigningCredentials _credentials;

    public CdsClient(int port)
    {
        Issuer = $"http://127.0.0.1:{port}";
        JwksUrl = $"{Issuer}/jwks.json";
        var securityKey = new ECDsaSecurityKey(_key);
        securityKey.KeyId = Base64UrlEncoder.Encode(securityKey.ComputeJwkThumbprint());
        _credentials = new SigningCredentials(securityKey, SecurityAlgorithms.EcdsaSha384);
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(securityKey);
        var jwks = JsonSerializer.Serialize(new { keys = new[] { new { kty = jwk.Kty, crv = jwk.Crv, x = jwk.X, y = jwk.Y, kid = jwk.Kid, use = "sig", alg = "ES384" } } });
        _listener.Prefixes.Add($"{Issuer}/");
        _listener.Start();
        _ = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                var context = await _listener.GetContextAsync();
                var body = Encoding.UTF8.GetBytes(jwks);
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        });
    }

    public string Issuer { get; }

    /// <summary>
    /// One key for every run of a benchmark session (kept in a temporary file, never in the repository), so the
    /// service's cached JWKS stays valid from one harness process to the next.
    /// </summary>
    private static ECDsa LoadOrCreateKey()
    {
        var path = Path.Combine(Path.GetTempPath(), "netcds-bench-cds-client.pem");
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        if (File.Exists(path))
        {
            key.ImportFromPem(File.ReadAllText(path));
        }
        else
        {
            File.WriteAllText(path, key.ExportECPrivateKeyPem());
        }

        return key;
    }

    public string JwksUrl { get; }

    public string Token(string audience) => _handler.CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = audience,
        Expires = DateTime.UtcNow.AddMinutes(5),
        IssuedAt = DateTime.UtcNow,
        Claims = new Dictionary<string, object> { ["jti"] = Guid.NewGuid().ToString("N"), ["sub"] = "bench" },
        SigningCredentials = _credentials,
    });

    public void Dispose()
    {
        _listener.Close();
        _key.Dispose();
    }
}

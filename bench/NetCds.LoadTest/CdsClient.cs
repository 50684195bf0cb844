using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace NetCds.LoadTest;

/// <summary>
/// A CDS Client as an EHR is one (CDS Hooks 2.0 "Trusting CDS Clients"): a signing key (RS384 by default, as issue 20
/// measured; ES384 on request) whose JWKS it serves itself on loopback, and a signed JWT with a unique jti and a
/// 5-minute lifetime for every call, so the benchmark pays for the service's full JWT check, replay cache included.
/// </summary>
internal sealed class CdsClient : IDisposable
{
    private readonly AsymmetricAlgorithm _key;
    private readonly HttpListener _listener = new();
    private readonly JsonWebTokenHandler _handler = new();
    private readonly SigningCredentials _credentials;

    public CdsClient(int port, string algorithm)
    {
        Issuer = $"http://127.0.0.1:{port}";
        JwksUrl = $"{Issuer}/jwks.json";
        string jwks;
        if (algorithm == SecurityAlgorithms.RsaSha384)
        {
            var rsa = LoadOrCreate("rsa", () => RSA.Create(2048), k => k.ExportRSAPrivateKeyPem());
            var securityKey = new RsaSecurityKey(rsa);
            securityKey.KeyId = Base64UrlEncoder.Encode(securityKey.ComputeJwkThumbprint());
            _credentials = new SigningCredentials(securityKey, algorithm);
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(securityKey);
            jwks = JsonSerializer.Serialize(new { keys = new[] { new { kty = jwk.Kty, n = jwk.N, e = jwk.E, kid = jwk.Kid, use = "sig", alg = algorithm } } });
            _key = rsa;
        }
        else
        {
            var ec = LoadOrCreate("ec", () => ECDsa.Create(ECCurve.NamedCurves.nistP384), k => k.ExportECPrivateKeyPem());
            var securityKey = new ECDsaSecurityKey(ec);
            securityKey.KeyId = Base64UrlEncoder.Encode(securityKey.ComputeJwkThumbprint());
            _credentials = new SigningCredentials(securityKey, SecurityAlgorithms.EcdsaSha384);
            var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(securityKey);
            jwks = JsonSerializer.Serialize(new { keys = new[] { new { kty = jwk.Kty, crv = jwk.Crv, x = jwk.X, y = jwk.Y, kid = jwk.Kid, use = "sig", alg = "ES384" } } });
            _key = ec;
        }

        Algorithm = algorithm;
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

    public string Algorithm { get; }

    public string JwksUrl { get; }

    /// <summary>
    /// One key per algorithm for every run of a benchmark session (kept in a temporary file, never in the repository),
    /// so the service's cached JWKS stays valid from one harness process to the next.
    /// </summary>
    private static T LoadOrCreate<T>(string name, Func<T> create, Func<T, string> export)
        where T : AsymmetricAlgorithm
    {
        var path = Path.Combine(Path.GetTempPath(), $"netcds-bench-cds-client-{name}.pem");
        var key = create();
        if (File.Exists(path))
        {
            key.ImportFromPem(File.ReadAllText(path));
        }
        else
        {
            File.WriteAllText(path, export(key));
        }

        return key;
    }

    public string Token(string audience) => _handler.CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = audience,
        Expires = DateTime.UtcNow.AddMinutes(5),
        IssuedAt = DateTime.UtcNow,
        Claims = new Dictionary<string, object> { ["jti"] = Guid.NewGuid().ToString("N"), ["sub"] = "bench" },
        SigningCredentials = _credentials,
    });

    /// <summary>
    /// <paramref name="count"/> tokens signed before a measurement starts (on every core), so the load generator's CPU
    /// during the run is the HTTP alone: "an independent load", as issue 20 measured with wrk.
    /// </summary>
    public string[] Presign(string audience, int count)
    {
        var tokens = new string[count];
        Parallel.For(0, count, i => tokens[i] = Token(audience));
        return tokens;
    }

    public void Dispose()
    {
        _listener.Close();
        _key.Dispose();
    }
}

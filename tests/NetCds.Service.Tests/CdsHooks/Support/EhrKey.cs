using System.Buffers.Text;
using System.Security.Cryptography;

namespace NetCds.Service.Tests.CdsHooks.Support;

/// <summary>An EHR's signing key pair, made at test time (no key is ever committed).</summary>
internal sealed class EhrKey : IDisposable
{
    private readonly RSA? rsa;
    private readonly ECDsa? ec;

    private EhrKey(string kid, RSA? rsa, ECDsa? ec)
    {
        Kid = kid;
        this.rsa = rsa;
        this.ec = ec;
    }

    public string Kid { get; }

    /// <summary>The JWS algorithm this key is published for: RS384 or ES384.</summary>
    public string Alg => rsa is not null ? "RS384" : "ES384";

    public static EhrKey Rs384(string kid) => new(kid, RSA.Create(2048), null);

    public static EhrKey Es384(string kid) => new(kid, null, ECDsa.Create(ECCurve.NamedCurves.nistP384));

    /// <summary>Signs as <see cref="Alg"/> would, or with SHA-256 for RS256 (an algorithm the service must refuse).</summary>
    public byte[] Sign(byte[] data, HashAlgorithmName? hash = null) =>
        rsa?.SignData(data, hash ?? HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1)
        ?? ec!.SignData(data, hash ?? HashAlgorithmName.SHA384);

    /// <summary>The public half as a JWK, as an EHR publishes it in its JWKS.</summary>
    public Dictionary<string, string> PublicJwk()
    {
        if (rsa is not null)
        {
            var p = rsa.ExportParameters(false);
            return new()
            {
                ["kty"] = "RSA",
                ["kid"] = Kid,
                ["use"] = "sig",
                ["alg"] = Alg,
                ["n"] = Base64Url.EncodeToString(p.Modulus),
                ["e"] = Base64Url.EncodeToString(p.Exponent),
            };
        }

        var q = ec!.ExportParameters(false).Q;
        return new()
        {
            ["kty"] = "EC",
            ["kid"] = Kid,
            ["use"] = "sig",
            ["alg"] = Alg,
            ["crv"] = "P-384",
            ["x"] = Base64Url.EncodeToString(q.X),
            ["y"] = Base64Url.EncodeToString(q.Y),
        };
    }

    public void Dispose()
    {
        rsa?.Dispose();
        ec?.Dispose();
    }
}

using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace NetCds.Service.Tests.CdsHooks.Support;

/// <summary>What goes into a test token; the defaults make a token the service should accept.</summary>
internal sealed record TokenSpec
{
    public required string Issuer { get; init; }

    public required string Audience { get; init; }

    public required DateTimeOffset IssuedAt { get; init; }

    public bool WithIssuedAt { get; init; } = true;

    public DateTimeOffset? Expires { get; init; }

    public string? Jti { get; init; } = Guid.NewGuid().ToString("N");

    public string? Subject { get; init; } = "netcds-client";

    /// <summary>Header <c>kid</c>; the signing key's kid unless set (empty: no kid header).</summary>
    public string? Kid { get; init; }

    public string? Jku { get; init; }

    /// <summary>Header <c>typ</c>: <c>JWT</c> unless set (<c>at+jwt</c> for an RFC 9068 access token).</summary>
    public string Typ { get; init; } = "JWT";

    /// <summary>Claim <c>scope</c> (space-separated), absent when null.</summary>
    public string? Scope { get; init; }

    /// <summary>Claims written last, over the ones above (e.g. <c>exp</c> as a string).</summary>
    public IReadOnlyDictionary<string, object?> Claims { get; init; } = new Dictionary<string, object?>();
}

/// <summary>
/// Compact JWS built by hand (RFC 7515), not by the library under test, so that a bug there cannot hide here.
/// </summary>
internal static class Jws
{
    public static string Sign(TokenSpec spec, EhrKey key) =>
        Build(Header(spec, key.Alg, spec.Kid ?? key.Kid), Payload(spec), data => key.Sign(data));

    /// <summary>RS256: a real signature by a trusted RSA key, with an algorithm CDS Hooks does not allow.</summary>
    public static string SignRs256(TokenSpec spec, EhrKey key) =>
        Build(Header(spec, "RS256", key.Kid), Payload(spec), data => key.Sign(data, HashAlgorithmName.SHA256));

    /// <summary>HS256 with a shared secret: the algorithm-confusion attack.</summary>
    public static string SignHs256(TokenSpec spec, byte[] secret, string kid) =>
        Build(Header(spec, "HS256", kid), Payload(spec), data => HMACSHA256.HashData(secret, data));

    /// <summary><c>alg: none</c>, no signature.</summary>
    public static string Unsigned(TokenSpec spec) => Build(Header(spec, "none", null), Payload(spec), _ => []);

    /// <summary>The same signature over a payload changed after signing.</summary>
    public static string Tamper(string token, Func<Dictionary<string, object?>, Dictionary<string, object?>> change)
    {
        var parts = token.Split('.');
        var payload = JsonSerializer.Deserialize<Dictionary<string, object?>>(Base64Url.DecodeFromChars(parts[1]))!;
        return $"{parts[0]}.{Encode(change(payload))}.{parts[2]}";
    }

    private static Dictionary<string, object?> Header(TokenSpec spec, string alg, string? kid)
    {
        var header = new Dictionary<string, object?> { ["alg"] = alg, ["typ"] = spec.Typ };
        if (!string.IsNullOrEmpty(kid))
        {
            header["kid"] = kid;
        }

        if (spec.Jku is not null)
        {
            header["jku"] = spec.Jku;
        }

        return header;
    }

    private static Dictionary<string, object?> Payload(TokenSpec spec)
    {
        var payload = new Dictionary<string, object?> { ["iss"] = spec.Issuer, ["aud"] = spec.Audience };
        if (spec.WithIssuedAt)
        {
            payload["iat"] = spec.IssuedAt.ToUnixTimeSeconds();
        }

        if (spec.Expires is { } expires)
        {
            payload["exp"] = expires.ToUnixTimeSeconds();
        }

        if (spec.Jti is not null)
        {
            payload["jti"] = spec.Jti;
        }

        if (spec.Subject is not null)
        {
            payload["sub"] = spec.Subject;
        }

        if (spec.Scope is not null)
        {
            payload["scope"] = spec.Scope;
        }

        foreach (var (claim, value) in spec.Claims)
        {
            payload[claim] = value;
        }

        return payload;
    }

    private static string Build(Dictionary<string, object?> header, Dictionary<string, object?> payload, Func<byte[], byte[]> sign)
    {
        var signingInput = $"{Encode(header)}.{Encode(payload)}";
        return $"{signingInput}.{Base64Url.EncodeToString(sign(Encoding.ASCII.GetBytes(signingInput)))}";
    }

    private static string Encode(Dictionary<string, object?> part) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(part));
}

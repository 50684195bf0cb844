using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NetCds.Service.Ops;
using NetCds.Service.Security;
using NetCds.Service.Storage;

namespace NetCds.Service.CdsHooks.Security;

/// <summary>Why a CDS Hooks JWT was refused: logged, never sent to the caller.</summary>
internal enum JwtRefusal
{
    NoBearerToken,
    Malformed,
    AlgorithmNotAllowed,
    CriticalHeader,
    IssuerNotAllowed,
    JkuNotAllowed,
    NoKid,
    KeyNotFound,
    BadSignature,
    WrongAudience,
    NoExpiry,
    Expired,
    NotYetValid,
    NoIssuedAt,
    IssuedInTheFuture,
    NonNumericTime,
    LifetimeTooLong,
    NoJti,
    JtiTooLong,
    Replayed,
    Invalid,
}

/// <summary>The outcome of checking one token: the caller, or why it was refused (and the issuer it claimed, if any).</summary>
internal sealed record JwtCheck(CdsHooksCaller? Caller, JwtRefusal? Refusal, string? ClaimedIssuer)
{
    public static JwtCheck Accepted(CdsHooksCaller caller) => new(caller, null, caller.Issuer);

    public static JwtCheck Refused(JwtRefusal refusal, string? claimedIssuer = null) => new(null, refusal, claimedIssuer);
}

/// <summary>
/// Checks a CDS Client's JWT the CDS Hooks way: RS384 or ES384 only; an allow-listed <c>iss</c>; a <c>jku</c>, if
/// any, equal to that issuer's configured JWKS URL (keys are only ever read from there); the signature by the key
/// named by <c>kid</c> (required); <c>aud</c> equal to the URL called; <c>exp</c> and <c>iat</c> present, numeric,
/// current and at most <c>CdsHooks:MaxTokenLifetimeSeconds</c> apart; a <c>jti</c> not used before by that issuer
/// (recorded in the store, shared by every instance). Logs why a token is refused, with the issuer only (sanitised):
/// never the token. Besides the configured issuers, any <see cref="ILocalTokenIssuers"/> (the demo client) may vouch
/// for an issuer whose keys are in this process.
/// </summary>
internal sealed partial class CdsHooksJwtValidator(
    IssuerKeys jwks,
    JtiReplayCache replays,
    IEnumerable<ILocalTokenIssuers> localIssuers,
    IOptions<CdsHooksSecurityOptions> options,
    TimeProvider clock,
    ILogger<CdsHooksJwtValidator> logger)
{
    private static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha384, SecurityAlgorithms.EcdsaSha384];

    private readonly JsonWebTokenHandler handler = new();

    /// <param name="token">The bearer token, or null when the request had none.</param>
    /// <param name="audience">The URL called: scheme://host[:port]/pathbase/path, without the query.</param>
    public async Task<JwtCheck> ValidateAsync(string? token, string audience, CancellationToken cancellationToken)
    {
        var check = await CheckAsync(token, audience, cancellationToken);
        if (check.Refusal is { } refusal)
        {
            var issuer = Shorten(check.ClaimedIssuer);
            LogRefused(logger, refusal, issuer);
            NetCds.Service.Ops.NetCdsTelemetry.JwtRejected(refusal.ToString());
        }
        else
        {
            LogAccepted(logger, check.Caller!.Issuer);
        }

        return check;
    }

    private async Task<JwtCheck> CheckAsync(string? token, string audience, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return JwtCheck.Refused(JwtRefusal.NoBearerToken);
        }

        JsonWebToken jwt;
        try
        {
            jwt = handler.ReadJsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return JwtCheck.Refused(JwtRefusal.Malformed);
        }

        if (jwt.IsEncrypted)
        {
            return JwtCheck.Refused(JwtRefusal.Malformed);
        }

        string? claimed;
        try
        {
            claimed = jwt.Issuer;
        }
        catch (ArgumentException)
        {
            return JwtCheck.Refused(JwtRefusal.Malformed);
        }

        claimed = string.IsNullOrEmpty(claimed) ? null : claimed;
        if (!Algorithms.Contains(jwt.Alg, StringComparer.Ordinal))
        {
            return JwtCheck.Refused(JwtRefusal.AlgorithmNotAllowed, claimed);
        }

        // No header extension is understood here, so one marked critical cannot be honoured (RFC 7515 §4.1.11).
        if (jwt.TryGetHeaderValue<object>("crit", out _))
        {
            return JwtCheck.Refused(JwtRefusal.CriticalHeader, claimed);
        }

        var settings = options.Value;
        // CDS Hooks: the kid header is required, so a key is never guessed.
        var kid = string.IsNullOrEmpty(jwt.Kid) ? null : jwt.Kid;
        var configured = settings.FindIssuer(claimed);
        var local = configured is null && claimed is not null
            ? localIssuers.Select(source => source.Find(claimed, kid ?? "")).FirstOrDefault(i => i is not null)
            : null;
        var issuer = configured ?? (local is null ? null : new TrustedIssuer { Issuer = local.Issuer });
        if (issuer is null)
        {
            return JwtCheck.Refused(JwtRefusal.IssuerNotAllowed, claimed);
        }

        if (jwt.TryGetHeaderValue<object>("jku", out _)
            && !(jwt.TryGetHeaderValue<string>("jku", out var jku) && string.Equals(jku, issuer.JwksUrl, StringComparison.Ordinal)))
        {
            return JwtCheck.Refused(JwtRefusal.JkuNotAllowed, issuer.Issuer);
        }

        if (kid is null)
        {
            return JwtCheck.Refused(JwtRefusal.NoKid, issuer.Issuer);
        }

        // An in-process issuer's keys are in hand; a configured issuer's are fetched from its JWKS URL.
        List<SecurityKey> keys = local is not null ? [.. local.Keys] : SigningKeys(await jwks.FindAsync(issuer, kid, cancellationToken), jwt.Alg);
        if (keys.Count == 0)
        {
            return JwtCheck.Refused(JwtRefusal.KeyNotFound, issuer.Issuer);
        }

        var parameters = new TokenValidationParameters
        {
            ValidAlgorithms = Algorithms,
            ValidIssuer = issuer.Issuer,
            ValidAudience = audience,
            IgnoreTrailingSlashWhenValidatingAudience = true,
            IgnoreCaseWhenValidatingAudience = false,
            RequireAudience = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            // Lifetime is checked below against the injected clock (exp, nbf and iat alike).
            ValidateLifetime = false,
            IssuerSigningKeyResolver = (_, _, _, _) => keys,
            TryAllIssuerSigningKeys = false,
            LogValidationExceptions = false,
        };
        var result = await handler.ValidateTokenAsync(jwt, parameters);
        if (!result.IsValid)
        {
            return JwtCheck.Refused(Refusal(result.Exception), issuer.Issuer);
        }

        if (Lifetime(jwt, clock.GetUtcNow(), settings.ClockSkew, settings.MaxTokenLifetime) is { } lifetimeRefusal)
        {
            return JwtCheck.Refused(lifetimeRefusal, issuer.Issuer);
        }

        if (string.IsNullOrEmpty(jwt.Id))
        {
            return JwtCheck.Refused(JwtRefusal.NoJti, issuer.Issuer);
        }

        if (jwt.Id.Length > UsedJti.MaxJtiLength || issuer.Issuer.Length > UsedJti.MaxIssuerLength)
        {
            return JwtCheck.Refused(JwtRefusal.JtiTooLong, issuer.Issuer);
        }

        // Recorded only now, once the signature is known good: a forged token cannot burn a real jti.
        if (!await replays.TryRecordAsync(issuer.Issuer, jwt.Id, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero) + settings.ClockSkew, cancellationToken))
        {
            return JwtCheck.Refused(JwtRefusal.Replayed, issuer.Issuer);
        }

        var subject = string.IsNullOrEmpty(jwt.Subject) ? null : jwt.Subject;
        var tenant = jwt.TryGetPayloadValue<string>("tenant", out var t) && !string.IsNullOrEmpty(t) ? t : null;
        return JwtCheck.Accepted(new CdsHooksCaller(issuer.Issuer, subject, tenant));
    }

    /// <summary>
    /// <c>exp</c> and <c>iat</c> must be present and JSON numbers (as <c>nbf</c>, when present); now must be before
    /// exp and not before nbf or iat, give or take the skew; exp may be at most <paramref name="maxLifetime"/> after iat.
    /// </summary>
    private static JwtRefusal? Lifetime(JsonWebToken jwt, DateTimeOffset now, TimeSpan skew, TimeSpan maxLifetime)
    {
        if (!NumericDates(jwt.EncodedPayload))
        {
            return JwtRefusal.NonNumericTime;
        }

        DateTime expires, notBefore, issuedAt;
        try
        {
            (expires, notBefore, issuedAt) = (jwt.ValidTo, jwt.ValidFrom, jwt.IssuedAt);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException or SecurityTokenException)
        {
            return JwtRefusal.Malformed;
        }

        var utcNow = now.UtcDateTime;
        return true switch
        {
            _ when expires == DateTime.MinValue => JwtRefusal.NoExpiry,
            _ when utcNow >= expires + skew => JwtRefusal.Expired,
            _ when notBefore != DateTime.MinValue && notBefore > utcNow + skew => JwtRefusal.NotYetValid,
            _ when issuedAt == DateTime.MinValue => JwtRefusal.NoIssuedAt,
            _ when issuedAt > utcNow + skew => JwtRefusal.IssuedInTheFuture,
            _ when expires - issuedAt > maxLifetime => JwtRefusal.LifetimeTooLong,
            _ => null,
        };
    }

    /// <summary>RFC 7519 NumericDate: <c>exp</c>, <c>iat</c> and <c>nbf</c>, where present, are JSON numbers (not strings).</summary>
    private static bool NumericDates(string encodedPayload)
    {
        try
        {
            using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(encodedPayload));
            if (payload.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            foreach (var claim in (string[])["exp", "iat", "nbf"])
            {
                if (payload.RootElement.TryGetProperty(claim, out var value) && value.ValueKind != JsonValueKind.Number)
                {
                    return false;
                }
            }

            return true;
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The keys (already those the kid names) that may have signed a token with this alg: those that fit it.</summary>
    private static List<SecurityKey> SigningKeys(IReadOnlyList<JsonWebKey> published, string alg) =>
        [.. published.Where(k => Fits(k, alg))];

    private static bool Fits(JsonWebKey key, string alg) =>
        (string.IsNullOrEmpty(key.Use) || key.Use == JsonWebKeyUseNames.Sig)
        && (string.IsNullOrEmpty(key.Alg) || key.Alg == alg)
        && alg switch
        {
            SecurityAlgorithms.RsaSha384 => key.Kty == JsonWebAlgorithmsKeyTypes.RSA,
            SecurityAlgorithms.EcdsaSha384 => key.Kty == JsonWebAlgorithmsKeyTypes.EllipticCurve && key.Crv == JsonWebKeyECTypes.P384,
            _ => false,
        };

    private static JwtRefusal Refusal(Exception? failure) => failure switch
    {
        SecurityTokenInvalidAudienceException => JwtRefusal.WrongAudience,
        SecurityTokenInvalidAlgorithmException => JwtRefusal.AlgorithmNotAllowed,
        SecurityTokenInvalidIssuerException => JwtRefusal.IssuerNotAllowed,
        SecurityTokenSignatureKeyNotFoundException => JwtRefusal.KeyNotFound,
        SecurityTokenInvalidSignatureException => JwtRefusal.BadSignature,
        SecurityTokenMalformedException => JwtRefusal.Malformed,
        _ => JwtRefusal.Invalid,
    };

    /// <summary>A refused token's iss is whatever the caller wrote: bound it and neutralise control characters before it reaches a log line.</summary>
    private static string Shorten(string? issuer) => issuer is null ? "(none)" : LogValues.Sanitize(issuer, 200);

    [LoggerMessage(Level = LogLevel.Information, Message = "CDS Hooks call refused ({Refusal}); issuer {Issuer}.")]
    private static partial void LogRefused(ILogger logger, JwtRefusal refusal, string issuer);

    [LoggerMessage(Level = LogLevel.Debug, Message = "CDS Hooks call accepted from issuer {Issuer}.")]
    private static partial void LogAccepted(ILogger logger, string issuer);
}

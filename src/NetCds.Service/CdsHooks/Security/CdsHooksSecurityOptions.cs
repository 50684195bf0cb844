using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;


using NetCds.Service.Security;

namespace NetCds.Service.CdsHooks.Security;

/// <summary>Configuration section <c>CdsHooks</c>: which CDS Clients (EHRs) may call, and how their JWTs are checked.</summary>
public sealed class CdsHooksSecurityOptions
{
    public const string Section = "CdsHooks";

    /// <summary>Every CDS Hooks call must carry a valid JWT. <c>false</c> is for local demos only (logged as a warning at start).</summary>
    public bool RequireJwt { get; set; } = true;

    /// <summary>The allow-list: each trusted issuer (<c>iss</c>) and the only JWKS URL its keys are read from.</summary>
    public IList<TrustedIssuer> Issuers { get; } = [];

    /// <summary>Leeway for <c>exp</c>, <c>nbf</c> and <c>iat</c>, for clocks that disagree.</summary>
    [Range(0, 300)]
    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>
    /// Longest lifetime (<c>exp</c> - <c>iat</c>) a CDS Hooks JWT may have; 300 s, the figure of the CDS Hooks
    /// security guidance. A longer-lived token is refused (and its <c>jti</c> is never held that long).
    /// </summary>
    [Range(1, 3600)]
    public int MaxTokenLifetimeSeconds { get; set; } = 300;

    /// <summary>How long a fetched JWKS is used before it is fetched again (IdentityModel's automatic refresh: 5 minutes at least, plus up to 5% jitter).</summary>
    [Range(5, 24 * 60)]
    public int JwksRefreshMinutes { get; set; } = 60;

    /// <summary>Least time between two fetches of one JWKS: a token with an unknown <c>kid</c> cannot make us fetch more often (IdentityModel's refresh interval: 1 second at least).</summary>
    [Range(1, 3600)]
    public int JwksMinimumRefreshSeconds { get; set; } = 30;

    internal TimeSpan ClockSkew => TimeSpan.FromSeconds(ClockSkewSeconds);

    internal TimeSpan MaxTokenLifetime => TimeSpan.FromSeconds(MaxTokenLifetimeSeconds);

    internal TrustedIssuer? FindIssuer(string? issuer) =>
        issuer is null ? null : Issuers.FirstOrDefault(i => string.Equals(i.Issuer, issuer, StringComparison.Ordinal));
}

/// <summary>Each issuer needs an <c>Issuer</c> and an absolute http(s) <c>JwksUrl</c>; an issuer is listed once. Failures name the key.</summary>
public sealed class CdsHooksSecurityOptionsValidator : IValidateOptions<CdsHooksSecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, CdsHooksSecurityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        for (var i = 0; i < options.Issuers.Count; i++)
        {
            var key = $"{CdsHooksSecurityOptions.Section}:{nameof(CdsHooksSecurityOptions.Issuers)}:{i}";
            var issuer = options.Issuers[i];
            if (string.IsNullOrWhiteSpace(issuer.Issuer))
            {
                errors.Add($"{key}:{nameof(TrustedIssuer.Issuer)} is required.");
            }

            if (string.IsNullOrWhiteSpace(issuer.JwksUrl))
            {
                errors.Add($"{key}:{nameof(TrustedIssuer.JwksUrl)} is required.");
            }
            else if (!Uri.TryCreate(issuer.JwksUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            {
                errors.Add($"{key}:{nameof(TrustedIssuer.JwksUrl)} must be an absolute http(s) URL (was '{issuer.JwksUrl}').");
            }
        }

        var repeated = options.Issuers.Where(i => !string.IsNullOrWhiteSpace(i.Issuer))
            .GroupBy(i => i.Issuer, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => g.Key);
        errors.AddRange(repeated.Select(issuer => $"{CdsHooksSecurityOptions.Section}:{nameof(CdsHooksSecurityOptions.Issuers)} lists '{issuer}' more than once."));

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace NetCds.Service.Security;

/// <summary>Configuration section <c>Api</c>: who may call <c>/fhir</c>, <c>/eligibility</c> and the admin routes.</summary>
public sealed class ApiSecurityOptions
{
    public const string Section = "Api";

    /// <summary>Every API call needs a bearer access token. <c>false</c> is for local demos only (a warning at start).</summary>
    public bool RequireAuth { get; set; } = true;

    /// <summary>The authorization servers whose access tokens (RFC 9068 JWTs) are accepted, each with its JWKS URL.</summary>
    public IList<TrustedIssuer> Issuers { get; } = [];

    /// <summary>Leeway for <c>exp</c> and <c>nbf</c>.</summary>
    [Range(0, 300)]
    public int ClockSkewSeconds { get; set; } = 30;
}

/// <summary>Each issuer needs an <c>Issuer</c> and an absolute http(s) <c>JwksUrl</c>, listed once; failures name the key.</summary>
public sealed class ApiSecurityOptionsValidator : IValidateOptions<ApiSecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiSecurityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        for (var i = 0; i < options.Issuers.Count; i++)
        {
            var key = $"{ApiSecurityOptions.Section}:{nameof(ApiSecurityOptions.Issuers)}:{i}";
            var issuer = options.Issuers[i];
            if (string.IsNullOrWhiteSpace(issuer.Issuer))
            {
                errors.Add($"{key}:{nameof(TrustedIssuer.Issuer)} is required.");
            }

            if (!Uri.TryCreate(issuer.JwksUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp) || url.UserInfo.Length > 0)
            {
                errors.Add($"{key}:{nameof(TrustedIssuer.JwksUrl)} must be an absolute http(s) URL without user-info.");
            }
        }

        if (options.Issuers.GroupBy(i => i.Issuer, StringComparer.Ordinal).Any(g => g.Count() > 1))
        {
            errors.Add($"{ApiSecurityOptions.Section}:{nameof(ApiSecurityOptions.Issuers)} lists an issuer more than once.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

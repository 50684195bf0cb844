using Microsoft.Extensions.Options;

namespace NetCds.Service.Mdt.SmartLaunch;

/// <summary>
/// Configuration section <c>Mdt:SmartLaunch</c>: the MDT view as a SMART on FHIR app (EHR launch). Off while
/// <c>ClientId</c> is empty. The access token the EHR's authorization server issues must be one the API accepts: its
/// issuer listed in <c>Api:Issuers</c> and its audience <c>Service:PublicBaseUrl</c>.
/// </summary>
public sealed class SmartLaunchOptions
{
    public const string Section = "Mdt:SmartLaunch";

    /// <summary>The client id the EHR registered this app under (a public client: PKCE, no secret).</summary>
    public string ClientId { get; set; } = "";

    /// <summary>
    /// The FHIR base URLs (the launch's <c>iss</c>) this app may be launched from, as the EHR sends them (a trailing
    /// slash is ignored). Any other <c>iss</c> is refused before anything is fetched from it.
    /// </summary>
    public IList<string> AllowedIss { get; } = [];

    /// <summary>The scopes asked for: the launch context, the user, and reading the patient's data.</summary>
    public string Scope { get; set; } = "launch openid fhirUser patient/*.read";

    /// <summary>How long the MDT view stays open after a launch (never longer than the access token).</summary>
    public int SessionMinutes { get; set; } = 60;

    /// <summary>True when a client id is configured.</summary>
    internal bool Enabled => !string.IsNullOrWhiteSpace(ClientId);

    /// <summary>The configured <c>iss</c> equal to <paramref name="iss"/>, or null: the value used afterwards is the configured one.</summary>
    public string? Allowed(string? iss) =>
        iss is null ? null : AllowedIss.FirstOrDefault(a => string.Equals(a.TrimEnd('/'), iss.TrimEnd('/'), StringComparison.Ordinal))?.TrimEnd('/');
}

/// <summary>Every allowed <c>iss</c> is an absolute http(s) URL; a launch with a client id needs at least one.</summary>
public sealed class SmartLaunchOptionsValidator : IValidateOptions<SmartLaunchOptions>
{
    public ValidateOptionsResult Validate(string? name, SmartLaunchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.Enabled && options.AllowedIss.Count == 0)
        {
            errors.Add($"{SmartLaunchOptions.Section}:{nameof(SmartLaunchOptions.AllowedIss)} needs at least one FHIR base URL when a ClientId is set.");
        }

        for (var i = 0; i < options.AllowedIss.Count; i++)
        {
            if (!Uri.TryCreate(options.AllowedIss[i], UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)
                || url.UserInfo.Length > 0 || url.Query.Length > 0 || url.Fragment.Length > 0)
            {
                errors.Add($"{SmartLaunchOptions.Section}:{nameof(SmartLaunchOptions.AllowedIss)}:{i} must be an absolute http(s) URL without user-info, query or fragment.");
            }
        }

        if (options.SessionMinutes is < 1 or > 720)
        {
            errors.Add($"{SmartLaunchOptions.Section}:{nameof(SmartLaunchOptions.SessionMinutes)} must be between 1 and 720.");
        }

        if (!options.Scope.Split(' ').Contains("launch", StringComparer.Ordinal))
        {
            errors.Add($"{SmartLaunchOptions.Section}:{nameof(SmartLaunchOptions.Scope)} must include 'launch' (EHR launch).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace NetCds.Service.Mdt.SmartLaunch;

/// <summary>The two endpoints of an EHR's authorization server that an EHR launch needs.</summary>
internal sealed record AuthorizationEndpoints(string AuthorizationEndpoint, string TokenEndpoint);

/// <summary>The parts of a SMART token response the MDT view uses.</summary>
internal sealed record LaunchToken(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string? TokenType,
    [property: JsonPropertyName("scope")] string? Scope,
    [property: JsonPropertyName("patient")] string? Patient);

/// <summary>SMART discovery (<c>.well-known/smart-configuration</c>) and the code-for-token exchange (RFC 6749 §4.1.3 with PKCE).</summary>
internal static class SmartConfiguration
{
    /// <summary>The endpoints published at <paramref name="iss"/>; null when absent, unreadable, not http(s), or without S256 PKCE.</summary>
    public static async Task<AuthorizationEndpoints?> DiscoverAsync(HttpClient http, string iss, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri($"{iss}/.well-known/smart-configuration"), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var root = json.RootElement;
            var authorize = Url(root, "authorization_endpoint");
            var token = Url(root, "token_endpoint");
            if (authorize is null || token is null)
            {
                return null;
            }

            // SMART 2.0 servers must list S256; a server that lists methods without it would not check our challenge.
            if (root.TryGetProperty("code_challenge_methods_supported", out var methods) && methods.ValueKind == JsonValueKind.Array
                && !methods.EnumerateArray().Any(m => m.ValueKind == JsonValueKind.String && m.GetString() == "S256"))
            {
                return null;
            }

            return new AuthorizationEndpoints(authorize, token);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The token response for <paramref name="code"/>, when it carries an access token and a patient; null otherwise.</summary>
    public static async Task<LaunchToken?> ExchangeAsync(HttpClient http, LaunchState launch, string code, string clientId, string redirectUri, CancellationToken cancellationToken)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["client_id"] = clientId,
            ["code_verifier"] = launch.Verifier,
        });
        try
        {
            using var response = await http.PostAsync(new Uri(launch.TokenEndpoint), form, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            var token = await response.Content.ReadFromJsonAsync<LaunchToken>(cancellationToken);
            return token is { AccessToken.Length: > 0, Patient.Length: > 0 }
                && (token.TokenType is null || string.Equals(token.TokenType, "bearer", StringComparison.OrdinalIgnoreCase)) ? token : null;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException or NotSupportedException)
        {
            return null;
        }
    }

    private static string? Url(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        && Uri.TryCreate(value.GetString(), UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp) && url.UserInfo.Length == 0
            ? value.GetString() : null;
}

using System.Text.Json.Serialization;

namespace NetCds.Service.CdsHooks.Prefetch;

/// <summary>
/// The request's <c>fhirAuthorization</c>: a bearer token for the CDS client's FHIR server.
/// <see cref="ToString"/> never shows the token, so the record can be logged or traced by mistake without leaking it.
/// </summary>
public sealed record FhirAuthorization(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType = "Bearer",
    [property: JsonPropertyName("expires_in")] int? ExpiresIn = null,
    [property: JsonPropertyName("scope")] string? Scope = null,
    [property: JsonPropertyName("subject")] string? Subject = null)
{
    public override string ToString() => $"FhirAuthorization {{ TokenType = {TokenType}, AccessToken = ***, ExpiresIn = {ExpiresIn}, Scope = {Scope} }}";
}

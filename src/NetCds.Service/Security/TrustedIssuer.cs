namespace NetCds.Service.Security;

/// <summary>A token issuer (a CDS Client or an authorization server): its <c>iss</c> value, and the JWKS URL its public keys are published at.</summary>
public sealed class TrustedIssuer
{
    public string Issuer { get; set; } = "";

    /// <summary>Kept as written (not a <see cref="Uri"/>): a token's <c>jku</c> header must equal it character for character.</summary>
    public string JwksUrl { get; set; } = "";
}

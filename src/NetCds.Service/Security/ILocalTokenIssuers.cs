using Microsoft.IdentityModel.Tokens;

namespace NetCds.Service.Security;

/// <summary>
/// A token issuer that lives in this process, with its keys in hand (nothing to fetch): trusted besides the configured
/// issuers while its owner says so. The CDS Hooks JWT check asks every registered source; it knows none by name, so no
/// feature's special case sits in the validator (issue 20).
/// </summary>
public interface ILocalTokenIssuers
{
    /// <summary>The issuer <paramref name="issuer"/> with its signing key named <paramref name="kid"/>, when this source trusts it now; null otherwise.</summary>
    LocalIssuer? Find(string issuer, string kid);
}

/// <summary>An in-process issuer: its <c>iss</c> and the keys (usually one, or none when the kid is not its) that may have signed the token.</summary>
public sealed record LocalIssuer(string Issuer, IReadOnlyList<SecurityKey> Keys);

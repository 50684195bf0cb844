namespace NetCds.Service.CdsHooks.Security;

/// <summary>
/// Who called, as proven by a validated CDS Hooks JWT: the issuer (<c>iss</c>, on the allow-list), the client
/// (<c>sub</c>) and the optional <c>tenant</c>. Set as a request feature by <c>RequireCdsHooksJwt</c>.
/// </summary>
public sealed record CdsHooksCaller(string Issuer, string? Subject, string? Tenant);

using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Tokens;
using NetCds.Service.Security;

namespace NetCds.Service.CdsHooks.Security;

/// <summary>
/// The public keys of each configured issuer, one IdentityModel <see cref="ConfigurationManager{T}"/> of a
/// <see cref="JsonWebKeySet"/> per JWKS URL (issue 20: the library's cache replaces a hand-written one). The set is
/// fetched again after <see cref="CdsHooksSecurityOptions.JwksRefreshMinutes"/> (automatic refresh), and when a token
/// names a <c>kid</c> the set lacks (key rollover), but a refresh asked for is honoured at most once per
/// <see cref="CdsHooksSecurityOptions.JwksMinimumRefreshSeconds"/>. A failed fetch keeps the keys held.
/// </summary>
/// <remarks>
/// The refresh schedule is the library's, on the system clock (its clock is not injectable); a token's own lifetime is
/// still judged on the service's <see cref="TimeProvider"/>. Refreshes block the call that asked for them
/// (<c>Switch.Microsoft.IdentityModel.UpdateConfigAsBlocking</c>, set by <see cref="CdsHooksSecurityExtensions"/>), so the
/// first call signed with a rotated key is served, not refused while a background fetch runs.
/// </remarks>
public sealed partial class IssuerKeys(
    IHttpClientFactory httpClients,
    IOptions<CdsHooksSecurityOptions> options,
    ILogger<IssuerKeys> logger)
{
    private readonly ConcurrentDictionary<string, ConfigurationManager<JsonWebKeySet>> managers = new(StringComparer.Ordinal);

    /// <summary>The issuer's published keys named <paramref name="kid"/>; the set is fetched first when none is held, it is old, or it lacks the kid.</summary>
    public async Task<IReadOnlyList<JsonWebKey>> FindAsync(TrustedIssuer issuer, string kid, CancellationToken cancellationToken)
    {
        var manager = managers.GetOrAdd(issuer.JwksUrl, _ => Create(issuer));
        var held = await KeysAsync(manager, cancellationToken);
        var found = Named(held, kid);
        if (found.Count > 0)
        {
            return found;
        }

        // An unknown kid: the issuer may have rolled its keys over. The manager refreshes at most once per RefreshInterval.
        manager.RequestRefresh();
        return Named(await KeysAsync(manager, cancellationToken), kid);
    }

    /// <summary>The automatic and the minimum refresh intervals in force for <paramref name="jwksUrl"/> (null until first used).</summary>
    public (TimeSpan Automatic, TimeSpan Minimum)? RefreshIntervals(string jwksUrl) =>
        managers.TryGetValue(jwksUrl, out var manager) ? (manager.AutomaticRefreshInterval, manager.RefreshInterval) : null;

    private static List<JsonWebKey> Named(JsonWebKeySet? set, string kid) =>
        set is null ? [] : [.. set.Keys.Where(k => string.Equals(k.Kid, kid, StringComparison.Ordinal))];

    private static async Task<JsonWebKeySet?> KeysAsync(ConfigurationManager<JsonWebKeySet> manager, CancellationToken cancellationToken)
    {
        try
        {
            return await manager.GetConfigurationAsync(cancellationToken);
        }
        catch (InvalidOperationException)
        {
            // Nothing was ever fetched (the retriever logged why): no key, so the token is refused, not an error.
            return null;
        }
    }

    private ConfigurationManager<JsonWebKeySet> Create(TrustedIssuer issuer)
    {
        var settings = options.Value;
        return new ConfigurationManager<JsonWebKeySet>(
            issuer.JwksUrl,
            new Retriever(issuer.Issuer, logger),
            new HttpDocumentRetriever(httpClients.CreateClient(CdsHooksSecurityExtensions.JwksClientName)) { RequireHttps = false })
        {
            AutomaticRefreshInterval = TimeSpan.FromMinutes(settings.JwksRefreshMinutes),
            RefreshInterval = TimeSpan.FromSeconds(settings.JwksMinimumRefreshSeconds),
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched the JWKS of CDS Hooks issuer {Issuer}: {KeyCount} keys.")]
    private static partial void LogFetched(ILogger logger, string issuer, int keyCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not fetch the JWKS of CDS Hooks issuer {Issuer} ({Error}); keeping the keys held, if any.")]
    private static partial void LogFetchFailed(ILogger logger, string issuer, string error);

    /// <summary>Reads a JWKS document (not an OpenID discovery document), and says in the log what came of each fetch.</summary>
    private sealed class Retriever(string issuer, ILogger logger) : IConfigurationRetriever<JsonWebKeySet>
    {
        public async Task<JsonWebKeySet> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
        {
            try
            {
                var keys = new JsonWebKeySet(await retriever.GetDocumentAsync(address, cancel));
                LogFetched(logger, issuer, keys.Keys.Count);
                return keys;
            }
            catch (Exception e) when (e is IOException or HttpRequestException or TaskCanceledException or JsonException or ArgumentException or InvalidOperationException)
            {
                LogFetchFailed(logger, issuer, e.GetType().Name);
                throw;
            }
        }
    }
}

using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

using NetCds.Service.Security;

namespace NetCds.Service.CdsHooks.Security;

/// <summary>
/// The public keys of each trusted issuer, one JWKS per configured URL, fetched through the
/// <see cref="CdsHooksSecurityExtensions.JwksClientName"/> HttpClient. A JWKS is fetched again when it is older than
/// <see cref="CdsHooksSecurityOptions.JwksRefreshMinutes"/>, or when a token names a <c>kid</c> it lacks, but never more
/// than once per <see cref="CdsHooksSecurityOptions.JwksMinimumRefreshSeconds"/>. A failed fetch keeps the keys held.
/// </summary>
internal sealed partial class JwksCache(
    IHttpClientFactory httpClients,
    IOptions<CdsHooksSecurityOptions> options,
    TimeProvider clock,
    ILogger<JwksCache> logger)
{
    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);

    /// <summary>The issuer's keys; fetched first if none are held, they are old, or <paramref name="kid"/> is not among them.</summary>
    public async Task<IReadOnlyList<JsonWebKey>> GetKeysAsync(TrustedIssuer issuer, string? kid, CancellationToken cancellationToken)
    {
        var entry = entries.GetOrAdd(issuer.JwksUrl, _ => new Entry());
        var held = entry.Keys;
        if (!NeedsFetch(held, kid))
        {
            return held!.Keys;
        }

        await entry.Gate.WaitAsync(cancellationToken);
        try
        {
            held = entry.Keys;
            var now = clock.GetUtcNow();
            if (NeedsFetch(held, kid) && now - entry.LastAttempt >= TimeSpan.FromSeconds(options.Value.JwksMinimumRefreshSeconds))
            {
                entry.LastAttempt = now;
                var fetched = await FetchAsync(issuer);
                if (fetched is not null)
                {
                    held = entry.Keys = new KeySet(fetched, now);
                }
            }

            return held?.Keys ?? [];
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private bool NeedsFetch(KeySet? held, string? kid) =>
        held is null
        || clock.GetUtcNow() - held.FetchedAt >= TimeSpan.FromMinutes(options.Value.JwksRefreshMinutes)
        || (kid is not null && !held.Keys.Any(k => string.Equals(k.Kid, kid, StringComparison.Ordinal)));

    private async Task<IReadOnlyList<JsonWebKey>?> FetchAsync(TrustedIssuer issuer)
    {
        try
        {
            // Not the caller's cancellation: a client that hangs up must not cost everyone the fetch (the client has its own timeouts).
            var client = httpClients.CreateClient(CdsHooksSecurityExtensions.JwksClientName);
            var json = await client.GetStringAsync(new Uri(issuer.JwksUrl, UriKind.Absolute), CancellationToken.None);
            var keys = new JsonWebKeySet(json).Keys.ToList();
            LogFetched(logger, issuer.Issuer, keys.Count);
            return keys;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or ArgumentException or InvalidOperationException)
        {
            LogFetchFailed(logger, issuer.Issuer, e.GetType().Name);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched the JWKS of CDS Hooks issuer {Issuer}: {KeyCount} keys.")]
    private static partial void LogFetched(ILogger logger, string issuer, int keyCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not fetch the JWKS of CDS Hooks issuer {Issuer} ({Error}); keeping the keys held, if any.")]
    private static partial void LogFetchFailed(ILogger logger, string issuer, string error);

    private sealed record KeySet(IReadOnlyList<JsonWebKey> Keys, DateTimeOffset FetchedAt);

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        private KeySet? keys;

        public KeySet? Keys
        {
            get => Volatile.Read(ref keys);
            set => Volatile.Write(ref keys, value);
        }

        public DateTimeOffset LastAttempt { get; set; } = DateTimeOffset.MinValue;
    }
}

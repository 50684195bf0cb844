using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NetCds.Service.Cards;
using NetCds.Service.CdsHooks.Contracts;
using NetCds.Service.Ops;
using NetCds.Service.Storage;

namespace NetCds.Service.CdsHooks.Feedback;

/// <summary>
/// Stores CDS Hooks feedback checked against what was shown (issue 20): the card must be one this service returned
/// and still remembers, the override reason one the site offers; a repeat (same card, outcome and reason) is stored
/// once and answered 200 like the first (CDS Hooks 2.0 lets a client send feedback again).
/// </summary>
public sealed class FeedbackReceiver(StoreContext store, CardMemory memory, IOptions<OverrideReasonOptions> reasons, TimeProvider clock)
{
    /// <summary>How long feedback waits for the card memory to store cards returned a moment ago.</summary>
    private static readonly TimeSpan FlushWait = TimeSpan.FromSeconds(5);

    /// <summary>Stores what is new in <paramref name="request"/> (already checked for shape); the first problem otherwise, naming the item.</summary>
    public async Task<RequestError?> StoreAsync(string serviceId, FeedbackRequest request, string? client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var items = request.Feedback!;
        var offered = reasons.Value.InForce();
        var chosen = new Coding?[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].OverrideReason?.Reason is not { } reason)
            {
                continue;
            }

            chosen[i] = offered.FirstOrDefault(o => o.Code == reason.Code && (reason.System is null || o.System == reason.System));
            if (chosen[i] is null)
            {
                var named = reason.System is null ? reason.Code : $"{reason.System}|{reason.Code}";
                return new($"feedback[{i}].overrideReason.reason",
                    $"Override reason '{named}' is not one this site offers ({string.Join(", ", offered.Select(o => $"{o.System}|{o.Code}"))}).");
            }
        }

        var uuids = items.Select(f => f.Card!).Distinct(StringComparer.Ordinal).ToList();
        var known = await KnownAsync(uuids, cancellationToken);
        if (known.Count < uuids.Count)
        {
            // A card returned a moment ago may still be in the write queue.
            await memory.FlushAsync(FlushWait, cancellationToken);
            known = await KnownAsync(uuids, cancellationToken);
        }

        for (var i = 0; i < items.Count; i++)
        {
            var card = items[i].Card!;
            if (!known.TryGetValue(card, out var shownBy))
            {
                return new($"feedback[{i}].card", $"Card '{card}' is not one this service returned, or it is older than the card memory's retention.");
            }

            if (shownBy != serviceId)
            {
                return new($"feedback[{i}].card", $"Card '{card}' was returned by service '{shownBy}', not '{serviceId}'.");
            }
        }

        var received = clock.GetUtcNow();
        var rows = items.Select((f, i) => new CdsFeedbackRecord
        {
            ServiceId = serviceId,
            CardUuid = f.Card!,
            Outcome = f.Outcome!,
            AcceptedSuggestions = f.AcceptedSuggestions is { Count: > 0 } s ? string.Join(',', s.Select(x => x.Id)) : null,
            OverrideReasonSystem = chosen[i]?.System,
            OverrideReasonCode = chosen[i]?.Code,
            UserComment = f.OverrideReason?.UserComment,
            OutcomeTimestamp = DateTimeOffset.Parse(f.OutcomeTimestamp!, CultureInfo.InvariantCulture),
            ReceivedAt = received,
            Client = client,
            IdempotencyKey = Key(f.Card!, f.Outcome!, chosen[i]),
        }).DistinctBy(r => r.IdempotencyKey).ToList();

        var stored = await StoreNewAsync(rows, cancellationToken);
        await CountAsync(stored, cancellationToken);
        return null;
    }

    /// <summary>
    /// Inserts the rows not stored yet. A concurrent identical request can win the unique key between the check and
    /// the insert: then the check runs again, and what it stored is not stored twice.
    /// </summary>
    private async Task<List<CdsFeedbackRecord>> StoreNewAsync(List<CdsFeedbackRecord> rows, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var keys = rows.Select(r => r.IdempotencyKey).ToList();
            var existing = (await store.Feedback.AsNoTracking().Where(f => keys.Contains(f.IdempotencyKey)).Select(f => f.IdempotencyKey).ToListAsync(cancellationToken)).ToHashSet();
            var fresh = rows.Where(r => !existing.Contains(r.IdempotencyKey)).ToList();
            if (fresh.Count == 0)
            {
                return fresh;
            }

            store.Feedback.AddRange(fresh);
            try
            {
                await store.SaveChangesAsync(cancellationToken);
                return fresh;
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                store.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>Each remembered card asked about, with the service that returned it.</summary>
    private async Task<Dictionary<string, string>> KnownAsync(List<string> uuids, CancellationToken cancellationToken) =>
        await store.RememberedCards.AsNoTracking().Where(c => uuids.Contains(c.CardUuid)).ToDictionaryAsync(c => c.CardUuid, c => c.ServiceId, cancellationToken);

    /// <summary>netcds_cds_feedback_total, once per therapy the card spoke of.</summary>
    private async Task CountAsync(List<CdsFeedbackRecord> stored, CancellationToken cancellationToken)
    {
        if (stored.Count == 0)
        {
            return;
        }

        var cards = stored.Select(r => r.CardUuid).Distinct().ToList();
        var therapies = (await store.RememberedCards.AsNoTracking().Where(c => cards.Contains(c.CardUuid)).Select(c => new { c.CardUuid, c.Subjects }).ToListAsync(cancellationToken))
            .SelectMany(c => RememberedSubjects.Parse(c.Subjects).Select(s => s.Therapy).Distinct().Select(therapy => (c.CardUuid, Therapy: therapy)))
            .ToLookup(r => r.CardUuid, r => r.Therapy);
        foreach (var row in stored)
        {
            foreach (var therapy in therapies[row.CardUuid])
            {
                NetCdsTelemetry.FeedbackStored(therapy, row.Outcome, row.OverrideReasonCode ?? "none");
            }
        }
    }

    /// <summary>What makes two feedback items the same: card, outcome and override reason (SHA-256, hex).</summary>
    internal static string Key(string card, string outcome, Coding? reason) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{card}\n{outcome}\n{reason?.System}\n{reason?.Code}")));
}

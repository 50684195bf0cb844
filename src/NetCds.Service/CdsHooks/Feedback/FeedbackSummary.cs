using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NetCds.Service.Cards;
using NetCds.Service.Storage;

namespace NetCds.Service.CdsHooks.Feedback;

/// <summary>
/// What clinicians did with the cards (issue 20), over the retention: per therapy and decisive rule id, on how many
/// cards it was shown (the daily tallies still kept: the retention deletes a day's tally once the whole day is past it,
/// so the oldest day can count cards already deleted), on how many remembered cards accepted and overridden, and the
/// override reasons given.
/// </summary>
public sealed record FeedbackSummary(TimeSpan Retention, int CardsRemembered, IReadOnlyList<FeedbackSummaryRow> Rows);

/// <param name="Rule">The decisive rule id; <c>-</c> when no rule set the status.</param>
/// <param name="Accepted">Cards with an accepted outcome.</param>
/// <param name="Overridden">Cards with an overridden outcome.</param>
/// <param name="Reasons">Override reasons given, most frequent first (one count per card and reason).</param>
public sealed record FeedbackSummaryRow(string Therapy, string Rule, long Shown, int Accepted, int Overridden, IReadOnlyList<FeedbackReasonCount> Reasons);

public sealed record FeedbackReasonCount(string Code, string? System, string? Display, int Count);

public sealed class FeedbackSummaryQuery(StoreContext store, CardMemory memory, IOptions<CardMemoryOptions> options, IOptions<OverrideReasonOptions> reasons)
{
    public async Task<FeedbackSummary> ReadAsync(CancellationToken cancellationToken)
    {
        // Cards returned a moment ago count as shown.
        await memory.FlushAsync(TimeSpan.FromSeconds(5), cancellationToken);
        var cards = await store.RememberedCards.CountAsync(cancellationToken);
        var shown = await store.CardShownTallies.GroupBy(t => new { t.Therapy, t.RuleId })
            .Select(g => new { g.Key.Therapy, g.Key.RuleId, Count = g.Sum(t => t.Shown) }).ToListAsync(cancellationToken);

        // Feedback is a clinician's action per card: few rows, spread over the card's therapies and rules here.
        var onCards = await (from f in store.Feedback
                             join c in store.RememberedCards on f.CardUuid equals c.CardUuid
                             select new { f.CardUuid, c.Subjects, f.Outcome, f.OverrideReasonSystem, f.OverrideReasonCode }).Distinct().ToListAsync(cancellationToken);
        var feedback = onCards.SelectMany(f => RememberedSubjects.TherapyRules(RememberedSubjects.Parse(f.Subjects))
            .Select(s => new { s.Therapy, RuleId = s.Rule, f.CardUuid, f.Outcome, f.OverrideReasonSystem, f.OverrideReasonCode })).ToList();
        var byRule = feedback.ToLookup(f => (f.Therapy, f.RuleId));
        var displays = reasons.Value.InForce();
        var rows = shown.OrderBy(s => s.Therapy, StringComparer.Ordinal).ThenBy(s => s.RuleId, StringComparer.Ordinal).Select(s =>
        {
            var given = byRule[(s.Therapy, s.RuleId)].ToList();
            var reasonCounts = given.Where(f => f.Outcome == "overridden" && f.OverrideReasonCode is not null)
                .GroupBy(f => (f.OverrideReasonSystem, Code: f.OverrideReasonCode!))
                .Select(g => new FeedbackReasonCount(g.Key.Code, g.Key.OverrideReasonSystem,
                    displays.FirstOrDefault(d => d.Code == g.Key.Code && d.System == g.Key.OverrideReasonSystem)?.Display, g.Select(f => f.CardUuid).Distinct().Count()))
                .OrderByDescending(c => c.Count).ThenBy(c => c.Code, StringComparer.Ordinal).ToList();
            return new FeedbackSummaryRow(s.Therapy, s.RuleId, s.Count,
                given.Where(f => f.Outcome == "accepted").Select(f => f.CardUuid).Distinct().Count(),
                given.Where(f => f.Outcome == "overridden").Select(f => f.CardUuid).Distinct().Count(),
                reasonCounts);
        }).ToList();
        return new FeedbackSummary(options.Value.CardMemoryRetention, cards, rows);
    }
}

using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NetCds.Service.Cards;
using NetCds.Service.CdsHooks.Feedback;
using NetCds.Service.Storage;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests.CdsHooks;

/// <summary>
/// Issue 20: the card memory writes a batch as multi-row INSERTs (no change tracking of each row). Every card of every
/// queued answer is stored with its values and its therapies, statuses and rules, in batches larger than one
/// statement's rows, and the day's shown tallies are added to (not replaced) by a second batch, on both providers; the
/// stored instants compare in SQL as EF's own writes do (the retention relies on it).
/// </summary>
public sealed class CardMemoryBatchTests
{
    private const int Answers = 400;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private sealed class SqliteFactory : ServiceFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
        }
    }

    [Fact]
    public async Task On_SQLite_a_batch_stores_every_card_and_rule_row()
    {
        // Binding by name costs SQLite the square of a statement's parameters (docs/performance.md, "Card memory"): on
        // SQLite the batch goes out in statements of at most 400.
        using var inserts = StoreCommandLog.Where(c => c.Connection is Microsoft.Data.Sqlite.SqliteConnection
            && c.CommandText.StartsWith("INSERT INTO \"cds_cards\"", StringComparison.Ordinal));
        using var factory = new SqliteFactory();
        await StoresEveryRowAsync(factory);
        inserts.ParameterCounts.Should().HaveCountGreaterThan(2, "1,200 card rows take several statements")
            .And.OnlyContain(parameters => parameters <= 400);
    }

    [Fact]
    public async Task On_PostgreSQL_a_batch_stores_every_card_and_rule_row()
    {
        using var factory = new PostgreSqlServiceFactory();
        await StoresEveryRowAsync(PostgreSqlServiceFactory.SkipUnlessAvailable(factory));
    }

    [Fact]
    public async Task On_PostgreSQL_two_writers_at_once_add_up_in_the_shown_tallies()
    {
        // Two instances remembering cards of the same day add to the same tally rows in the same moment: each batch's
        // upsert adds its count (ON CONFLICT DO UPDATE waits for the other's row), none is lost and none deadlocks.
        using var postgres = new PostgreSqlServiceFactory();
        var factory = PostgreSqlServiceFactory.SkipUnlessAvailable(postgres);
        factory.CreateClient().Dispose();
        var clock = factory.Services.GetRequiredService<TimeProvider>();
        var shownFrom = clock.GetUtcNow();
        var writers = Enumerable.Range(0, 2)
            .Select(_ => ActivatorUtilities.CreateInstance<CardMemory>(factory.Services, Microsoft.Extensions.Options.Options.Create(new CardMemoryOptions { CardMemoryBatchSize = 50 })))
            .ToList();
        try
        {
            foreach (var writer in writers)
            {
                for (var i = 0; i < 300; i++)
                {
                    writer.Remember("net-liver-mets-eligibility", "patient-view", $"twice-{Guid.NewGuid():N}", "twice-patient", [Card(Guid.NewGuid().ToString())]);
                }
            }

            await Task.WhenAll(writers.Select(w => w.StartAsync(Token)));
            (await Task.WhenAll(writers.Select(w => w.FlushAsync(Eventually.Bound, Token)))).Should().AllBeEquivalentTo(true);
            await Task.WhenAll(writers.Select(w => w.StopAsync(Token)));
        }
        finally
        {
            writers.ForEach(w => w.Dispose());
        }

        var days = Enumerable.Range(0, (clock.GetUtcNow().UtcDateTime.Date - shownFrom.UtcDateTime.Date).Days + 1).Select(d => DateOnly.FromDateTime(shownFrom.UtcDateTime.AddDays(d))).ToList();
        await using var scope = factory.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
        (await store.RememberedCards.CountAsync(c => EF.Functions.Like(c.HookInstance, "twice-%"), Token)).Should().Be(600);
        var tallies = await store.CardShownTallies.AsNoTracking().Where(t => days.Contains(t.Day)).GroupBy(t => t.Therapy + " " + t.RuleId)
            .Select(g => new { g.Key, Shown = g.Sum(t => t.Shown) }).ToDictionaryAsync(t => t.Key, t => t.Shown, Token);
        tallies.Should().Equal(new Dictionary<string, long> { ["PRRT R-1"] = 600, ["PRRT R-2"] = 600, [$"TACE {CardMemory.NoRule}"] = 600 });
    }

    private static async Task StoresEveryRowAsync(ServiceFactory factory)
    {
        factory.CreateClient().Dispose();
        var clock = factory.Services.GetRequiredService<TimeProvider>();
        var shownFrom = clock.GetUtcNow();

        // Queued before its writer starts, so the first batch holds 400 answers of three cards each: 1,200 card rows
        // and 2,800 rule rows, more than one statement's rows of each.
        using var memory = ActivatorUtilities.CreateInstance<CardMemory>(factory.Services, Microsoft.Extensions.Options.Options.Create(new CardMemoryOptions { CardMemoryBatchSize = 500 }));
        var instances = Enumerable.Range(0, Answers).Select(i => $"batch-{Guid.NewGuid():N}").ToList();
        var expectedCards = new List<(string Uuid, string HookInstance)>();
        foreach (var instance in instances)
        {
            var cards = Enumerable.Range(0, 3).Select(_ => Card(Guid.NewGuid().ToString())).ToList();
            memory.Remember("net-liver-mets-eligibility", "patient-view", instance, "batch-patient", cards);
            expectedCards.AddRange(cards.Select(c => (c.Uuid!, instance)));

            // A card without a uuid is not remembered; one with a uuid too long for the column neither.
            memory.Remember("net-liver-mets-eligibility", "patient-view", instance, "batch-patient", [Card(null), Card(new string('u', RememberedCard.MaxUuidLength + 1))]);
        }

        await memory.StartAsync(Token);
        (await memory.FlushAsync(Eventually.Bound, Token)).Should().BeTrue("the writer stores its queue");
        await memory.StopAsync(Token);
        var shownTo = clock.GetUtcNow();

        await using var scope = factory.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
        var stored = await store.RememberedCards.AsNoTracking().Where(c => c.ServiceId == "net-liver-mets-eligibility").ToListAsync(Token);
        stored.Select(c => (c.CardUuid, c.HookInstance)).Should().BeEquivalentTo(expectedCards);
        stored.Should().AllSatisfy(c =>
        {
            c.Hook.Should().Be("patient-view");
            c.PatientHash.Should().HaveLength(64).And.NotContain("batch-patient");
            c.ShownAt.Should().BeOnOrAfter(shownFrom.AddMilliseconds(-1)).And.BeOnOrBefore(shownTo.AddMilliseconds(1));
        });
        stored.Select(c => c.PatientHash).Distinct().Should().ContainSingle("one patient");
        stored.Should().AllSatisfy(c => RememberedSubjects.Parse(c.Subjects).Should().BeEquivalentTo(Card("any").About!, o => o.WithStrictOrdering()));

        (await store.RememberedCards.CountAsync(c => c.ShownAt >= shownFrom.AddSeconds(-1) && c.ShownAt < shownTo.AddSeconds(1), Token))
            .Should().Be(expectedCards.Count, "the instants compare in SQL as EF writes them");

        // One more answer in a second batch adds to the day's tallies: 1,201 cards showed each therapy and rule.
        using (var more = ActivatorUtilities.CreateInstance<CardMemory>(factory.Services, Microsoft.Extensions.Options.Options.Create(new CardMemoryOptions())))
        {
            more.Remember("net-liver-mets-eligibility", "patient-view", "batch-last", "batch-patient", [Card(Guid.NewGuid().ToString())]);
            await more.StartAsync(Token);
            (await more.FlushAsync(Eventually.Bound, Token)).Should().BeTrue();
            await more.StopAsync(Token);
        }

        var lastShown = clock.GetUtcNow();
        var days = Enumerable.Range(0, (lastShown.UtcDateTime.Date - shownFrom.UtcDateTime.Date).Days + 1).Select(d => DateOnly.FromDateTime(shownFrom.UtcDateTime.AddDays(d))).ToList();
        var tallies = await store.CardShownTallies.AsNoTracking().Where(t => days.Contains(t.Day)).GroupBy(t => t.Therapy + " " + t.RuleId)
            .Select(g => new { g.Key, Shown = g.Sum(t => t.Shown) }).ToDictionaryAsync(t => t.Key, t => t.Shown, Token);
        tallies.Should().Equal(new Dictionary<string, long> { ["PRRT R-1"] = 1201, ["PRRT R-2"] = 1201, [$"TACE {CardMemory.NoRule}"] = 1201 });
    }

    private static Card Card(string? uuid) => new()
    {
        Uuid = uuid,
        Summary = "A card",
        Indicator = "info",
        Source = new CardSource("NetCds"),
        About = [new CardSubject("PRRT", "eligible", ["R-1", "R-2"]), new CardSubject("TACE", "contraindicated", [])],
    };
}

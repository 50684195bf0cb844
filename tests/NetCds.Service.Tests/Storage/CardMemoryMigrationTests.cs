using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using NetCds.Service.Cards;
using NetCds.Service.CdsHooks.Feedback;
using NetCds.Service.Storage;
using NetCds.Service.Tests.Support;
using Npgsql;

namespace NetCds.Service.Tests.Storage;

/// <summary>
/// Issue 20: the migration to one JSON column of subjects per remembered card and daily shown tallies carries the rows
/// of the former <c>cds_card_rules</c> over (and back, migrating down), on both providers.
/// </summary>
public sealed class CardMemoryMigrationTests
{
    private const string Migration = "CardMemorySubjects";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Two cards either side of a UTC midnight, and one that named nothing.</summary>
    private static readonly (string Uuid, DateTimeOffset ShownAt, (string Therapy, string Status, string Rule)[] Rules)[] OldCards =
    [
        ("card-a", new DateTimeOffset(2026, 11, 20, 23, 59, 59, TimeSpan.Zero), [("PRRT", "eligible", "R-2"), ("PRRT", "eligible", "R-1"), ("TACE", "contraindicated", CardMemory.NoRule)]),
        ("card-b", new DateTimeOffset(2026, 11, 21, 0, 0, 1, TimeSpan.Zero), [("PRRT", "eligible", "R-1")]),
        ("card-c", new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero), []),
    ];

    [Fact]
    public async Task On_SQLite_the_rule_rows_become_each_card_s_subjects_and_the_daily_tallies()
    {
        var directory = Directory.CreateTempSubdirectory("netcds-migration-");
        try
        {
            var options = new DbContextOptionsBuilder<SqliteStoreContext>().UseSqlite($"Data Source={Path.Combine(directory.FullName, "store.db")};Pooling=False").Options;
            await using var store = new SqliteStoreContext(options);
            var converter = new DateTimeOffsetToBinaryConverter();
            await CarriesOverAsync(store, shownAt => converter.ConvertToProvider(shownAt)!);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task On_PostgreSQL_the_rule_rows_become_each_card_s_subjects_and_the_daily_tallies()
    {
        var admin = Environment.GetEnvironmentVariable("NETCDS_TEST_POSTGRES");
        Assert.SkipWhen(string.IsNullOrEmpty(admin), "NETCDS_TEST_POSTGRES is not set: run ./test.sh, which starts PostgreSQL (deploy/local/postgres.sh)");
        var database = await TestDatabases.CreateAsync(admin!, "netcds_test");
        try
        {
            var options = new DbContextOptionsBuilder<PostgreSqlStoreContext>().UseNpgsql(new NpgsqlConnectionStringBuilder(admin) { Database = database, Pooling = false }.ConnectionString).Options;
            await using var store = new PostgreSqlStoreContext(options);
            await CarriesOverAsync(store, shownAt => shownAt);
        }
        finally
        {
            await TestDatabases.DropAsync(admin!, database);
        }
    }

    private static async Task CarriesOverAsync(StoreContext store, Func<DateTimeOffset, object> shownAtValue)
    {
        var migrations = store.Database.GetMigrations().ToList();
        var index = migrations.FindIndex(m => m.EndsWith("_" + Migration, StringComparison.Ordinal));
        index.Should().BePositive("the migration exists for this provider");
        var before = migrations[index - 1];
        var migrator = store.GetService<IMigrator>();
        await migrator.MigrateAsync(before, Token);

        // The former shape, written as the former writer did.
        foreach (var (uuid, shownAt, rules) in OldCards)
        {
            await store.Database.ExecuteSqlRawAsync(
                """INSERT INTO "cds_cards" ("CardUuid", "ServiceId", "Hook", "HookInstance", "PatientHash", "ShownAt") VALUES ({0}, 'net-liver-mets-eligibility', 'patient-view', {1}, 'hash', {2})""",
                [uuid, "instance-" + uuid, shownAtValue(shownAt)],
                Token);
            foreach (var (therapy, status, rule) in rules)
            {
                await store.Database.ExecuteSqlRawAsync(
                    """INSERT INTO "cds_card_rules" ("CardUuid", "Therapy", "Status", "RuleId") VALUES ({0}, {1}, {2}, {3})""", [uuid, therapy, status, rule], Token);
            }
        }

        await migrator.MigrateAsync(null, Token);

        var cards = await store.RememberedCards.AsNoTracking().OrderBy(c => c.CardUuid).ToListAsync(Token);
        cards.Select(c => (c.CardUuid, c.HookInstance, c.ShownAt)).Should().Equal(OldCards.Select(c => (c.Uuid, "instance-" + c.Uuid, c.ShownAt)), "the cards themselves are kept");
        var subjects = cards.ToDictionary(c => c.CardUuid, c => RememberedSubjects.Parse(c.Subjects));
        subjects["card-a"].Should().BeEquivalentTo(new[] { new CardSubject("PRRT", "eligible", ["R-1", "R-2"]), new CardSubject("TACE", "contraindicated", []) });
        subjects["card-b"].Should().BeEquivalentTo(new[] { new CardSubject("PRRT", "eligible", ["R-1"]) });
        subjects["card-c"].Should().BeEmpty("a card that named no therapy keeps an empty list");

        var tallies = await store.CardShownTallies.AsNoTracking().ToListAsync(Token);
        tallies.Select(t => (t.Day, t.Therapy, t.RuleId, t.Shown)).Should().BeEquivalentTo(new[]
        {
            (new DateOnly(2026, 11, 20), "PRRT", "R-1", 1L),
            (new DateOnly(2026, 11, 20), "PRRT", "R-2", 1L),
            (new DateOnly(2026, 11, 20), "TACE", CardMemory.NoRule, 1L),
            (new DateOnly(2026, 11, 21), "PRRT", "R-1", 1L),
        }, "each card counts on its own UTC day");

        // Down again: the rule rows come back from the subjects.
        await migrator.MigrateAsync(before, Token);
        var rows = await store.Database.SqlQueryRaw<string>("""SELECT "CardUuid" || ' ' || "Therapy" || ' ' || "Status" || ' ' || "RuleId" AS "Value" FROM "cds_card_rules" """).ToListAsync(Token);
        rows.Should().BeEquivalentTo(OldCards.SelectMany(c => c.Rules.Select(r => $"{c.Uuid} {r.Therapy} {r.Status} {r.Rule}")));
    }
}

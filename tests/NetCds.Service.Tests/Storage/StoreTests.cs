using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetCds.Service.Storage;
using NetCds.Service.Tests.CdsHooks;
using NetCds.Service.Tests.CdsHooks.Support;
using NetCds.Service.Tests.Support;
using Npgsql;

namespace NetCds.Service.Tests.Storage;

/// <summary>The same store code on both providers: SQLite (embedded default) and a real PostgreSQL server.</summary>
public sealed class StoreTests
{
    private static JsonObject Feedback(string card) => new()
    {
        ["feedback"] = new JsonArray(new JsonObject
        {
            ["card"] = card,
            ["outcome"] = "overridden",
            ["overrideReason"] = new JsonObject { ["reason"] = new JsonObject { ["code"] = "patient-preference", ["system"] = "http://netcds.org/fhir/CodeSystem/override-reasons" } },
            ["outcomeTimestamp"] = "2026-11-20T11:00:00Z",
        }),
    };

    private static async Task<List<CdsFeedbackRecord>> RoundTripAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> service)
    {
        // A card the service returned (remembered in cds_cards by the card memory's writer), then feedback on it.
        using var client = service.CreateApiClient();
        var seed = HookCalls.Seed("19-minimal-data-referral");
        var order = new JsonObject { ["draftOrders"] = HookCalls.DraftOrders("ServiceRequest", "http://netcds.org/fhir/CodeSystem/net-findings", "tace"), ["selections"] = new JsonArray("ServiceRequest/draft-1") };
        var (shown, cards) = await HookCalls.PostAsync(client, "/cds-services/net-order-check", HookCalls.Call("order-select", HookCalls.PatientIdOf(seed), HookCalls.PrefetchFrom(seed), order));
        shown.StatusCode.Should().Be(HttpStatusCode.OK);
        var card = cards.GetProperty("cards")[0].GetProperty("uuid").GetString()!;
        var (response, _) = await HookCalls.PostAsync(client, "/cds-services/net-order-check/feedback", Feedback(card));
        response.StatusCode.Should().Be(HttpStatusCode.OK);

        // The summary's queries on this provider: the card is counted as shown and overridden, with its reason.
        using var admin = service.CreateApiClient("netcds.admin");
        var summary = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync(new Uri("/admin/feedback", UriKind.Relative), TestContext.Current.CancellationToken)).RootElement;
        summary.GetProperty("rows").EnumerateArray().Should().NotBeEmpty().And.AllSatisfy(row =>
        {
            (row.GetProperty("shown").GetInt32(), row.GetProperty("overridden").GetInt32(), row.GetProperty("accepted").GetInt32()).Should().Be((1, 1, 0));
            row.GetProperty("reasons")[0].GetProperty("code").GetString().Should().Be("patient-preference");
        });

        await using var scope = service.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StoreContext>().Feedback.Where(f => f.CardUuid == card).ToListAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Feedback_is_stored_in_the_embedded_SQLite_store()
    {
        using var service = new OpenCdsFactory();

        var stored = await RoundTripAsync(service);

        stored.Should().ContainSingle().Which.OverrideReasonCode.Should().Be("patient-preference");
        await using var scope = service.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<StoreContext>().Should().BeOfType<SqliteStoreContext>();
    }

    [Fact]
    public async Task Feedback_is_stored_in_PostgreSQL_after_migrations()
    {
        var admin = Environment.GetEnvironmentVariable("NETCDS_TEST_POSTGRES");
        Assert.SkipWhen(string.IsNullOrEmpty(admin), "NETCDS_TEST_POSTGRES is not set: run ./test.sh, which starts PostgreSQL (deploy/local/postgres.sh)");
        var database = await TestDatabases.CreateAsync(admin!, "netcds_test");

        try
        {
            var store = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;
            using var factory = new OpenCdsFactory();
            using var service = factory.WithWebHostBuilder(b => b.UseSetting("Storage:Provider", "PostgreSql").UseSetting("ConnectionStrings:Store", store));

            var stored = await RoundTripAsync(service);

            stored.Should().ContainSingle().Which.Should().Match<CdsFeedbackRecord>(f => f.Outcome == "overridden" && f.ServiceId == "net-order-check");
            await using var scope = service.Services.CreateAsyncScope();
            var context = scope.ServiceProvider.GetRequiredService<StoreContext>();
            context.Should().BeOfType<PostgreSqlStoreContext>();
            (await context.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken)).Should().BeEmpty();
        }
        finally
        {
            await TestDatabases.DropAsync(admin, database);
        }
    }

    [Fact]
    public async Task A_first_start_on_an_empty_PostgreSQL_database_logs_no_error()
    {
        var admin = Environment.GetEnvironmentVariable("NETCDS_TEST_POSTGRES");
        Assert.SkipWhen(string.IsNullOrEmpty(admin), "NETCDS_TEST_POSTGRES is not set: run ./test.sh, which starts PostgreSQL (deploy/local/postgres.sh)");
        var database = await TestDatabases.CreateAsync(admin!, "netcds_test");

        try
        {
            var store = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;

            // The first start migrates an empty database; the second finds every migration applied.
            foreach (var start in new[] { "first", "second" })
            {
                using var capture = new LogCapture();
                using var factory = new OpenCdsFactory();
                using var service = factory.WithWebHostBuilder(b => b
                    .UseSetting("Storage:Provider", "PostgreSql").UseSetting("ConnectionStrings:Store", store)
                    .ConfigureServices(s => s.AddLogging(l => l.AddProvider(capture))));
                using var client = service.CreateApiClient();
                using var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);

                ready.StatusCode.Should().Be(HttpStatusCode.OK);
                await using (var scope = service.Services.CreateAsyncScope())
                {
                    var context = scope.ServiceProvider.GetRequiredService<StoreContext>();
                    (await context.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken)).Should().BeEmpty("the {0} start brought the schema up to date", start);
                }

                var errors = capture.Entries.Where(e => e.Level is LogLevel.Error or LogLevel.Critical).Select(e => $"{e.Category}: {e.Text}").ToList();
                errors.Should().BeEmpty(
                    "no start on PostgreSQL logs a false Error (npgsql/efcore.pg#3407: the migration history was read before the table existed); the {0} start logged: {1}",
                    start,
                    string.Join(" / ", errors));
            }
        }
        finally
        {
            await TestDatabases.DropAsync(admin, database);
        }
    }

    [Fact]
    public async Task A_first_start_on_a_new_SQLite_store_logs_no_warning_from_the_migrations()
    {
        // EF rebuilds a SQLite table to drop a column, outside the migration's transaction, and warns about it on every
        // new store: OutboxClaimTokenDropped lets SQLite drop the column itself instead.
        using var capture = new LogCapture();
        using var factory = new OpenCdsFactory();
        using var service = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddLogging(l => l.AddProvider(capture))));
        using var client = service.CreateApiClient();
        using var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);

        ready.StatusCode.Should().Be(HttpStatusCode.OK);
        await using (var scope = service.Services.CreateAsyncScope())
        {
            (await scope.ServiceProvider.GetRequiredService<StoreContext>().Database.GetAppliedMigrationsAsync(TestContext.Current.CancellationToken))
                .Should().Contain(m => m.EndsWith("_OutboxClaimTokenDropped", StringComparison.Ordinal), "the new store was migrated");
        }

        capture.Entries.Where(e => e.Level >= LogLevel.Warning && e.Category.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal))
            .Select(e => e.Text).Should().BeEmpty();
    }

    [Fact]
    public void PostgreSQL_without_a_connection_string_fails_loudly_rather_than_falling_back()
    {
        using var factory = new OpenCdsFactory();
        using var service = factory.WithWebHostBuilder(b => b.UseSetting("Storage:Provider", "PostgreSql").UseSetting("ConnectionStrings:Store", ""));

        var start = () => service.CreateApiClient();

        start.Should().Throw<InvalidOperationException>().WithMessage("*ConnectionStrings:Store*");
    }
}

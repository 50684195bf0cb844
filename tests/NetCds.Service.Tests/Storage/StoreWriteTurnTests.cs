using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NetCds.Service.Records;
using NetCds.Service.Storage;
using NetCds.Service.Tests.Pipeline;
using NetCds.Service.Tests.Support;
using static NetCds.Service.Tests.Pipeline.PipelineSupport;

namespace NetCds.Service.Tests.Storage;

/// <summary>
/// Issue 19, the embedded Bundle drain: on SQLite the writers that matter take turns in arrival order
/// (<see cref="StoreWriteTurn"/>), so a recompute's report write goes before ingestion transactions that arrive after
/// it, instead of polling SQLite's lock while back-to-back ingestion transactions take it each time it frees.
/// PostgreSQL takes no turn.
/// </summary>
public sealed class StoreWriteTurnTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static SqliteStoreContext Sqlite() => new(new DbContextOptionsBuilder<SqliteStoreContext>().UseSqlite("Data Source=:memory:").Options);

    private static PostgreSqlStoreContext PostgreSql() => new(new DbContextOptionsBuilder<PostgreSqlStoreContext>().UseNpgsql("Host=127.0.0.1;Database=netcds_unused").Options);

    [Fact]
    public async Task The_turn_names_its_holder_until_it_ends()
    {
        var turns = new StoreWriteTurn();
        await using var store = Sqlite();
        turns.Holder.Should().BeNull();
        using (await turns.EnterAsync(store, Token))
        {
            turns.Holder.Should().Be($"{nameof(The_turn_names_its_holder_until_it_ends)} (StoreWriteTurnTests.cs)");
        }

        turns.Holder.Should().BeNull("the turn ended");
    }

    [Fact]
    public async Task A_turn_ended_after_its_container_was_disposed_still_passes_to_the_next_writer()
    {
        // As a test host's container is disposed while its bus still runs a recompute holding the turn: before, the
        // disposed semaphore made the release throw and the waiting writer waited for ever (a hung test run).
        var services = new ServiceCollection().AddSingleton<StoreWriteTurn>().BuildServiceProvider();
        var turns = services.GetRequiredService<StoreWriteTurn>();
        await using var store = Sqlite();
        var held = await turns.EnterAsync(store, Token);
        var next = turns.EnterAsync(store, Token).AsTask();
        await Eventually.UntilAsync(() => turns.Waiting == 1, "the next writer to wait for its turn");

        await services.DisposeAsync();
        held.Dispose();

        (await next.WaitAsync(Eventually.Bound, Token)).Dispose();
        turns.Holder.Should().BeNull("the next writer had its turn and ended it");
    }

    [Fact]
    public async Task Turns_on_SQLite_are_taken_in_arrival_order()
    {
        var turns = new StoreWriteTurn();
        await using var store = Sqlite();
        var order = new List<string>();
        var held = await turns.EnterAsync(store, Token);
        var waiting = new List<Task>();
        foreach (var writer in new[] { "report", "ingestion 1", "outbox", "ingestion 2" })
        {
            waiting.Add(TakeAsync(writer));
            await Eventually.UntilAsync(() => turns.Waiting == waiting.Count, $"{writer} to wait for its turn");
        }

        order.Should().BeEmpty("the first turn is still held");
        held.Dispose();
        await Task.WhenAll(waiting);

        order.Should().Equal("report", "ingestion 1", "outbox", "ingestion 2");
        turns.Waiting.Should().Be(0);

        async Task TakeAsync(string writer)
        {
            using (await turns.EnterAsync(store, Token))
            {
                lock (order)
                {
                    order.Add(writer);
                }

                // Handing the turn on from another thread must not let a later writer overtake an earlier one.
                await Task.Yield();
            }
        }
    }

    [Fact]
    public async Task PostgreSQL_takes_no_turn()
    {
        var turns = new StoreWriteTurn();
        await using var sqlite = Sqlite();
        await using var postgres = PostgreSql();
        var held = await turns.EnterAsync(sqlite, Token);

        var entering = turns.EnterAsync(postgres, Token).AsTask();

        entering.IsCompleted.Should().BeTrue("PostgreSQL has row locks, not a single writer: nobody waits for an embedded store's turn there");
        turns.Waiting.Should().Be(0);
        (await entering).Dispose();
        var another = turns.EnterAsync(sqlite, Token).AsTask();
        another.IsCompleted.Should().BeFalse("ending a PostgreSQL turn releases nothing: the SQLite turn is still held");
        held.Dispose();
        (await another).Dispose();
    }

    [Fact]
    public async Task A_report_write_goes_before_ingestion_that_arrives_after_it()
    {
        var probe = new HoldingProbe();
        using var factory = new ServiceFactory();
        using var service = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<RecomputeProbe>(probe)));
        using var client = service.CreateApiClient();
        var turns = service.Services.GetRequiredService<StoreWriteTurn>();
        var (seed, p) = UniqueSeed("02-pancreatic-net-g2-progressive");
        var (_, q) = UniqueSeed("10-ileal-net-g2-bilirubin-3-5");

        // P's first recompute stops after reading and evaluating the record, before its report write.
        probe.Arm($"Patient/{p}");
        (await PostAsync(client, "/fhir", seed)).Status.Should().Be(HttpStatusCode.OK);
        await probe.Reached.WaitAsync(Eventually.Bound, Token);
        await Eventually.UntilAsync(() => QueryAsync(service.Services, s => s.Outbox.AllAsync(m => m.DispatchedAt != null, Token)), "the outbox to be dispatched (its writes done)");

        // An ingestion transaction in progress holds the turn; the report write arrives and waits for it.
        var ingesting = await EnterAsync(service.Services, turns);
        probe.Release();
        await Eventually.UntilAsync(() => turns.Waiting == 1, "the report write to wait for its turn");
        (await ReportRowAsync(service.Services, p)).Should().BeFalse("the report write waits for the turn");

        // Then ingestion writes back to back: four requests, each to be committed in a transaction of its own or grouped.
        var posts = Enumerable.Range(0, 4)
            .Select(i => PostAsync(client, "/fhir/Observation", Bilirubin($"{q}-b{i}", q, 2 + i, TestClock.Now.AddHours(-i)).ToJsonString()))
            .ToList();
        await Eventually.UntilAsync(() => turns.Waiting == 2, "the next ingestion transaction to wait for its turn behind the report write");

        ingesting.Dispose();
        var first = await await Task.WhenAny(posts);

        first.Status.Should().Be(HttpStatusCode.Created);
        (await ReportRowAsync(service.Services, p)).Should().BeTrue("the report write arrived before that ingestion transaction, so it was written first");
        (await Task.WhenAll(posts)).Should().AllSatisfy(r => r.Status.Should().Be(HttpStatusCode.Created));
        await ReportAsync(client, p);
    }

    /// <summary>The embedded store's turn, as an ingestion transaction holds it.</summary>
    private static async Task<StoreWriteTurn.Turn> EnterAsync(IServiceProvider services, StoreWriteTurn turns)
    {
        await using var scope = services.CreateAsyncScope();
        return await turns.EnterAsync(scope.ServiceProvider.GetRequiredService<StoreContext>(), Token);
    }

    private static Task<bool> ReportRowAsync(IServiceProvider services, string patientId) =>
        QueryAsync(services, s => s.Reports.AsNoTracking().AnyAsync(r => r.Patient == $"Patient/{patientId}", Token));
}

using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NetCds.Service.Outbox;
using NetCds.Service.Storage;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests.Ops;

/// <summary>Dispatched outbox rows past Messaging:OutboxRetention are deleted, in batches; nothing else is.</summary>
public sealed class OutboxRetentionTests
{
    private sealed class RetentionFactory : ServiceFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Messaging:OutboxRetention", "1.00:00:00");
            builder.UseSetting("Messaging:OutboxRetentionBatchSize", "2");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
        }
    }

    [Fact]
    public async Task Dispatched_rows_older_than_the_retention_are_deleted_in_batches_and_pending_or_recent_rows_are_kept()
    {
        using var factory = new RetentionFactory();
        using var client = factory.CreateClient();
        var now = TestClock.Now;
        var expired = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToList();
        var kept = new List<Guid>();
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
            OutboxMessage Row(Guid id, DateTimeOffset created, DateTimeOffset? dispatched) =>
                new() { Id = id, MessageType = "Test", Payload = "{}", CreatedAt = created, DispatchedAt = dispatched, ClaimedUntil = now.AddYears(1) };
            store.Outbox.AddRange(expired.Select(id => Row(id, now.AddDays(-3), now.AddDays(-2))));
            var pendingOld = Guid.NewGuid();
            var recent = Guid.NewGuid();
            kept.AddRange([pendingOld, recent]);
            store.Outbox.Add(Row(pendingOld, now.AddDays(-3), null));
            store.Outbox.Add(Row(recent, now.AddHours(-2), now.AddHours(-1)));
            await store.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var deleted = await factory.Services.GetRequiredService<OutboxRetention>().DeleteExpiredAsync(TestContext.Current.CancellationToken);

        deleted.Should().Be(5, "five dispatched rows are two days old, in three batches of at most two");
        await using var check = factory.Services.CreateAsyncScope();
        var left = await check.ServiceProvider.GetRequiredService<StoreContext>().Outbox.AsNoTracking().Select(m => m.Id).ToListAsync(TestContext.Current.CancellationToken);
        left.Should().Contain(kept).And.NotContain(expired);
    }
}

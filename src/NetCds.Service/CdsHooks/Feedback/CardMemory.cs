using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using NetCds.Service.Cards;
using NetCds.Service.Ops;
using NetCds.Service.Storage;

namespace NetCds.Service.CdsHooks.Feedback;

/// <summary>The cards of one hook answer, as they are queued for the store (the patient id is hashed by the writer).</summary>
public sealed record ShownCards(string ServiceId, string Hook, string HookInstance, string PatientId, DateTimeOffset ShownAt, IReadOnlyList<Card> Cards);

/// <summary>
/// Remembers every card a CDS service returns (issue 20) without slowing the call: the answer is queued in a bounded
/// in-process channel and a background writer stores the queue in batches: a row per card (<c>cds_cards</c>, its
/// therapies, statuses and rules as one JSON column) and the day's shown counts per therapy and rule
/// (<c>cds_card_tallies</c>), added to once per batch.
/// When the queue is full (the store is down or far behind) the call is not held up: that answer's cards are not
/// remembered, counted in <c>netcds_cds_card_memory_dropped_total</c> and logged (feedback on them is later refused as
/// unknown). On shutdown the queue is written out before the host stops.
/// </summary>
public sealed partial class CardMemory(IServiceScopeFactory scopes, PatientHasher hasher, StoreWriteTurn writeTurn, IOptions<CardMemoryOptions> options, TimeProvider clock, ILogger<CardMemory> logger)
    : BackgroundService
{
    /// <summary>The rule id stored when no rule decided the status (e.g. an eligible therapy with no finding of its own).</summary>
    public const string NoRule = "-";

    /// <summary>
    /// Parameters per INSERT statement on PostgreSQL: 6,000 at most, well within its 65,535 (Npgsql sends them by
    /// position, so a long statement costs no more per row).
    /// </summary>
    private const int PostgreSqlParameters = 6000;

    /// <summary>
    /// Parameters per INSERT statement on SQLite. Microsoft.Data.Sqlite binds each parameter by name, and SQLite finds a
    /// name by walking the statement's list of names, so binding a statement costs the square of its parameters: a
    /// batch of 500 patient-view answers (13,000 rule rows) took 650-730 ms of CPU at 4,000 parameters a statement and
    /// 100-120 ms at 200-400 (docs/performance.md, "Card memory"). Well within SQLite's limit of 32,766.
    /// </summary>
    private const int SqliteParameters = 400;

    private static readonly string[] CardColumns =
        [nameof(RememberedCard.CardUuid), nameof(RememberedCard.ServiceId), nameof(RememberedCard.Hook), nameof(RememberedCard.HookInstance), nameof(RememberedCard.PatientHash), nameof(RememberedCard.ShownAt), nameof(RememberedCard.Subjects)];

    private static readonly string[] TallyColumns =
        [nameof(CardShownTally.Day), nameof(CardShownTally.Therapy), nameof(CardShownTally.RuleId), nameof(CardShownTally.Shown)];

    private readonly Channel<ShownCards> _queue = Channel.CreateBounded<ShownCards>(new BoundedChannelOptions(options.Value.CardMemoryQueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private long _queued;

    private long _done;

    private TaskCompletionSource _batchDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Queues the cards of one answer; never waits. Cards with no uuid are not remembered (ours always have one).</summary>
    public void Remember(string serviceId, string hook, string hookInstance, string patientId, IReadOnlyList<Card> cards)
    {
        ArgumentNullException.ThrowIfNull(cards);
        if (cards.Count == 0)
        {
            return;
        }

        foreach (var subject in cards.SelectMany(c => c.About ?? []))
        {
            NetCdsTelemetry.CardShown(subject.Therapy, subject.Status);
        }

        if (_queue.Writer.TryWrite(new ShownCards(serviceId, hook, hookInstance, patientId, clock.GetUtcNow(), cards)))
        {
            Interlocked.Increment(ref _queued);
            return;
        }

        NetCdsTelemetry.CardMemoryDropped(cards.Count);
        LogDropped(logger, cards.Count, serviceId);
    }

    /// <summary>
    /// Waits until every answer queued before the call is stored (or its write failed), at most <paramref name="timeout"/>:
    /// feedback on a card returned a moment ago finds it. False when the time ran out.
    /// </summary>
    public async Task<bool> FlushAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _queued);
        var deadline = clock.GetUtcNow() + timeout;
        while (true)
        {
            var signal = Volatile.Read(ref _batchDone);
            if (Interlocked.Read(ref _done) >= target)
            {
                return true;
            }

            var left = deadline - clock.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            try
            {
                await signal.Task.WaitAsync(left, clock, cancellationToken);
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Completing the queue lets the writer store what is left and end; the host's shutdown timeout bounds it.
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        var batch = new List<ShownCards>(options.Value.CardMemoryBatchSize);
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < options.Value.CardMemoryBatchSize && reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            await WriteAsync(batch);
            Interlocked.Add(ref _done, batch.Count);
            batch.Clear();
            Interlocked.Exchange(ref _batchDone, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    /// <summary>One transaction per batch; a failed batch is tried once more, then counted as lost (never a crash of the loop).</summary>
    private async Task WriteAsync(List<ShownCards> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
                var cards = new List<object?[]>();
                var shown = new Dictionary<(DateOnly Day, string Therapy, string Rule), long>();
                foreach (var answer in batch)
                {
                    var patient = await hasher.HashAsync(answer.PatientId, CancellationToken.None);
                    var day = DateOnly.FromDateTime(answer.ShownAt.UtcDateTime);
                    foreach (var card in answer.Cards.Where(c => !string.IsNullOrEmpty(c.Uuid) && c.Uuid.Length <= RememberedCard.MaxUuidLength))
                    {
                        cards.Add([card.Uuid, answer.ServiceId, answer.Hook, answer.HookInstance, patient, answer.ShownAt, RememberedSubjects.ToJson(card.About)]);
                        foreach (var (therapy, rule) in RememberedSubjects.TherapyRules(card.About))
                        {
                            shown[(day, therapy, rule)] = shown.GetValueOrDefault((day, therapy, rule)) + 1;
                        }
                    }
                }

                // In key order, so two instances adding to the same days lock their rows in the same order.
                var tallies = shown.OrderBy(t => t.Key.Day).ThenBy(t => t.Key.Therapy, StringComparer.Ordinal).ThenBy(t => t.Key.Rule, StringComparer.Ordinal)
                    .Select(t => new object?[] { t.Key.Day, t.Key.Therapy, t.Key.Rule, t.Value }).ToList();

                // The batch's one transaction takes the embedded store's writer turn (StoreWriteTurn), so a call's jti
                // upsert queued behind it is handed the writer at once rather than polling SQLite's lock (issue 20).
                using (await writeTurn.EnterAsync(store, CancellationToken.None))
                {
                    await using var transaction = await store.Database.BeginTransactionAsync(CancellationToken.None);
                    await InsertAsync(store, typeof(RememberedCard), CardColumns, cards);
                    await InsertAsync(store, typeof(CardShownTally), TallyColumns, tallies, addTo: nameof(CardShownTally.Shown));
                    await transaction.CommitAsync(CancellationToken.None);
                }

                return;
            }
            catch (Exception failure) when (attempt < 2 && failure is not OutOfMemoryException)
            {
                LogRetry(logger, failure.GetType().Name);
            }
            catch (Exception failure) when (failure is not OutOfMemoryException)
            {
                var lost = batch.Sum(a => a.Cards.Count);
                NetCdsTelemetry.CardMemoryDropped(lost);
                LogLost(logger, lost, failure.GetType().Name);
                return;
            }
        }
    }

    /// <summary>
    /// The rows as multi-row INSERTs (issue 20: tracking every card row in EF's change tracker cost 8 % of a hook call's
    /// CPU), each binding at most <see cref="SqliteParameters"/> or <see cref="PostgreSqlParameters"/> parameters.
    /// With <paramref name="addTo"/>, a row whose key is stored already adds its value of that column to the stored one
    /// (<c>ON CONFLICT ... DO UPDATE</c>, in both SQLite and PostgreSQL). Table, column names and value conversions
    /// (SQLite keeps a DateTimeOffset as UTC ticks) come from the model, as EF's own INSERT would have them.
    /// </summary>
    private static async Task InsertAsync(StoreContext store, Type entity, string[] properties, List<object?[]> rows, string? addTo = null)
    {
        var type = store.Model.FindEntityType(entity)!;
        var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        var sql = store.GetService<ISqlGenerationHelper>();
        var mapped = properties.Select(p => type.FindProperty(p)!).ToArray();
        var converters = mapped.Select(p => p.GetTypeMapping().Converter).ToArray();
        var rowsPerStatement = (store is PostgreSqlStoreContext ? PostgreSqlParameters : SqliteParameters) / properties.Length;
        string Column(IProperty property) => sql.DelimitIdentifier(property.GetColumnName(table)!);
        var head = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} AS stored ({string.Join(", ", mapped.Select(Column))}) VALUES ";
        var tail = "";
        if (addTo is not null)
        {
            var key = string.Join(", ", type.FindPrimaryKey()!.Properties.Select(Column));
            var added = Column(type.FindProperty(addTo)!);
            tail = $" ON CONFLICT ({key}) DO UPDATE SET {added} = stored.{added} + excluded.{added}";
        }

        foreach (var chunk in rows.Chunk(rowsPerStatement))
        {
            var text = new System.Text.StringBuilder(head);
            var values = new object?[chunk.Length * properties.Length];
            for (var r = 0; r < chunk.Length; r++)
            {
                text.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < properties.Length; c++)
                {
                    var i = (r * properties.Length) + c;
                    values[i] = converters[c] is { } converter ? converter.ConvertToProvider(chunk[r][c]) : chunk[r][c];
                    text.Append(c == 0 ? "{" : ", {").Append(i).Append('}');
                }

                text.Append(')');
            }

            await store.Database.ExecuteSqlRawAsync(text.Append(tail).ToString(), values.Cast<object>(), CancellationToken.None);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Card memory queue full: {Count} card(s) of {Service} not remembered (feedback on them will be refused as unknown)")]
    private static partial void LogDropped(ILogger logger, int count, string service);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Card memory: writing a batch failed ({Failure}); trying once more")]
    private static partial void LogRetry(ILogger logger, string failure);

    [LoggerMessage(Level = LogLevel.Error, Message = "Card memory: {Count} card(s) not remembered, the store refused them twice ({Failure})")]
    private static partial void LogLost(ILogger logger, int count, string failure);
}

using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace NetCds.Service.Tests.Support;

/// <summary>
/// The store commands EF Core runs in this process that a test cares about (<paramref name="matches"/>: one database, or
/// a parameter unique to the test), from EF's diagnostic events, in any host: how many, and their text. Make it before
/// the host starts and keep it to the end: EF decides per context whether anyone listens and keeps that answer for a
/// while, and pooled contexts keep it longer, so a listener that came late or went away early hears nothing.
/// </summary>
internal sealed class StoreCommandLog(Func<DbCommand, bool> matches) : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly List<IDisposable> _subscriptions = [];
    private int _count;
    private IDisposable? _all;

    /// <summary>The text of every matching command, in the order they ran.</summary>
    public ConcurrentQueue<string> Texts { get; } = new();

    /// <summary>How many parameters each matching command bound, in the order they ran.</summary>
    public ConcurrentQueue<int> ParameterCounts { get; } = new();

    /// <summary>Matching commands since the start or the last <see cref="Reset"/>.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Commands run on the database named <paramref name="database"/> (PostgreSQL's database name).</summary>
    public static StoreCommandLog OnDatabase(string database) => Start(c => c.Connection?.Database == database);

    /// <summary>Commands whose connection string contains <paramref name="text"/> (an embedded store's file path).</summary>
    public static StoreCommandLog OnConnection(string text) => Start(c => c.Connection?.ConnectionString.Contains(text, StringComparison.Ordinal) == true);

    /// <summary>Commands that carry <paramref name="value"/> as a parameter (a reference unique to the test).</summary>
    public static StoreCommandLog WithParameter(object value) => Start(c => c.Parameters.Cast<DbParameter>().Any(p => Equals(p.Value, value)));

    /// <summary>Commands <paramref name="matches"/> picks (e.g. by provider and statement).</summary>
    public static StoreCommandLog Where(Func<DbCommand, bool> matches) => Start(matches);

    public void Reset() => Interlocked.Exchange(ref _count, 0);

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == DbLoggerCategory.Name)
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(value.Subscribe(this));
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key == RelationalEventId.CommandExecuting.Name && value.Value is CommandEventData data && matches(data.Command))
        {
            Texts.Enqueue(data.Command.CommandText);
            ParameterCounts.Enqueue(data.Command.Parameters.Count);
            Interlocked.Increment(ref _count);
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        _all?.Dispose();
        lock (_subscriptions)
        {
            _subscriptions.ForEach(s => s.Dispose());
        }
    }

    private static StoreCommandLog Start(Func<DbCommand, bool> matches)
    {
        var log = new StoreCommandLog(matches);
        log._all = DiagnosticListener.AllListeners.Subscribe(log);
        return log;
    }
}

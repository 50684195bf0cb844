using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace NetCds.Service.Tests.CdsHooks.Support;

/// <summary>Everything the host logs, at every level: message, structured values, exception and scopes.</summary>
internal sealed partial class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> entries = new();

    public IReadOnlyList<CapturedLog> Entries => [.. entries];

    /// <summary>All captured text in one string, to search for what must never be logged.</summary>
    public string AllText => string.Join('\n', entries.Select(e => e.Text));

    /// <summary>The reasons the service gave in its log for refusing calls, in order (e.g. <c>Expired</c>).</summary>
    public IReadOnlyList<string> Refusals => [.. entries.Select(e => RefusalPattern().Match(e.Text)).Where(m => m.Success).Select(m => m.Groups[1].Value)];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries);

    public void Dispose()
    {
    }

    [GeneratedRegex(@"^CDS Hooks call refused \((\w+)\)")]
    private static partial Regex RefusalPattern();

    private sealed class Logger(string category, ConcurrentQueue<CapturedLog> entries) : ILogger
    {
        public IDisposable BeginScope<TState>(TState state)
            where TState : notnull
        {
            entries.Enqueue(new CapturedLog(category, LogLevel.None, $"scope: {Describe(state)}"));
            return NoScope.Instance;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = $"{formatter(state, exception)} | {Describe(state)} | {exception}";
            entries.Enqueue(new CapturedLog(category, logLevel, text));
        }

        private static string Describe<TState>(TState state) => state is IEnumerable<KeyValuePair<string, object?>> values
            ? string.Join("; ", values.Select(v => $"{v.Key}={v.Value}"))
            : state?.ToString() ?? "";
    }

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();

        public void Dispose()
        {
        }
    }
}

internal sealed record CapturedLog(string Category, LogLevel Level, string Text);

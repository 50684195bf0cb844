using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using NetCds.Service.Tests.CdsHooks.Support;

[assembly: AssemblyFixture(typeof(NetCds.Service.Tests.Support.RunLogScan))]

namespace NetCds.Service.Tests.Support;

/// <summary>
/// Every log line every <see cref="ServiceFactory"/> host writes during the whole test run (all API tests), scanned
/// when the run ends for what must never be logged: patient ids (the seeds' and the ids the tests use), bearer
/// tokens (JWTs) and passwords (URL user-info, <c>Password=</c> in connection strings). A hit fails the run, quoting
/// the category and the offending fragment only.
/// </summary>
public sealed partial class RunLogScan : IDisposable
{
    /// <summary>Added to every service host the tests start; it outlives them (Dispose is a no-op).</summary>
    internal static LogCapture Logs { get; } = new();

    /// <summary>What a leak looks like; public so that the scanner itself can be tested on a planted line.</summary>
    public static IReadOnlyList<string> Leaks(IEnumerable<(string Category, string Text)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var leaks = new List<string>();
        foreach (var (category, text) in entries)
        {
            foreach (var pattern in (Regex[])[PatientId(), Jwt(), UserInfo(), ConnectionPassword()])
            {
                if (pattern.Match(text) is { Success: true } hit)
                {
                    var fragment = hit.Value.Length > 60 ? hit.Value[..60] + "…" : hit.Value;
                    var line = text.Length > 160 ? text[..160] + "…" : text;
                    leaks.Add($"{category}: '{fragment}' in: {line}");
                }
            }
        }

        return leaks;
    }

    public void Dispose()
    {
        // Scopes are left out: ASP.NET Core's request scope holds the URL path (Patient ids in REST URLs), and the
        // service's log providers do not write scopes (Logging:Console:FormatterOptions:IncludeScopes is false).
        var leaks = Leaks(Logs.Entries.Where(e => e.Level != LogLevel.None).Select(e => (e.Category, e.Text)));
        if (leaks.Count > 0)
        {
            throw new InvalidOperationException($"{leaks.Count} log lines of the test run hold a patient id, token or password:\n" + string.Join('\n', leaks.Distinct().Take(20)));
        }
    }

    /// <summary>
    /// Seed patients (<c>seed-01</c>) bare, and any Patient reference (<c>Patient/x</c>), except the name of the
    /// prefetch resilience strategy for the Patient key (<c>Patient/Retry</c>, <c>Patient/Attempt</c>, ...: Polly's debug lines), which is no id.
    /// </summary>
    [GeneratedRegex(@"\bseed-\d\d\b|Patient/(?!(Total|Retry|CircuitBreaker|Attempt)\b)[A-Za-z0-9\-\.]+")]
    private static partial Regex PatientId();

    [GeneratedRegex(@"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*")]
    private static partial Regex Jwt();

    [GeneratedRegex(@"[a-z][a-z0-9+.\-]*://[^/\s@:]+:[^/\s@]+@", RegexOptions.IgnoreCase)]
    private static partial Regex UserInfo();

    [GeneratedRegex(@"Password=[^;\s]+", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionPassword();
}

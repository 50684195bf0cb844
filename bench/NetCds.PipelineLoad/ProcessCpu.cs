using System.Globalization;

namespace NetCds.PipelineLoad;

/// <summary>CPU seconds and peak RSS of the processes involved, from /proc (Linux): which process used the CPU.</summary>
internal static class ProcessCpu
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>CPU seconds (user + system) used so far by every process whose command name matches.</summary>
    public static double Seconds(Func<int, string, bool> match) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : -1)
            .Where(pid => pid > 0)
            .Sum(pid =>
            {
                try
                {
                    var stat = File.ReadAllText($"/proc/{pid}/stat");
                    var open = stat.IndexOf('(', StringComparison.Ordinal);
                    var close = stat.LastIndexOf(')');
                    var name = stat[(open + 1)..close];
                    if (!match(pid, name))
                    {
                        return 0;
                    }

                    var fields = stat[(close + 2)..].Split(' ');
                    return (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
                }
                catch (IOException)
                {
                    return 0;
                }
            });

    /// <summary>
    /// CPU seconds of one server and its children: <paramref name="parentPid"/> itself with the children it has reaped
    /// (cutime, cstime: a PostgreSQL postmaster's exited autovacuum workers and backends), and its live children.
    /// </summary>
    public static double TreeSeconds(int parentPid) =>
        Fields(parentPid) is { } parent ? Ticks(parent, 11, 12, 13, 14) + Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? Fields(pid) : null)
            .Where(f => f is not null && f[1] == parentPid.ToString(CultureInfo.InvariantCulture))
            .Sum(f => Ticks(f!, 11, 12)) : 0;

    /// <summary>CPU seconds of the children this process has waited for (the CLI runs it started and saw exit).</summary>
    public static double ReapedChildrenSeconds() => Fields(Environment.ProcessId) is { } self ? Ticks(self, 13, 14) : 0;

    private static string[]? Fields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static double Ticks(string[] fields, params int[] indexes) =>
        indexes.Sum(i => double.Parse(fields[i], CultureInfo.InvariantCulture)) / TicksPerSecond;

    /// <summary>Peak resident set size of one process, MB.</summary>
    public static double PeakRssMegabytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }
}

/// <summary>CPU seconds per process group, sampled before and after a phase.</summary>
internal sealed record CpuSample(double Service, double Broker, double Database, double LoadGenerator)
{
    public static CpuSample Take(int servicePid) => new(
        ProcessCpu.Seconds((pid, _) => pid == servicePid),
        ProcessCpu.Seconds((_, name) => name is "beam.smp" or "erl_child_setup" or "epmd"),
        ProcessCpu.Seconds((_, name) => name.StartsWith("postgres", StringComparison.Ordinal)),
        ProcessCpu.Seconds((pid, _) => pid == Environment.ProcessId));

    public static CpuSample operator -(CpuSample a, CpuSample b) =>
        new(a.Service - b.Service, a.Broker - b.Broker, a.Database - b.Database, a.LoadGenerator - b.LoadGenerator);
}

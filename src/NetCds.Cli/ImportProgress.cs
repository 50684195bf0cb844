using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace NetCds.Cli;

/// <summary>
/// How far <c>netcds import</c> is: on a terminal a progress bar with the rate and the time left (Spectre.Console);
/// redirected to a file or a pipe, or in tests, a plain line every few seconds and one at the end, so a log stays
/// readable. Problems (refused lines) are printed above the bar, never through it.
/// </summary>
public abstract class ImportProgress
{
    /// <summary>How often a plain progress line is written: often enough to see it move, rarely enough for a log.</summary>
    private static readonly TimeSpan PlainLineEvery = TimeSpan.FromSeconds(5);

    private readonly Stopwatch _elapsed = Stopwatch.StartNew();

    protected ImportProgress(long total) => Total = total;

    /// <summary>What the import sent and how long it took.</summary>
    public readonly record struct Result(long Sent, TimeSpan Elapsed)
    {
        public double Rate => Sent / Math.Max(Elapsed.TotalSeconds, 0.001);
    }

    /// <summary>Resources to send in this run (those a checkpoint says are done are not counted).</summary>
    public long Total { get; }

    public long Sent { get; private set; }

    public TimeSpan Elapsed => _elapsed.Elapsed;

    public double Rate => Sent / Math.Max(Elapsed.TotalSeconds, 0.001);

    /// <summary>Time left at the rate so far; null until something was sent.</summary>
    public TimeSpan? Remaining => Sent == 0 ? null : TimeSpan.FromSeconds((Total - Sent) / Rate);

    /// <summary>
    /// Runs <paramref name="work"/> with a progress display on <paramref name="error"/>: the bar when it is this
    /// process's own standard error on a terminal, plain lines otherwise.
    /// </summary>
    public static async Task<Result> ShowAsync(TextWriter error, long total, Func<ImportProgress, Task<long>> work)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(work);
        if (ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            return await console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ResourcesColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var bar = new Bar(console, context.AddTask("import", maxValue: Math.Max(total, 1)), total);
                    var sent = await work(bar);
                    bar.Finish();
                    return new Result(sent, bar.Elapsed);
                });
        }

        var plain = new PlainLines(error, total);
        var done = await work(plain);
        plain.Finish();
        return new Result(done, plain.Elapsed);
    }

    public void Add(int resources)
    {
        Sent += resources;
        Advanced(resources);
    }

    /// <summary>A line that must be read (a refused resource), printed so the display does not hide it.</summary>
    public abstract void Problem(string line);

    protected abstract void Advanced(int resources);

    protected string Line() => string.Create(CultureInfo.InvariantCulture,
        $"import: {Sent:N0}/{Total:N0} resources ({(Total == 0 ? 100 : 100.0 * Sent / Total):0} %), {Rate:N0}/s{(Remaining is { } left && Sent < Total ? $", about {Format(left)} left" : "")}");

    private static string Format(TimeSpan span) => span.TotalHours >= 1
        ? span.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
        : span.ToString(@"m\:ss", CultureInfo.InvariantCulture);

    /// <summary>Plain lines: one every <see cref="PlainLineEvery"/> and one at the end.</summary>
    private sealed class PlainLines(TextWriter error, long total) : ImportProgress(total)
    {
        private TimeSpan _written;

        public override void Problem(string line) => error.WriteLine(line);

        protected override void Advanced(int resources)
        {
            if (Elapsed - _written >= PlainLineEvery)
            {
                _written = Elapsed;
                error.WriteLine(Line());
            }
        }

        public void Finish() => error.WriteLine(Line());
    }

    /// <summary>The Spectre.Console bar: resources done, share, rate and time left.</summary>
    private sealed class Bar(IAnsiConsole console, ProgressTask task, long total) : ImportProgress(total)
    {
        public override void Problem(string line) => console.WriteLine(line);

        protected override void Advanced(int resources) => task.Increment(resources);

        public void Finish() => task.Value = task.MaxValue;
    }

    /// <summary>"1,200/5,000 resources, 850/s": the bar's own count and rate, in resources rather than bytes.</summary>
    private sealed class ResourcesColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(string.Create(CultureInfo.InvariantCulture, $"{task.Value:N0}/{task.MaxValue:N0} resources, {task.Speed ?? 0:N0}/s"));
    }
}

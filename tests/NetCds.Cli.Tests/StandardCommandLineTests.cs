using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace NetCds.Cli.Tests;

/// <summary>
/// A standard command line (issue 21): every command answers --help with exit code 0, a typo gets suggestions, the
/// exit codes are the documented ones, import reports progress as plain lines off a terminal, and the packed tool
/// installs and runs.
/// </summary>
public sealed class StandardCommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("netcds-cli-std").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CommandLine.Run(args, output, error, new FakeTimeProvider(new DateTimeOffset(2027, 3, 15, 9, 30, 0, TimeSpan.Zero)));
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Every command path of the tree ("dead-letters replay"), found by walking it, not listed by hand.</summary>
    public static TheoryData<string> EveryCommand()
    {
        var data = new TheoryData<string>();
        void Walk(Command command, string path)
        {
            data.Add(path);
            foreach (var sub in command.Subcommands)
            {
                Walk(sub, (path + " " + sub.Name).Trim());
            }
        }

        Walk(CommandLine.Root(TextWriter.Null, TextWriter.Null, new FakeTimeProvider()), "");
        return data;
    }

    [Fact]
    public void The_tree_has_every_command_the_README_documents()
    {
        EveryCommand().Select(row => row.Data).Should().BeEquivalentTo(
            "", "evaluate", "import",
            "dead-letters", "dead-letters list", "dead-letters show", "dead-letters replay", "dead-letters purge",
            "subscriptions", "subscriptions list", "subscriptions create", "subscriptions check", "subscriptions delete",
            "feedback");
    }

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public void Every_command_answers_help_with_exit_code_0(string command)
    {
        var (code, output, error) = Run([.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);

        code.Should().Be(ExitCodes.Success, error);
        // The usage line starts with the executable's name (the test host here, netcds when installed).
        output.Should().Contain("Usage:").And.Contain(command.Length == 0 ? "Commands:" : command);
        error.Should().BeEmpty();
    }

    [Fact]
    public void Dead_letters_help_is_exit_code_0_as_the_issue_asks()
    {
        Run("dead-letters", "--help").Code.Should().Be(0);
        Run("dead-letters", "-h").Code.Should().Be(0);
    }

    [Fact]
    public void The_root_help_documents_the_exit_codes()
    {
        var (_, output, _) = Run("--help");

        output.Should().Contain("Exit codes: 0 done").And.Contain("1 the command ran and failed").And.Contain("2 usage");
    }

    [Theory]
    [InlineData("evalute", "evaluate")]
    [InlineData("imprt", "import")]
    [InlineData("dead-leters", "dead-letters")]
    public void A_mistyped_command_is_a_usage_error_that_suggests_the_command(string typo, string meant)
    {
        var (code, _, error) = Run(typo, "x.json");

        code.Should().Be(ExitCodes.Usage);
        error.Should().Contain($"'{typo}' was not matched. Did you mean").And.Contain(meant);
    }

    [Fact]
    public void A_mistyped_subcommand_gets_a_suggestion_too()
    {
        var (code, _, error) = Run("dead-letters", "replya", "--all");

        code.Should().Be(ExitCodes.Usage);
        error.Should().Contain("Did you mean").And.Contain("replay");
    }

    [Theory]
    [InlineData(ExitCodes.Usage, new string[0])]
    [InlineData(ExitCodes.Usage, new[] { "evaluate" })]
    [InlineData(ExitCodes.Usage, new[] { "evaluate", "x.json", "--as-of", "yesterday" })]
    [InlineData(ExitCodes.Usage, new[] { "evaluate", "x.json", "--frobnicate" })]
    [InlineData(ExitCodes.Usage, new[] { "dead-letters", "replay" })]
    [InlineData(ExitCodes.Usage, new[] { "dead-letters", "purge", "id-1", "--all" })]
    [InlineData(ExitCodes.Usage, new[] { "dead-letters", "list", "--limit", "0" })]
    [InlineData(ExitCodes.Usage, new[] { "import", "dir" })]
    [InlineData(ExitCodes.Usage, new[] { "import", "dir", "--url", "http://localhost", "--batch", "many" })]
    [InlineData(ExitCodes.Usage, new[] { "subscriptions", "create" })]
    [InlineData(ExitCodes.Usage, new[] { "feedback", "--service", "not a url" })]
    [InlineData(ExitCodes.Failed, new[] { "feedback", "--service", "http://127.0.0.1:9" })]
    [InlineData(ExitCodes.Failed, new[] { "evaluate", "/nonexistent/none.json" })]
    [InlineData(ExitCodes.Failed, new[] { "import", "/nonexistent/export", "--url", "http://localhost" })]
    public void Exit_codes_are_the_documented_ones(int expected, string[] args)
    {
        var (code, _, error) = Run(args);

        code.Should().Be(expected, error);
        error.Should().NotBeEmpty("every failure says why");
    }

    [Fact]
    public void Dead_letters_without_a_broker_is_a_usage_error_naming_the_option()
    {
        var previous = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
        Environment.SetEnvironmentVariable("ConnectionStrings__RabbitMq", null);
        try
        {
            var (code, _, error) = Run("dead-letters", "list");
            code.Should().Be(ExitCodes.Usage);
            error.Should().Contain("--broker");
        }
        finally
        {
            Environment.SetEnvironmentVariable("ConnectionStrings__RabbitMq", previous);
        }
    }

    [Fact]
    public async Task Import_off_a_terminal_reports_progress_as_plain_lines_with_rate_and_a_final_count()
    {
        var lines = Enumerable.Range(1, 5).Select(i => $$"""{"resourceType":"Patient","id":"p{{i}}"}""").ToList();
        await File.WriteAllLinesAsync(Path.Combine(_directory, "Patient.ndjson"), lines, TestContext.Current.CancellationToken);
        using var client = new HttpClient(new AcceptEverything()) { BaseAddress = new Uri("http://netcds.test/") };
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await ImportCommand.RunAsync(["import", _directory, "--url", "http://netcds.test", "--batch", "2"], output, error, client, TestContext.Current.CancellationToken);

        code.Should().Be(ExitCodes.Success, error.ToString());
        error.ToString().Should().NotContain("\r", "a log or a pipe gets whole lines, not a redrawn bar")
            .And.MatchRegex(@"import: 5/5 resources \(100 %\), [\d,]+/s");
        output.ToString().Should().Contain("imported 5 resources").And.Contain("5 patients recomputed");
    }

    [Fact]
    public void The_packed_tool_installs_and_answers_help()
    {
        // Packs the CLI as built for this test run (no second build), installs it into a private tool path from that
        // folder, and runs it: what the README tells a user to do, minus -g.
        var root = RepositoryRoot();
        var configuration = typeof(StandardCommandLineTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var packages = Path.Combine(_directory, "nupkg");
        var tools = Path.Combine(_directory, "tools");

        Dotnet(root, "pack", Path.Combine(root, "src", "NetCds.Cli", "NetCds.Cli.csproj"), "--no-build", "-c", configuration, "-o", packages).Code.Should().Be(0);
        var install = Dotnet(root, "tool", "install", "NetCds.Cli", "--add-source", packages, "--tool-path", tools);
        install.Code.Should().Be(0, install.Output);

        var run = Process(Path.Combine(tools, OperatingSystem.IsWindows() ? "netcds.exe" : "netcds"), root, "dead-letters", "--help");
        run.Code.Should().Be(0, run.Output);
        run.Output.Should().Contain("netcds dead-letters [command] [options]");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "NetCds.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("NetCds.sln not found above the test's directory.");
    }

    private static (int Code, string Output) Dotnet(string workingDirectory, params string[] args) => Process("dotnet", workingDirectory, args);

    private static (int Code, string Output) Process(string program, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        process.WaitForExit(TimeSpan.FromMinutes(2)).Should().BeTrue($"{program} {string.Join(' ', args)} finished");
        output.Append(stdout.Result).Append(stderr.Result);
        return (process.ExitCode, output.ToString());
    }

    /// <summary>The service's batch answer: every entry stored (201).</summary>
    private sealed class AcceptEverything : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // The import closes its window with POST /recompute (issue 19): the service's answer, one page.
            if (request.RequestUri!.AbsolutePath == "/recompute")
            {
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"recomputed":5,"changed":5,"next":null}""", Encoding.UTF8, "application/json") };
            }

            // Parts defer their recomputes to the window's end.
            request.Content!.Headers.GetValues(ImportCommand.RecomputeHeader).Should().Equal("deferred");
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            var entries = body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(_ => """{"response":{"status":"201 Created"}}""");
            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent($$"""{"resourceType":"Bundle","type":"batch-response","entry":[{{string.Join(",", entries)}}]}""", Encoding.UTF8, "application/fhir+json"),
            };
        }
    }
}

using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;

namespace NetCds.Cli;

/// <summary>The exit codes of every <c>netcds</c> command (README, "The netcds tool"; shown by <c>netcds --help</c>).</summary>
public static class ExitCodes
{
    /// <summary>Done: evaluated, imported, listed, replayed; also <c>--help</c>.</summary>
    public const int Success = 0;

    /// <summary>The command ran and failed: a file missing or not valid FHIR, lines refused, the service or broker refused.</summary>
    public const int Failed = 1;

    /// <summary>Usage: an unknown command or option (with suggestions), a missing argument, a value that does not parse.</summary>
    public const int Usage = 2;

    public const string Described = """
        Exit codes: 0 done (and --help), 1 the command ran and failed (input not found or not valid FHIR,
        lines refused, the service or broker refused), 2 usage (unknown command or option, missing or bad value).
        """;
}

/// <summary>
/// <c>netcds</c>: the command tree (System.CommandLine), so every command and subcommand answers <c>--help</c>, a
/// mistyped command gets suggestions, and a usage error is exit code 2 (<see cref="ExitCodes"/>).
/// </summary>
public static class CommandLine
{
    /// <summary>Runs one command; <paramref name="clock"/> is what "now" means to <c>evaluate</c> without <c>--as-of</c>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(clock);
        return Invoke(Root(output, error, clock), args, output, error);
    }

    /// <summary>Every command, writing to <paramref name="output"/> and <paramref name="error"/>.</summary>
    internal static RootCommand Root(TextWriter output, TextWriter error, TimeProvider clock) => new($"""
        NetCds: eligibility of NET liver metastases for each therapy, from FHIR.
        {ExitCodes.Described}
        """)
    {
        EvaluateCommand.Create(output, error, clock),
        DeadLetterCommands.Create(output, error),
        ImportCommand.Create(output, error, client: null),
        SubscriptionCommands.Create(output, error),
        FeedbackCommand.Create(output, error),
    };

    /// <summary>
    /// Parses and runs <paramref name="args"/> against <paramref name="root"/>: a parse error prints the error and the
    /// suggestions for a typo (System.CommandLine's own) and is <see cref="ExitCodes.Usage"/>.
    /// </summary>
    internal static int Invoke(RootCommand root, string[] args, TextWriter output, TextWriter error)
    {
        var parsed = root.Parse(args);
        if (parsed.Action is ParseErrorAction errors)
        {
            // The errors and "Did you mean ...?" only: the whole help after them would bury the one line that matters.
            errors.ShowHelp = false;
            // System.CommandLine writes the suggestions to its output: on a usage error all of it belongs on stderr.
            var code = parsed.Invoke(new InvocationConfiguration { Output = error, Error = error });
            error.WriteLine($"Run '{Usage(parsed)} --help' for usage.");
            return code == ExitCodes.Success ? ExitCodes.Success : ExitCodes.Usage;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }

    /// <summary>The command line up to the innermost command that parsed ("netcds dead-letters replay").</summary>
    private static string Usage(ParseResult parsed)
    {
        var names = new List<string>();
        for (SymbolResult? result = parsed.CommandResult; result is not null; result = result.Parent)
        {
            if (result is CommandResult command)
            {
                names.Insert(0, command.Command is RootCommand ? "netcds" : command.Command.Name);
            }
        }

        return string.Join(' ', names);
    }

    /// <summary>An instant given on the command line: ISO 8601, UTC unless it says otherwise.</summary>
    internal static DateTimeOffset ParseInstant(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return instant;
        }

        result.AddError($"'{text}' is not a date or date-time (for example 2026-11-01 or 2026-11-01T09:30:00Z)");
        return default;
    }

    /// <summary>A whole number of at least one.</summary>
    internal static int ParsePositive(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
        {
            return value;
        }

        result.AddError($"'{text}' is not a whole number of at least 1");
        return default;
    }
}

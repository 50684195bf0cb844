using System.Globalization;
using NetCds.Domain.Policy;
using NetCds.Fhir;
using NetCds.Fhir.Input;
using NetCds.Fhir.Terminology;

namespace NetCds.Cli;

/// <summary>
/// <c>netcds evaluate &lt;file&gt; [--as-of ISO-date] [--json] [--terminology site-map.json]</c>.
/// Exit codes: 0 evaluated, 1 the input could not be evaluated, 2 usage.
/// </summary>
public static class CommandLine
{
    private const string Usage = """
        usage: netcds evaluate <fhir-file.json> [--as-of 2026-11-01] [--json] [--terminology site-map.json]
          Evaluates one patient's FHIR Bundle (or resource) and prints the eligibility of every therapy.
          --as-of        evaluate as of this date/time (default: now)
          --json         print the report JSON (as POST /eligibility/$evaluate returns it)
          --terminology  add a site's terminology map to the built-in one
        netcds dead-letters list|show|replay|purge ...   (netcds dead-letters for its usage)
        netcds import <dir|file.ndjson> --url <service> [--batch 1000]   (FHIR Bulk Data NDJSON; token in NETCDS_TOKEN)
        netcds subscriptions list|create|check|delete ... (netcds subscriptions for its usage)
        """;

    /// <summary>Runs one command; <paramref name="clock"/> is what "now" means to <c>evaluate</c> without <c>--as-of</c>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(clock);
        if (args.Length >= 1 && args[0] == "dead-letters")
        {
            return DeadLetterCommands.RunAsync(args, output, error, CancellationToken.None).GetAwaiter().GetResult();
        }

        if (args.Length >= 1 && args[0] == "import")
        {
            return ImportCommand.RunAsync(args, output, error, CancellationToken.None).GetAwaiter().GetResult();
        }

        if (args.Length >= 1 && args[0] == "subscriptions")
        {
            return SubscriptionCommands.RunAsync(args, output, error, CancellationToken.None).GetAwaiter().GetResult();
        }

        if (args.Length < 2 || args[0] != "evaluate")
        {
            error.WriteLine(Usage);
            return 2;
        }

        var file = args[1];
        var asOf = clock.GetUtcNow();
        var json = false;
        string? terminologyPath = null;
        for (var i = 2; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--json":
                    json = true;
                    break;
                case "--as-of" when i + 1 < args.Length && DateTimeOffset.TryParse(args[i + 1], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed):
                    asOf = parsed;
                    i++;
                    break;
                case "--terminology" when i + 1 < args.Length:
                    terminologyPath = args[++i];
                    break;
                default:
                    error.WriteLine($"unknown or incomplete option '{args[i]}'");
                    error.WriteLine(Usage);
                    return 2;
            }
        }

        if (!File.Exists(file))
        {
            error.WriteLine($"no such file: {file}");
            return 1;
        }

        var parsedInput = FhirInput.Parse(File.ReadAllText(file));
        if (!parsedInput.Succeeded)
        {
            foreach (var issue in parsedInput.Outcome!.Issue)
            {
                error.WriteLine($"error: {issue.Diagnostics}{(issue.Expression.Any() ? $" ({string.Join(", ", issue.Expression)})" : "")}");
            }

            return 1;
        }

        TerminologyMap terminology;
        if (terminologyPath is null)
        {
            terminology = TerminologyMap.Default;
        }
        else
        {
            using var site = File.OpenRead(terminologyPath);
            terminology = TerminologyMap.WithSiteAdditions(site);
        }

        var evaluation = new FhirEvaluation(terminology, EligibilityPolicy.Default).Evaluate(parsedInput.Resource!, asOf);
        if (evaluation is null)
        {
            error.WriteLine("error: cannot tell which patient the input is about (no Patient resource or subject reference)");
            return 1;
        }

        output.Write(json ? evaluation.Document.ToJson() + Environment.NewLine : ReportTable.Render(evaluation.Document));
        return 0;
    }
}

using System.CommandLine;
using NetCds.Domain.Policy;
using NetCds.Fhir;
using NetCds.Fhir.Input;
using NetCds.Fhir.Terminology;

namespace NetCds.Cli;

/// <summary><c>netcds evaluate &lt;file&gt; [--as-of ISO-date] [--json] [--terminology site-map.json]</c>: one patient, offline.</summary>
public static class EvaluateCommand
{
    public static Command Create(TextWriter output, TextWriter error, TimeProvider clock)
    {
        var file = new Argument<FileInfo>("fhir-file") { Description = "A patient's FHIR Bundle (or one resource), JSON." };
        var asOf = new Option<DateTimeOffset?>("--as-of")
        {
            Description = "Evaluate as of this date or date-time, UTC unless stated (default: now).",
            HelpName = "2026-11-01",
            CustomParser = result => CommandLine.ParseInstant(result),
        };
        var json = new Option<bool>("--json") { Description = "Print the report JSON (as POST /eligibility/$evaluate returns it)." };
        var terminology = new Option<FileInfo?>("--terminology") { Description = "Add a site's terminology map to the built-in one.", HelpName = "site-map.json" };
        var command = new Command("evaluate", "Evaluate one patient's FHIR Bundle and print the eligibility of every therapy.") { file, asOf, json, terminology };
        command.SetAction(parsed => Evaluate(
            parsed.GetRequiredValue(file),
            parsed.GetValue(asOf) ?? clock.GetUtcNow(),
            parsed.GetValue(json),
            parsed.GetValue(terminology),
            output,
            error));
        return command;
    }

    private static int Evaluate(FileInfo file, DateTimeOffset asOf, bool json, FileInfo? terminologyFile, TextWriter output, TextWriter error)
    {
        if (!file.Exists)
        {
            error.WriteLine($"no such file: {file}");
            return ExitCodes.Failed;
        }

        var parsedInput = FhirInput.Parse(File.ReadAllBytes(file.FullName).AsSpan());
        if (!parsedInput.Succeeded)
        {
            foreach (var issue in parsedInput.Error!.Issues)
            {
                error.WriteLine($"error: {issue}");
            }

            return ExitCodes.Failed;
        }

        TerminologyMap terminology;
        if (terminologyFile is null)
        {
            terminology = TerminologyMap.Default;
        }
        else if (!terminologyFile.Exists)
        {
            error.WriteLine($"no such file: {terminologyFile}");
            return ExitCodes.Failed;
        }
        else
        {
            using var site = terminologyFile.OpenRead();
            terminology = TerminologyMap.WithSiteAdditions(site);
        }

        var evaluation = new FhirEvaluation(terminology, EligibilityPolicy.Default).Evaluate(parsedInput.Resource!, asOf);
        if (evaluation is null)
        {
            error.WriteLine("error: cannot tell which patient the input is about (no Patient resource or subject reference)");
            return ExitCodes.Failed;
        }

        output.Write(json ? evaluation.Document.ToJson() + Environment.NewLine : ReportTable.Render(evaluation.Document));
        return ExitCodes.Success;
    }
}

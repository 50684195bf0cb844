using System.Globalization;
using System.Text;
using NetCds.Fhir.Reporting;

namespace NetCds.Cli;

/// <summary>The report as a terminal table: one block per therapy with its reasons, then what is missing and what was not used.</summary>
public static class ReportTable
{
    public static string Render(ReportDocument report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{report.Patient}  evaluated {report.EvaluatedAt:yyyy-MM-dd HH:mm}Z  rules {report.RulesVersion}");
        text.AppendLine("Decision support for a multidisciplinary team, not an order.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"THERAPY",-8}{"STATUS",-19}REASONS");
        foreach (var a in report.Assessments)
        {
            var reasons = a.Findings.Where(f => f.Effect is not ("note" or "technique")).ToList();
            var first = true;
            foreach (var f in reasons.Count == 0 ? a.Findings : reasons)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{(first ? a.Therapy : ""),-8}{(first ? a.Status : ""),-19}{f.Rule} {f.Effect}: {f.Reason} [{string.Join("; ", f.Evidence.Select(e => $"{e.Article} {e.Section}".Trim()))}]");
                first = false;
            }

            foreach (var n in a.Findings.Where(f => f.Effect is "note" or "technique"))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{"",-27}{n.Rule} {n.Effect}: {n.Reason}");
            }

            foreach (var p in a.Prerequisites)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{"",-27}prerequisite ({p.Rule}): {p.Description}");
            }
        }

        var missing = report.Assessments.SelectMany(a => a.Missing.Select(m => (a.Therapy, m))).GroupBy(x => x.m.OrderText).ToList();
        if (missing.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("MISSING (order that would supply it: therapies waiting on it)");
            foreach (var order in missing)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {order.Key}: {string.Join(", ", order.Select(x => x.Therapy).Distinct())} ({string.Join(", ", order.Select(x => x.m.Fact).Distinct())})");
            }
        }

        if (report.AlsoReported.Count > 0)
        {
            text.AppendLine();
            foreach (var item in report.AlsoReported)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{item.Topic}: {item.Text}");
            }
        }

        if (report.DataProblems.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("DATA NOT USED");
            foreach (var p in report.DataProblems)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {p.Resource} {p.Element} [{p.Kind}]: {p.Message}");
            }
        }

        return text.ToString();
    }
}

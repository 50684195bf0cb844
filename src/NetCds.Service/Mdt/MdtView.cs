using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NetCds.Domain.Engine;
using NetCds.Domain.Policy;
using NetCds.Fhir;
using NetCds.Fhir.Input;
using NetCds.Fhir.Reporting;
using NetCds.Service.Cards;
using NetCds.Service.Demo;
using NetCds.Service.Records;
using NetCds.Service.Storage;
using static NetCds.Service.Mdt.Html;

namespace NetCds.Service.Mdt;

/// <summary>
/// The MDT view, <c>/mdt/{patientId}</c>: one page per patient for the tumour board, the therapy × status matrix in
/// the catalogue's order (000 §11, 001 Conclusion) with the reason, evidence and dated inputs of each status, the data
/// still missing with the order that would supply it, and plots over time. Rendered on the server; prints.
/// </summary>
public static class MdtView
{
    private static readonly EligibilityStatus[] Columns =
        [EligibilityStatus.Eligible, EligibilityStatus.Consider, EligibilityStatus.InsufficientData, EligibilityStatus.NotIndicated, EligibilityStatus.Contraindicated];

    /// <summary>
    /// The MDT view's routes. The synthetic demo seeds are open while <c>Demo:Enabled</c> (like the other demo routes);
    /// any other patient is patient data and needs an API access token with Patient read scope (the policy of
    /// <c>GET /eligibility/{patientId}</c>), checked in the handler because the same route serves both.
    /// </summary>
    public static IEndpointRouteBuilder MapMdtView(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/mdt").WithTags("MDT view").ExcludeFromDescription();
        group.MapGet("/{patientId}", ShowAsync);
        return app;
    }

    private static async Task<IResult> ShowAsync(
        string patientId,
        HttpContext http,
        IOptions<DemoOptions> demo,
        DemoSeeds seeds,
        FhirEvaluation evaluation,
        EligibilityPolicy policy,
        StoreContext store,
        PatientRecord record,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var seed = demo.Value.Enabled ? seeds.NameOfPatient(patientId) : null;
        if (await MdtAccess.RefusalAsync(http, patientId, seed is not null) is { } refusal)
        {
            return refusal;
        }

        var result = await EvaluateAsync(patientId, seed, seeds, evaluation, store, record, clock, cancellationToken);
        if (result is null)
        {
            return Results.Text("No report for this patient.", statusCode: StatusCodes.Status404NotFound);
        }

        return Result(Render(patientId, result, MdtCharts.For(result.Mapping.Facts, policy), seed));
    }

    /// <summary>A seed is evaluated at the instant it was written for; a stored patient from its stored resources, now.</summary>
    private static async Task<Evaluation?> EvaluateAsync(string patientId, string? seed, DemoSeeds seeds, FhirEvaluation evaluation, StoreContext store, PatientRecord record, TimeProvider clock, CancellationToken cancellationToken)
    {
        var patient = $"Patient/{patientId}";
        if (seed is not null)
        {
            return evaluation.Evaluate(FhirInput.Parse(seeds.Bundle(seed)!).Resource!, DemoSeeds.SeedInstant, patient);
        }

        if (!await store.Reports.AsNoTracking().AnyAsync(r => r.Patient == patient, cancellationToken))
        {
            return null;
        }

        return evaluation.Evaluate(await record.LoadAsync(patient, cancellationToken), clock.GetUtcNow(), patient);
    }

    private static string Render(string patientId, Evaluation evaluation, IReadOnlyList<ChartFigure> charts, string? seed)
    {
        var report = evaluation.Report;
        var html = new StringBuilder();
        html.Append("<nav class=\"no-print\"><a href=\"/\">NetCds</a></nav>");
        html.Append(CultureInfo.InvariantCulture, $"<h1>NET liver metastases: MDT view of {E(report.Patient)}</h1>");
        if (seed is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">Synthetic demo patient <code>{E(seed)}</code>.</p>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<p class=\"notice\">Decision support for the multidisciplinary team, not an order. Rules <strong id=\"rules-version\">{E(report.RulesVersion)}</strong>, evaluated <strong id=\"evaluated-at\">{Day(report.EvaluatedAt)}</strong>. An unknown is shown as unknown, never as normal.</p>");

        html.Append("<h2>Therapies</h2><div class=\"matrix-wrap\"><table id=\"matrix\"><thead><tr><th>Therapy</th>");
        foreach (var column in Columns)
        {
            html.Append(CultureInfo.InvariantCulture, $"<th>{E(column.Code())}</th>");
        }

        html.Append("<th>Why: rule, reason, inputs (dated), evidence</th></tr></thead><tbody>");
        foreach (var a in report.Assessments)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr data-therapy=\"{a.Therapy.Code()}\" data-status=\"{a.Status.Code()}\"><th scope=\"row\">{a.Therapy.Code()} · {E(TherapyNames.Display(a.Therapy))}</th>");
            foreach (var column in Columns)
            {
                html.Append(column == a.Status
                    ? $"<td class=\"mark\"><span class=\"status status-{column.Code()}\">{E(column.Code())}</span></td>"
                    : "<td class=\"mark\"></td>");
            }

            html.Append("<td><ul class=\"findings\">");
            foreach (var f in a.Findings.Where(f => f.Effect.AsStatus() == a.Status).Concat(a.Findings.Where(f => f.Effect is FindingEffect.Note or FindingEffect.Technique)))
            {
                html.Append(CultureInfo.InvariantCulture, $"<li><strong>{E(f.Rule)}</strong>: {E(f.Reason)}{(f.SitePolicy.Count > 0 ? " <em>(site policy)</em>" : "")}");
                if (f.Inputs.Count > 0)
                {
                    html.Append("<div class=\"inputs\">").Append(string.Join("; ", f.Inputs.Select(Input))).Append("</div>");
                }

                if (f.Evidence.Count > 0)
                {
                    html.Append("<div class=\"evidence\">Evidence: ").Append(string.Join("; ", f.Evidence.Select(e => EvidenceLink(e.ToString(), e.Article)))).Append("</div>");
                }

                html.Append("</li>");
            }

            foreach (var p in a.Prerequisites)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li>Before treatment ({E(p.Rule)}): {E(p.Description)}</li>");
            }

            html.Append("</ul></td></tr>");
        }

        html.Append("</tbody></table></div>");
        Missing(html, report);
        html.Append("<h2>Over time</h2><div class=\"charts\">");
        foreach (var chart in charts)
        {
            Figure(html, patientId, chart);
        }

        html.Append("</div>");
        Also(html, evaluation);
        return Page($"MDT view: {report.Patient}", html.ToString());
    }

    private static void Missing(StringBuilder html, EligibilityReport report)
    {
        html.Append("<h2>Missing data</h2>");
        var missing = report.Assessments.SelectMany(a => a.Missing.Select(m => (a.Therapy, Missing: m))).GroupBy(x => x.Missing.Order).ToList();
        if (missing.Count == 0)
        {
            html.Append("<p id=\"missing\">Nothing the rules need is missing.</p>");
            return;
        }

        html.Append("<div class=\"table-wrap\"><table id=\"missing\"><thead><tr><th>Order that would supply it</th><th>Input</th><th>Needed for</th><th>Rules</th></tr></thead><tbody>");
        foreach (var order in missing)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(Orders.Text(order.Key))}</td><td>{E(string.Join(", ", order.Select(x => FactNames.Json(x.Missing.Fact)).Distinct()))}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td>{E(string.Join(", ", order.Select(x => x.Therapy.Code()).Distinct()))}</td><td>{E(string.Join(", ", order.Select(x => x.Missing.Rule).Distinct()))}</td></tr>");
        }

        html.Append("</tbody></table></div>");
    }

    private static void Figure(StringBuilder html, string patientId, ChartFigure chart)
    {
        html.Append(CultureInfo.InvariantCulture, $"<figure id=\"chart-{chart.Id}\"><figcaption>{E(chart.Title)}</figcaption>");
        if (chart.Svg is not null)
        {
            html.Append(chart.Svg);
        }

        if (chart.Note is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{E(chart.Note)}</p>");
        }

        if (chart.Points.Count > 0)
        {
            // One row per plotted point, linked to the resource it came from: readable by a screen reader and on paper,
            // where links inside the SVG would be neither.
            html.Append(CultureInfo.InvariantCulture, $"<table class=\"points\"><caption class=\"visually-hidden\">{E(chart.Title)}: each value and its source</caption>")
                .Append("<thead><tr><th>Date</th><th>Series</th><th>Value as written</th><th>Source</th></tr></thead><tbody>");
            foreach (var p in chart.Points)
            {
                var source = MdtSources.Link(patientId, p.Source) is { } link ? $"<a class=\"source\" href=\"{E(link)}\">{E(p.Source)}</a>" : E(p.Source);
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Day(p.Date)}</td><td>{E(p.Series)}</td><td class=\"value\">{E(p.Written)}</td><td>{source}</td></tr>");
            }

            html.Append("</tbody></table>");
        }

        html.Append("</figure>");
    }

    private static void Also(StringBuilder html, Evaluation evaluation)
    {
        if (evaluation.Report.AlsoReported.Count > 0)
        {
            html.Append("<h2>Also reported</h2><ul>");
            foreach (var item in evaluation.Report.AlsoReported)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li><strong>{E(item.Topic)}</strong>: {E(item.Text)}</li>");
            }

            html.Append("</ul>");
        }

        if (evaluation.Mapping.Problems.Count > 0)
        {
            html.Append("<h2>Data not used</h2><ul id=\"data-problems\">");
            foreach (var p in evaluation.Mapping.Problems)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li>{E(p.Resource)}{(p.Element is null ? "" : $" ({E(p.Element)})")}: {E(p.Message)}</li>");
            }

            html.Append("</ul>");
        }
    }

    private static string Input(InputReference i) =>
        i.Date > DateTimeOffset.MinValue ? $"{E(i.Value)} ({E(i.Source)}, {Day(i.Date)})" : $"{E(i.Value)} ({E(i.Source)})";

    private static string EvidenceLink(string text, string article) =>
        TherapyNames.ArticleTitles.TryGetValue(article, out var title)
            ? $"<a href=\"https://pubmed.ncbi.nlm.nih.gov/?term={Uri.EscapeDataString(title)}\" rel=\"noreferrer\">{E(text)}</a>"
            : E(text);

    private static string Day(DateTimeOffset date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

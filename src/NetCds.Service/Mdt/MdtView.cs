using System.Globalization;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
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
using static NetCds.Service.Mdt.MdtLabels;

namespace NetCds.Service.Mdt;

/// <summary>
/// The MDT view, <c>/mdt/{patientId}</c>: one page per patient for the tumour board, read in the minute a patient gets.
/// The therapy matrix in the catalogue's order (000 §11, 001 Conclusion), one row per therapy: status and therapy, the
/// decisive reason in one line, and folded under it the rules, dated inputs and evidence; the data still missing with
/// the order that would supply it; small-multiple plots of the last 24 months (<c>?history=full</c>: all of it).
/// Rendered on the server; the stylesheet prints it on two A4 pages with the folds open.
/// </summary>
public static class MdtView
{
    /// <summary>The rate-limiter policy that bounds the views prepared at once (<see cref="MdtViewOptions.ConcurrentViews"/>).</summary>
    public const string ConcurrentViewsPolicy = "mdt-views";

    /// <summary>The MDT view's settings and the limiter of concurrent views (<see cref="MdtViewOptions"/>).</summary>
    public static IHostApplicationBuilder AddMdtView(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MdtViewOptions>().BindConfiguration(MdtViewOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var settings = builder.Configuration.GetSection(MdtViewOptions.Section).Get<MdtViewOptions>() ?? new MdtViewOptions();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.AddConcurrencyLimiter(ConcurrentViewsPolicy, views =>
            {
                views.PermitLimit = settings.ConcurrentViews;
                views.QueueLimit = settings.QueuedViews;
                views.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
            limiter.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
            limiter.OnRejected = (context, cancellationToken) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "5";
                return new ValueTask(context.HttpContext.Response.WriteAsync("Too many MDT views are being prepared at once: try again in a few seconds.", cancellationToken));
            };
        });
        return builder;
    }

    /// <summary>
    /// The MDT view's routes. The synthetic demo seeds are open while <c>Demo:Enabled</c> (like the other demo routes);
    /// any other patient is patient data and needs an API access token with Patient read scope (the policy of
    /// <c>GET /eligibility/{patientId}</c>), checked in the handler because the same route serves both.
    /// </summary>
    public static IEndpointRouteBuilder MapMdtView(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/mdt").WithTags("MDT view").ExcludeFromDescription();
        group.MapGet("/{patientId}", ShowAsync).RequireRateLimiting(ConcurrentViewsPolicy);
        return app;
    }

    private static async Task<IResult> ShowAsync(
        string patientId,
        string? history,
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

        var asOf = result.Report.EvaluatedAt;
        var window = history == "full" ? ChartWindow.Full(asOf) : ChartWindow.Recent(asOf);
        var patient = MdtPatient.From(await MdtSources.JsonAsync(seed, seeds, store, patientId, "Patient", patientId, cancellationToken), patientId);
        return Result(Render(new MdtPage(patientId, patient, seed, result, MdtCharts.For(result.Mapping.Facts, policy, window), window)));
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

    private sealed record MdtPage(string PatientId, MdtPatient Patient, string? Seed, Evaluation Evaluation, IReadOnlyList<ChartFigure> Charts, ChartWindow Window);

    private static string Render(MdtPage page)
    {
        var report = page.Evaluation.Report;
        var html = new StringBuilder();
        html.Append("<nav class=\"no-print\"><a href=\"/\">NetCds</a></nav><main>");
        Heading(html, page);
        Matrix(html, page);
        Missing(html, report);
        Charts(html, page);
        Also(html, page);
        html.Append("</main><script src=\"/assets/mdt.js\" defer></script>");
        return Page($"MDT view: {page.Patient.Name}", html.ToString());
    }

    /// <summary>The sheet's head, on screen and on paper: who, as of when, by which rules, and what this page is not.</summary>
    private static void Heading(StringBuilder html, MdtPage page)
    {
        var report = page.Evaluation.Report;
        html.Append("<header class=\"sheet-head\">")
            .Append(CultureInfo.InvariantCulture, $"<h1><span id=\"patient\">{E(page.Patient.Name)}</span> <span class=\"about\">{E(page.Patient.Details)}</span></h1>")
            .Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">NET liver metastases, MDT view · evaluated <strong id=\"evaluated-at\">{Instant(report.EvaluatedAt)}</strong> · rules <strong id=\"rules-version\">{E(report.RulesVersion)}</strong>")
            .Append(page.Seed is null ? "" : $" · synthetic demo patient <code>{E(page.Seed)}</code>")
            .Append("</p><p class=\"notice\" id=\"decision-support\"><strong>Decision support, not an order.</strong> For the multidisciplinary team; an unknown is shown as unknown, never as normal.</p>")
            .Append("<button type=\"button\" id=\"print\" class=\"no-print\" hidden>Print for the tumour board</button></header>");
    }

    /// <summary>One row per therapy in the catalogue's order: status and therapy, the decisive reason, and the fold.</summary>
    private static void Matrix(StringBuilder html, MdtPage page)
    {
        html.Append("<h2 id=\"therapies\">Therapies</h2><p class=\"hint no-print\">Open a reason for its rules, dated inputs and evidence.</p>")
            .Append("<table id=\"matrix\"><thead><tr><th scope=\"col\">Status and therapy</th><th scope=\"col\">Decisive reason; rules, inputs and evidence</th></tr></thead><tbody>");
        foreach (var a in page.Evaluation.Report.Assessments)
        {
            var decisive = a.Findings.FirstOrDefault(f => f.Effect.AsStatus() == a.Status);
            var others = a.Findings.Where(f => f != decisive && (f.Effect.AsStatus() == a.Status || f.Effect is FindingEffect.Note or FindingEffect.Technique)).ToList();
            html.Append(CultureInfo.InvariantCulture, $"<tr data-therapy=\"{a.Therapy.Code()}\" data-status=\"{a.Status.Code()}\"><th scope=\"row\">{Badge(a.Status)} ")
                .Append(CultureInfo.InvariantCulture, $"<span class=\"therapy\">{E(TherapyNames.Display(a.Therapy))} <span class=\"code\">{a.Therapy.Code()}</span></span></th><td><details><summary>");
            html.Append(decisive is not null
                ? $"<strong>{E(decisive.Rule)}</strong> {E(decisive.Reason)}"
                : a.Missing.Count > 0 ? $"Missing: {E(string.Join(", ", a.Missing.Select(m => FactNames.Text(m.Fact)).Distinct()))}" : E(a.Status.Code()));
            html.Append("</summary><ul class=\"findings\">");
            if (decisive is not null)
            {
                html.Append("<li>");
                Support(html, page.PatientId, decisive);
                html.Append("</li>");
            }

            foreach (var f in others)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li><strong>{E(f.Rule)}</strong> {E(f.Reason)}. ");
                Support(html, page.PatientId, f);
                html.Append("</li>");
            }

            foreach (var m in a.Missing)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li class=\"missing\"><strong>{E(m.Rule)}</strong> missing: {E(FactNames.Text(m.Fact))} (order: {E(Orders.Text(m.Order))}).</li>");
            }

            foreach (var p in a.Prerequisites)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li><strong>{E(p.Rule)}</strong> before treatment: {E(p.Description)}.</li>");
            }

            html.Append("</ul></details></td></tr>");
        }

        html.Append("</tbody></table>");
    }

    /// <summary>What a finding stands on: site policy, the dated inputs (each labelled, the label linked to its source) and the evidence.</summary>
    private static void Support(StringBuilder html, string patientId, Finding f)
    {
        if (f.SitePolicy.Count > 0)
        {
            html.Append("<em>Site policy.</em> ");
        }

        if (f.Inputs.Count > 0)
        {
            html.Append("<span class=\"inputs\">Inputs: ").AppendJoin("; ", f.Inputs.Select(i => MdtLabels.Input(patientId, i))).Append(".</span> ");
        }

        if (f.Evidence.Count > 0)
        {
            html.Append("<span class=\"evidence\">Evidence: ").AppendJoin("; ", f.Evidence.Select(e => EvidenceLink(e.ToString(), e.Article))).Append(".</span>");
        }
    }

    /// <summary>The status as a word with its own symbol: never by colour alone.</summary>
    private static string Badge(EligibilityStatus status) =>
        $"<span class=\"status status-{status.Code()}\"><span aria-hidden=\"true\">{Symbol(status)}</span> {E(status.Code().Replace('-', ' '))}</span>";

    private static string Symbol(EligibilityStatus status) => status switch
    {
        EligibilityStatus.Eligible => "✓",
        EligibilityStatus.Consider => "◐",
        EligibilityStatus.InsufficientData => "?",
        EligibilityStatus.Contraindicated => "✕",
        _ => "–",
    };

    private static void Missing(StringBuilder html, EligibilityReport report)
    {
        html.Append("<h2 id=\"missing-data\">Missing data</h2>");
        var missing = report.Assessments.SelectMany(a => a.Missing.Select(m => (a.Therapy, Missing: m))).GroupBy(x => x.Missing.Order).ToList();
        if (missing.Count == 0)
        {
            html.Append("<p id=\"missing\">Nothing the rules need is missing.</p>");
            return;
        }

        html.Append("<table id=\"missing\"><thead><tr><th scope=\"col\">Order that would supply it</th><th scope=\"col\">Missing input</th><th scope=\"col\">Needed for</th><th scope=\"col\">Rules</th></tr></thead><tbody>");
        foreach (var order in missing)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(Orders.Text(order.Key))}</td><td>{E(string.Join(", ", order.Select(x => FactNames.Text(x.Missing.Fact)).Distinct()))}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td>{E(string.Join(", ", order.Select(x => x.Therapy.Code()).Distinct()))}</td><td>{E(string.Join(", ", order.Select(x => x.Missing.Rule).Distinct()))}</td></tr>");
        }

        html.Append("</tbody></table>");
    }

    private static void Charts(StringBuilder html, MdtPage page)
    {
        var window = page.Window;
        html.Append("<h2 id=\"over-time\">Over time</h2><p class=\"window\">")
            .Append(window.From is { } from
                ? $"The last 24 months, {Day(from)} to {Day(window.AsOf)}. <a id=\"history\" class=\"no-print\" href=\"?history=full#over-time\">Show the full history</a>"
                : $"The full history, to {Day(window.AsOf)}. <a id=\"history\" class=\"no-print\" href=\"?#over-time\">Show the last 24 months</a>")
            .Append("</p><div class=\"charts\">");
        foreach (var chart in page.Charts)
        {
            Figure(html, page.PatientId, chart);
        }

        html.Append("</div>");
    }

    private static void Figure(StringBuilder html, string patientId, ChartFigure chart)
    {
        html.Append(CultureInfo.InvariantCulture, $"<figure id=\"chart-{chart.Id}\"><figcaption id=\"chart-{chart.Id}-caption\">{E(chart.Title)}</figcaption>");
        if (chart.Svg is not null)
        {
            html.Append(chart.Svg);
        }

        if (chart.Legend.Count > 0)
        {
            html.Append("<ul class=\"legend\">");
            foreach (var entry in chart.Legend)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li>{Swatch(entry)}{E(entry.Label)}</li>");
            }

            html.Append("</ul>");
        }

        var notes = new List<string>();
        if (chart.Note is not null)
        {
            notes.Add(E(chart.Note));
        }

        if (chart.Earlier > 0 && chart.Points.Count > 0)
        {
            notes.Add($"{chart.Earlier} earlier value{(chart.Earlier == 1 ? "" : "s")} in the full history.");
        }

        if (notes.Count > 0)
        {
            html.Append("<p class=\"note\">").AppendJoin(" ", notes).Append("</p>");
        }

        if (chart.Points.Count > 0)
        {
            // One row per plotted point, its value linked to the resource it came from: readable by a screen reader,
            // where links inside the SVG would not be. Folded: the chart is the summary, the table the detail.
            html.Append(CultureInfo.InvariantCulture, $"<details class=\"values\"><summary>Values and sources ({chart.Points.Count})</summary>")
                .Append(CultureInfo.InvariantCulture, $"<table class=\"points\"><caption class=\"visually-hidden\">{E(chart.Title)}: each value and its source</caption>")
                .Append("<thead><tr><th scope=\"col\">Date</th><th scope=\"col\">Series</th><th scope=\"col\">Value as written</th></tr></thead><tbody>");
            foreach (var p in chart.Points)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Day(p.Date)}</td><td>{E(p.Series)}</td><td class=\"value\">{MdtLabels.Linked(patientId, p.Source, p.Written, "source")}</td></tr>");
            }

            html.Append("</tbody></table></details>");
        }

        html.Append("</figure>");
    }

    /// <summary>A legend line drawn as the chart draws it: colour, dash and marker, so the two can be matched without colour.</summary>
    private static string Swatch(LegendEntry entry) =>
        $"<svg class=\"swatch\" width=\"22\" height=\"10\" aria-hidden=\"true\"><line x1=\"0\" y1=\"5\" x2=\"22\" y2=\"5\" stroke=\"{entry.Colour}\" stroke-width=\"2\"{(entry.Dash is null ? "" : $" stroke-dasharray=\"{entry.Dash}\"")}/>"
        + entry.Marker switch
        {
            "circle" => $"<circle cx=\"11\" cy=\"5\" r=\"3\" fill=\"{entry.Colour}\"/>",
            "square" => $"<rect x=\"8\" y=\"2\" width=\"6\" height=\"6\" fill=\"{entry.Colour}\"/>",
            "diamond" => $"<path d=\"M11 1 L15 5 L11 9 L7 5 Z\" fill=\"{entry.Colour}\"/>",
            "open" => $"<circle cx=\"11\" cy=\"5\" r=\"3.5\" fill=\"#fff\" stroke=\"{entry.Colour}\" stroke-width=\"1.5\"/>",
            _ => "",
        }
        + "</svg>";

    private static void Also(StringBuilder html, MdtPage page)
    {
        var evaluation = page.Evaluation;
        if (evaluation.Report.AlsoReported.Count > 0)
        {
            html.Append("<h2 id=\"also\">Also reported</h2><ul class=\"also\">");
            foreach (var item in evaluation.Report.AlsoReported)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li><strong>{E(item.Topic)}</strong> {E(item.Text)}</li>");
            }

            html.Append("</ul>");
        }

        if (evaluation.Mapping.Problems.Count > 0)
        {
            html.Append("<h2>Data not used</h2><ul id=\"data-problems\">");
            foreach (var p in evaluation.Mapping.Problems)
            {
                var type = p.Resource.Split('/')[0];
                html.Append(CultureInfo.InvariantCulture, $"<li>{MdtLabels.Linked(page.PatientId, p.Resource, type, "source")}{(p.Element is null ? "" : $" ({E(p.Element)})")}: {E(p.Message)}</li>");
            }

            html.Append("</ul>");
        }
    }

    private static string EvidenceLink(string text, string article) =>
        TherapyNames.ArticleTitles.TryGetValue(article, out var title)
            ? $"<a href=\"https://pubmed.ncbi.nlm.nih.gov/?term={Uri.EscapeDataString(title)}\" rel=\"noreferrer\">{E(text)}</a>"
            : E(text);

    private static string Instant(DateTimeOffset instant) => instant.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}

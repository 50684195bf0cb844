using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using NetCds.Domain.Engine;
using NetCds.Fhir;
using NetCds.Fhir.Input;
using NetCds.Service.Cards;
using NetCds.Service.Demo;
using static NetCds.Service.Mdt.Html;

namespace NetCds.Service.Mdt;

/// <summary>
/// <c>/</c>: what the service is, whether it runs, and (with the demo on) every demo patient with links to its MDT
/// view and to the cards an EHR would show; <c>/assets/netcds.css</c>, the pages' one stylesheet.
/// </summary>
public static partial class LandingPage
{
    private static readonly string Stylesheet = ReadStylesheet();

    public static IEndpointRouteBuilder MapLandingPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", Show).ExcludeFromDescription();
        app.MapGet("/assets/netcds.css", () => Results.Text(Stylesheet, "text/css; charset=utf-8")).ExcludeFromDescription();
        if (app.ServiceProvider.GetRequiredService<IOptions<DemoOptions>>().Value.Enabled)
        {
            app.MapGet("/demo/seeds/{name}/cards", Cards).ExcludeFromDescription();
        }

        return app;
    }

    private static IResult Show(IOptions<DemoOptions> demo, DemoSeeds seeds, EndpointDataSource endpoints)
    {
        var version = typeof(LandingPage).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        var html = new StringBuilder();
        html.Append("<h1>NetCds: decision support for NET liver metastases</h1>")
            .Append("<p>NetCds reads a patient's FHIR R4 data (chromogranin A, Ki-67, imaging, diagnoses, treatments), works out the eligibility ")
            .Append("of every therapy the review articles describe (resection, ablation, TAE/TACE, radioembolization, transplant, somatostatin analogues, ")
            .Append("interferon, PRRT, MIBG, everolimus, sunitinib, chemotherapy) and answers EHRs with CDS Hooks cards. Every answer is decision support ")
            .Append("for a multidisciplinary team, not an order: it says what was found, why, from which data and what is missing.</p>");
        html.Append(CultureInfo.InvariantCulture, $"<h2>Health</h2><p id=\"health\"><span class=\"status status-eligible\">live</span> version {E(version)}, rules {E(EligibilityEngine.RulesVersion)}, .NET {E(Environment.Version.ToString())}. ")
            .Append("<a href=\"/health/live\">/health/live</a> · <a href=\"/version\">/version</a> · <a href=\"/cds-services\">CDS Hooks discovery</a> (needs a CDS Hooks JWT)");
        if (endpoints.Endpoints.OfType<RouteEndpoint>().FirstOrDefault(e => e.RoutePattern.RawText?.Contains("openapi", StringComparison.OrdinalIgnoreCase) == true) is { } openApi)
        {
            html.Append(CultureInfo.InvariantCulture, $" · <a href=\"/{E(openApi.RoutePattern.RawText!.TrimStart('/').Replace("{documentName}", "v1", StringComparison.Ordinal))}\">OpenAPI document</a>");
        }

        html.Append("</p>");
        if (!demo.Value.Enabled)
        {
            html.Append("<p>The demo patients are off (<code>Demo:Enabled=false</code>).</p>");
            return Result(Page("NetCds", html.ToString()));
        }

        html.Append("<h2>Demo patients</h2><p class=\"muted\">Synthetic patients (no real people), evaluated as of ")
            .Append(DemoSeeds.SeedInstant.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(".</p><ul class=\"seeds\" id=\"seeds\">");
        foreach (var name in seeds.Names)
        {
            var patientId = seeds.PatientIdOf(name);
            html.Append(CultureInfo.InvariantCulture, $"<li data-seed=\"{E(name)}\"><code>{E(name)}</code>: <a class=\"mdt\" href=\"/mdt/{E(patientId)}\">MDT view</a> · ")
                .Append(CultureInfo.InvariantCulture, $"<a class=\"cards\" href=\"/demo/seeds/{E(name)}/cards\">cards an EHR would show</a> · <a href=\"/demo/seeds/{E(name)}\">FHIR Bundle</a></li>");
        }

        html.Append("</ul>");
        return Result(Page("NetCds", html.ToString()));
    }

    /// <summary>The patient-view cards for a seed, drawn the way an EHR draws them: summary, indicator, detail, suggestions, links.</summary>
    private static IResult Cards(string name, HttpRequest request, DemoSeeds seeds, FhirEvaluation evaluation, CardBuilder builder)
    {
        if (seeds.Bundle(name) is not { } bundle)
        {
            return Results.NotFound();
        }

        var serviceBase = $"{request.Scheme}://{request.Host}{request.PathBase}";
        var result = evaluation.Evaluate(FhirInput.Parse(bundle).Resource!, DemoSeeds.SeedInstant)!;
        var html = new StringBuilder("<nav class=\"no-print\"><a href=\"/\">NetCds</a></nav>");
        html.Append(CultureInfo.InvariantCulture, $"<h1>Cards for {E(name)}</h1><p class=\"muted\">What the patient-view service answers for this patient, as an EHR shows it.</p>");
        foreach (var card in builder.PatientView(result, new CardLinks($"{serviceBase}/cds-services", serviceBase)))
        {
            Card(html, card);
        }

        return Result(Page($"Cards: {name}", html.ToString()));
    }

    private static void Card(StringBuilder html, Card card)
    {
        html.Append(CultureInfo.InvariantCulture, $"<section class=\"card card-{E(card.Indicator)}\" data-indicator=\"{E(card.Indicator)}\"><h2 class=\"summary\">{E(card.Summary)}</h2>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{E(card.Indicator)} · {E(card.Source.Label)}</p>");
        if (card.Detail is not null)
        {
            html.Append("<pre class=\"detail\">").Append(Bold().Replace(E(card.Detail), "<strong>$1</strong>")).Append("</pre>");
        }

        if (card.Suggestions is { Count: > 0 } suggestions)
        {
            html.Append("<ul class=\"suggestions\">");
            foreach (var s in suggestions)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li><button type=\"button\" disabled>{E(s.Label)}</button></li>");
            }

            html.Append("</ul>");
        }

        foreach (var link in card.Links ?? [])
        {
            html.Append(CultureInfo.InvariantCulture, $"<a class=\"link\" href=\"{E(link.Url)}\">{E(link.Label)}</a> ");
        }

        html.Append("</section>");
    }

    private static string ReadStylesheet()
    {
        using var stream = typeof(LandingPage).Assembly.GetManifestResourceStream("assets/netcds.css")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"\*\*(.+?)\*\*")]
    private static partial Regex Bold();
}

using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.Extensions.Options;
using NetCds.Domain.Engine;
using NetCds.Service.Demo;
using static NetCds.Service.Mdt.Html;

namespace NetCds.Service.Mdt;

/// <summary>
/// <c>/</c>: what the service is, whether it runs, and (with the demo on) every demo patient with links to its MDT
/// view and to the cards an EHR would show; <c>/assets/netcds.css</c>, the pages' one stylesheet, and their scripts.
/// </summary>
public static class LandingPage
{
    private static readonly string Stylesheet = ReadAsset("assets/netcds.css");
    private static readonly string CardsScript = ReadAsset("assets/cards.js");
    private static readonly string MdtScript = ReadAsset("assets/mdt.js");

    public static IEndpointRouteBuilder MapLandingPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", Show).ExcludeFromDescription();
        app.MapGet("/assets/netcds.css", () => Results.Text(Stylesheet, "text/css; charset=utf-8")).ExcludeFromDescription();
        app.MapGet("/assets/cards.js", () => Results.Text(CardsScript, "text/javascript; charset=utf-8")).ExcludeFromDescription();
        app.MapGet("/assets/mdt.js", () => Results.Text(MdtScript, "text/javascript; charset=utf-8")).ExcludeFromDescription();
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
            return Result(Page("NetCds", $"<main>{html}</main>"));
        }

        html.Append("<h2>Demo patients</h2><p class=\"muted\">Synthetic patients (no real people), evaluated as of ")
            .Append(DemoSeeds.SeedInstant.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(".</p><ul class=\"seeds\" id=\"seeds\">");
        foreach (var name in seeds.Names)
        {
            var patientId = seeds.PatientIdOf(name);
            html.Append(CultureInfo.InvariantCulture, $"<li data-seed=\"{E(name)}\"><code>{E(name)}</code>: <a class=\"mdt\" href=\"/mdt/{E(patientId)}\">MDT view</a> · ")
                .Append(CultureInfo.InvariantCulture, $"<a class=\"cards\" href=\"/demo/seeds/{E(name)}/cards\">cards an EHR would show</a> (patient-view call) · <a href=\"/demo/seeds/{E(name)}\">FHIR Bundle</a></li>");
        }

        html.Append("</ul>");
        return Result(Page("NetCds", $"<main>{html}</main>"));
    }

    /// <summary>
    /// The patient-view cards for a seed, as an EHR shows them: the page's script (<c>/assets/cards.js</c>) makes the
    /// real CDS Hooks call with the demo client's token and draws the cards from the answer.
    /// </summary>
    private static IResult Cards(string name, DemoSeeds seeds)
    {
        if (seeds.Bundle(name) is null)
        {
            return Results.NotFound();
        }

        var html = new StringBuilder("<nav class=\"no-print\"><a href=\"/\">NetCds</a></nav><main>");
        html.Append(CultureInfo.InvariantCulture, $"<h1>Cards for {E(name)}</h1>")
            .Append("<p class=\"muted\">What the patient-view service answers for this patient, called by this page as an EHR calls it and drawn as an EHR draws it. ")
            .Append("Suggestions are shown but do not order here.</p>")
            .Append("<p id=\"cards-status\" role=\"status\"></p>")
            .Append(CultureInfo.InvariantCulture, $"<div id=\"cards\" data-seed=\"{E(name)}\" data-patient=\"{E(seeds.PatientIdOf(name))}\"></div>")
            .Append("</main><script src=\"/assets/cards.js\" defer></script>");
        return Result(Page($"Cards: {name}", html.ToString()));
    }

    private static string ReadAsset(string name)
    {
        using var stream = typeof(LandingPage).Assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NetCds.Service.Demo;
using NetCds.Service.Fhir;
using NetCds.Service.Storage;
using static NetCds.Service.Mdt.Html;

namespace NetCds.Service.Mdt;

/// <summary>
/// <c>/mdt/{patientId}/source/{type}/{id}</c>: the FHIR resource a value on the MDT view came from, as the service holds
/// it (the demo seed's Bundle entry, or the stored resource), so every plotted point can be checked against its source.
/// Same access as the view; a resource of another patient is not found.
/// </summary>
public static class MdtSources
{
    public static IEndpointRouteBuilder MapMdtSources(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/mdt/{patientId}/source/{type}/{id}", ShowAsync).ExcludeFromDescription();
        return app;
    }

    /// <summary>The link for a fact's source (<c>Observation/abc</c>), or null when it is not a reference this route can resolve.</summary>
    public static string? Link(string patientId, string source)
    {
        var parts = source.Split('/');
        return parts.Length == 2 && FhirIds.Check(parts[0], parts[1]) is null && FhirIds.IsValidId(patientId)
            ? $"/mdt/{patientId}/source/{parts[0]}/{parts[1]}"
            : null;
    }

    private static async Task<IResult> ShowAsync(
        string patientId, string type, string id, HttpContext http, IOptions<DemoOptions> demo, DemoSeeds seeds, StoreContext store, CancellationToken cancellationToken)
    {
        var seed = demo.Value.Enabled ? seeds.NameOfPatient(patientId) : null;
        if (await MdtAccess.RefusalAsync(http, patientId, seed is not null) is { } refusal)
        {
            return refusal;
        }

        if (FhirIds.Check(type, id) is not null || !FhirIds.IsValidId(patientId))
        {
            return Results.Text("Not a FHIR resource reference.", statusCode: StatusCodes.Status404NotFound);
        }

        var json = await JsonAsync(seed, seeds, store, patientId, type, id, cancellationToken);
        if (json is null)
        {
            return Results.Text("This patient has no such resource here.", statusCode: StatusCodes.Status404NotFound);
        }

        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<nav class=\"no-print\"><a href=\"/\">NetCds</a> · <a href=\"/mdt/{E(patientId)}\">back to the MDT view</a></nav>")
            .Append(CultureInfo.InvariantCulture, $"<main><h1>{E(type)}/{E(id)}</h1><p class=\"muted\">The resource as this service holds it (FHIR R4 JSON).</p>")
            .Append("<pre class=\"resource\" id=\"resource\">").Append(E(json)).Append("</pre></main>");
        return Result(Page($"{type}/{id}", html.ToString()));
    }

    /// <summary>The resource as the service holds it (the seed's Bundle entry, or the stored one of this patient), indented; null when there is none.</summary>
    internal static async Task<string?> JsonAsync(string? seed, DemoSeeds seeds, StoreContext store, string patientId, string type, string id, CancellationToken cancellationToken) =>
        seed is not null ? FromSeed(seeds.Bundle(seed)!, type, id) : await FromStoreAsync(store, patientId, type, id, cancellationToken);

    private static string? FromSeed(string bundle, string type, string id)
    {
        using var document = JsonDocument.Parse(bundle);
        foreach (var entry in document.RootElement.GetProperty("entry").EnumerateArray())
        {
            if (entry.TryGetProperty("resource", out var resource)
                && resource.TryGetProperty("resourceType", out var t) && t.GetString() == type
                && resource.TryGetProperty("id", out var i) && i.GetString() == id)
            {
                return Indented(resource);
            }
        }

        return null;
    }

    private static async Task<string?> FromStoreAsync(StoreContext store, string patientId, string type, string id, CancellationToken cancellationToken)
    {
        var patient = $"Patient/{patientId}";
        var json = await store.Resources.AsNoTracking()
            .Where(r => r.ResourceType == type && r.ResourceId == id && !r.Deleted && r.Json != null
                && (r.Patient == patient || (r.ResourceType == "Patient" && r.ResourceId == patientId)))
            .Select(r => r.Json)
            .FirstOrDefaultAsync(cancellationToken);
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return Indented(document.RootElement);
    }

    private static string Indented(JsonElement element) => JsonSerializer.Serialize(element, IndentedOptions);

    private static readonly JsonSerializerOptions IndentedOptions = new() { WriteIndented = true };
}

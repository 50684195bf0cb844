using System.Collections.Frozen;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using NetCds.Fhir;
using NetCds.Fhir.Input;
using NetCds.Fhir.Reporting;
using NetCds.Service.Fhir;

namespace NetCds.Service.Demo;

/// <summary>Configuration section <c>Demo</c>.</summary>
public sealed class DemoOptions
{
    /// <summary>Serve the synthetic demo patients, and trust the demo CDS client the landing page calls patient-view with (on by default for the embedded set-up; turn off in production).</summary>
    public bool Enabled { get; init; } = true;
}

/// <summary>The synthetic patients of <c>seeds/</c>, embedded in the service: a demo that needs nothing installed.</summary>
public sealed class DemoSeeds
{
    /// <summary>The instant the seeds were written for: their "progressing within 12 months" counts from here.</summary>
    public static readonly DateTimeOffset SeedInstant = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly FrozenDictionary<string, string> _bundles;
    private readonly FrozenDictionary<string, string> _byPatientId;

    public DemoSeeds()
    {
        var assembly = typeof(DemoSeeds).Assembly;
        _bundles = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("seeds/", StringComparison.Ordinal))
            .ToFrozenDictionary(
                n => Path.GetFileNameWithoutExtension(n["seeds/".Length..]),
                n =>
                {
                    using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                    return reader.ReadToEnd();
                });
        _byPatientId = _bundles.ToFrozenDictionary(b => PatientIdIn(b.Value), b => b.Key, StringComparer.Ordinal);
    }

    /// <summary>The seed whose Patient has this id (seed-01 …), for pages addressed by patient.</summary>
    public string? NameOfPatient(string patientId) => _byPatientId.GetValueOrDefault(patientId);

    public string PatientIdOf(string name) => _byPatientId.First(p => p.Value == name).Key;

    private static string PatientIdIn(string bundle)
    {
        using var json = System.Text.Json.JsonDocument.Parse(bundle);
        return json.RootElement.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource"))
            .First(r => r.GetProperty("resourceType").GetString() == "Patient").GetProperty("id").GetString()!;
    }

    public IEnumerable<string> Names => _bundles.Keys.Order(StringComparer.Ordinal);

    public string? Bundle(string name) => _bundles.GetValueOrDefault(name);
}

public sealed record SeedSummary(string Name, string Bundle, string Eligibility);

public static class DemoApi
{
    public static IHostApplicationBuilder AddDemo(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DemoSeeds>();
        AddDemoCdsClient(builder.Services);
        builder.Services.AddHostedService<DemoStartupReport>();
        return builder;
    }

    /// <summary>The demo CDS client and its options, for the CDS Hooks JWT check; safe to call more than once.</summary>
    public static void AddDemoCdsClient(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(DemoCdsClient)))
        {
            return;
        }

        services.AddOptions<DemoOptions>().BindConfiguration("Demo");
        services.AddSingleton<DemoCdsClient>();
        // The demo client's issuer joins the CDS Hooks check's trusted issuers through the shared source (issue 20).
        services.AddSingleton<Security.ILocalTokenIssuers>(provider => provider.GetRequiredService<DemoCdsClient>());
    }

    public static IEndpointRouteBuilder MapDemoApi(this IEndpointRouteBuilder app)
    {
        var enabled = app.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<DemoOptions>>().Value.Enabled;
        if (!enabled)
        {
            return app;
        }

        var demo = app.MapGroup("/demo/seeds").WithTags("Demo");
        demo.MapGet("", (DemoSeeds seeds) => TypedResults.Ok(seeds.Names.Select(n => new SeedSummary(n, $"/demo/seeds/{n}", $"/demo/seeds/{n}/eligibility"))));
        demo.MapGet("/{name}", Results<ContentHttpResult, NotFound> (string name, DemoSeeds seeds) =>
            seeds.Bundle(name) is { } json ? TypedResults.Content(json, FhirResults.FhirJson) : TypedResults.NotFound());
        demo.MapGet("/{name}/eligibility", Evaluate);
        app.MapDemoCdsClient();
        return app;
    }

    /// <param name="asOf">Defaults to the instant the seeds were written for, so the demo shows what they were built to show.</param>
    private static Results<JsonHttpResult<ReportDocument>, NotFound, ContentHttpResult> Evaluate(string name, string? asOf, DemoSeeds seeds, FhirEvaluation evaluation)
    {
        if (seeds.Bundle(name) is not { } json)
        {
            return TypedResults.NotFound();
        }

        var instant = DemoSeeds.SeedInstant;
        if (asOf is not null)
        {
            if (FhirResults.ParseAsOf(asOf) is not { } requested)
            {
                return FhirResults.Problem(OperationOutcome.IssueType.Value, "asOf is not an ISO 8601 date or date-time between the years 1900 and 2200.", StatusCodes.Status400BadRequest, "asOf");
            }

            instant = requested;
        }

        var result = evaluation.Evaluate(FhirInput.Parse(json).Resource!, instant);
        return result is null ? TypedResults.NotFound() : TypedResults.Json(result.Document, ReportDocument.JsonOptions);
    }
}

using System.ComponentModel.DataAnnotations;
using NetCds.Domain.Policy;
using NetCds.Fhir;
using NetCds.Fhir.Terminology;

namespace NetCds.Service.Fhir;

/// <summary>Configuration section <c>Fhir</c>.</summary>
public sealed class FhirOptions
{
    public const string Section = "Fhir";

    /// <summary>A site's terminology additions (same shape as the built-in map); empty for none.</summary>
    public string? TerminologyMapPath { get; init; }

    /// <summary>Largest request body accepted, in bytes.</summary>
    [Range(1024, 512L * 1024 * 1024)]
    public long MaxRequestBytes { get; init; } = 10L * 1024 * 1024;
}

public static class FhirExtensions
{
    /// <summary>The terminology map (built-in plus the site's file, read once at start) and the evaluation pipeline.</summary>
    public static IHostApplicationBuilder AddFhirInput(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<FhirOptions>().BindConfiguration(FhirOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp =>
        {
            var path = builder.Configuration[$"{FhirOptions.Section}:{nameof(FhirOptions.TerminologyMapPath)}"];
            if (string.IsNullOrWhiteSpace(path))
            {
                return TerminologyMap.Default;
            }

            // A configured file that is missing or invalid stops the host: silently falling back would drop the site's codes.
            using var site = File.OpenRead(path);
            return TerminologyMap.WithSiteAdditions(site);
        });
        builder.Services.AddSingleton(sp => new FhirEvaluation(sp.GetRequiredService<TerminologyMap>(), sp.GetRequiredService<EligibilityPolicy>()));
        return builder;
    }
}

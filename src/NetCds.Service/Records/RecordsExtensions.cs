using Microsoft.Extensions.DependencyInjection.Extensions;

namespace NetCds.Service.Records;

public static class RecordsExtensions
{
    /// <summary>Loading a patient's record (parsed once per version), recomputing its report, their settings.</summary>
    public static IHostApplicationBuilder AddPatientRecords(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestionOptions>().BindConfiguration("Ingestion").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton<ParsedResources>();
        builder.Services.AddScoped<PatientRecord>();
        builder.Services.AddScoped<EligibilityRecompute>();
        builder.Services.AddSingleton<RecomputeProbe>();
        builder.Services.AddSingleton<RecomputeGathering>();
        builder.Services.AddSingleton<FactState>();
        builder.Services.AddSingleton<PatientFactStates>();
        builder.Services.AddHostedService<FactStateRederivation>();
        builder.Services.AddHostedService<MemoryBudgetReport>();
        return builder;
    }
}

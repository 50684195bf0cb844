using MassTransit;
using NetCds.Service.Ops;

namespace NetCds.Service.Ingestion;

public static class IngestionExtensions
{
    /// <summary>
    /// The ingestion engine (group commit) and the bus's ways in (<c>netcds-fhir-inbound</c>, <c>netcds-fhir-raw</c>).
    /// Call before <c>AddMessaging</c>: the bus picks the consumers up from here, so the bus code does not know them
    /// (issue 19: every way in lives in Ingestion).
    /// </summary>
    public static IHostApplicationBuilder AddIngestion(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddScoped<ResourceIngestion>();
        builder.Services.AddSingleton<IngestionGroupCommit>();
        builder.Services.AddSingleton(new BusConsumerRegistration(bus =>
        {
            bus.AddConsumer<FhirResourceSubmittedConsumer, FhirResourceSubmittedConsumerDefinition>();
            bus.AddConsumer<RawFhirJsonConsumer, RawFhirJsonConsumerDefinition>();
        }));
        return builder;
    }
}

using NetCds.Service.CdsHooks;
using NetCds.Service.Demo;
using NetCds.Service.Eligibility;
using NetCds.Service.Errors;
using NetCds.Service.Fhir;
using NetCds.Service.Ingestion;
using NetCds.Service.Mdt;
using NetCds.Service.Mdt.SmartLaunch;
using NetCds.Service.Messaging;
using NetCds.Service.OpenApi;
using NetCds.Service.Ops;
using NetCds.Service.Outbox;
using NetCds.Service.Records;
using NetCds.Service.Security;
using NetCds.Service.Storage;
using NetCds.Service.Subscriptions;

// Settings are read from the service's own directory, not the working directory (see ContentRoot.Default).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = ContentRoot.Default(args) });

// The one clock: every feature takes TimeProvider from here, so tests run the service on a clock of their own.
#pragma warning disable RS0030 // The composition root is the one place the system clock is chosen (BannedSymbols.txt).
builder.Services.AddSingleton(TimeProvider.System);
#pragma warning restore RS0030

builder.AddOps();
builder.AddErrorResponses();
builder.AddPublicEndpoint();
builder.AddApiSecurity();
builder.AddAdminAuthorization();
builder.AddEligibility();
builder.AddFhirInput();
builder.AddDemo();
builder.AddStore();
builder.AddOutbox();
builder.AddCdsHooks();
builder.AddSmartLaunch();
builder.AddMdtView();
builder.AddPatientRecords();

// Before the bus: it adds the consumers registered here (the bus ways in, the notification consumer).
builder.AddIngestion();
builder.AddSubscriptions();
builder.AddMessaging();
builder.AddApiDocument();

var app = builder.Build();

await app.MigrateStoreAsync();

app.UseErrorResponses();
app.UsePublicEndpoint();
app.UseRequestLogging();

// Browser-based CDS clients: the configured origins only (none by default), preflight answered before routing.
app.UseCors(CdsHooksApi.CorsPolicy);
app.UseApiSecurity();
app.UseRequestTimeout();
app.UseRateLimiter();

app.MapOps();
app.MapEligibilityApi();
app.MapPlanDefinitionApi();
app.MapDemoApi();
app.MapCdsHooksApi();
app.MapIngestionApi();
app.MapBackfillApi();
app.MapDeadLettersApi();
app.MapFhirMetadata();
app.MapSubscriptions();
app.MapLandingPage();
app.MapSmartLaunch();
app.MapMdtView();
app.MapMdtSources();
app.MapApiDocument();

await app.RunAsync();

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;

using NetCds.Service.Eligibility;
using NetCds.Service.Fhir;
using NetCds.Service.Ops;

var builder = WebApplication.CreateBuilder(args);

builder.AddEligibility();
builder.AddFhirInput();

var app = builder.Build();

app.MapOps();
app.MapEligibilityApi();

app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;

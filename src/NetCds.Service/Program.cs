using NetCds.Service.Demo;
using NetCds.Service.Eligibility;
using NetCds.Service.Fhir;
using NetCds.Service.Ops;

var builder = WebApplication.CreateBuilder(args);

builder.AddEligibility();
builder.AddFhirInput();
builder.AddDemo();

var app = builder.Build();

app.MapOps();
app.MapEligibilityApi();
app.MapDemoApi();

app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;

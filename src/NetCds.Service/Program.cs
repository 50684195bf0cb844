using NetCds.Service.Eligibility;
using NetCds.Service.Ops;

var builder = WebApplication.CreateBuilder(args);

builder.AddEligibility();

var app = builder.Build();

app.MapOps();

app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;

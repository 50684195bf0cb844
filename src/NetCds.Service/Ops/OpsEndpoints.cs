using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using NetCds.Domain.Engine;

namespace NetCds.Service.Ops;

/// <summary>What the service is and whether it runs: the endpoints operators and load balancers call.</summary>
public sealed record VersionInfo(string Service, string Version, string RulesVersion, string Runtime);

public static class OpsEndpoints
{
    public static IEndpointRouteBuilder MapOps(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("").WithTags("Ops");

        ops.MapGet("/version", GetVersion);
        app.MapHealth();
        app.MapMetrics();
        return app;
    }

    private static Ok<VersionInfo> GetVersion()
    {
        var assembly = typeof(OpsEndpoints).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "unknown";
        return TypedResults.Ok(new VersionInfo("NetCds", version, EligibilityEngine.RulesVersion, Environment.Version.ToString()));
    }
}

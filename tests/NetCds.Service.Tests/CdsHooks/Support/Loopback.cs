using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace NetCds.Service.Tests.CdsHooks.Support;

/// <summary>A real Kestrel host on 127.0.0.1 with a port picked by the system, configured only by the test.</summary>
internal static class Loopback
{
    public static WebApplicationBuilder CreateBuilder(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        return builder;
    }

    /// <summary>The address the started host actually listens on, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public static string Address(WebApplication app) => app.Urls.Single();
}

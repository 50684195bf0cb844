using System.Diagnostics;
using System.Text.Json;

namespace NetCds.Service.Tests.Ops;

/// <summary>
/// The service's dll started from another working directory (<c>cd /tmp &amp;&amp; dotnet /opt/netcds/NetCds.Service.dll</c>)
/// still reads the appsettings.json beside it: a real process, since WebApplicationFactory always names a content root.
/// </summary>
public sealed class ContentRootTests
{
    [Fact]
    public async Task Started_from_elsewhere_the_service_reads_its_own_appsettings()
    {
        var ct = TestContext.Current.CancellationToken;
        var elsewhere = Directory.CreateTempSubdirectory("netcds-content-root-");
        var dll = Path.Combine(AppContext.BaseDirectory, "NetCds.Service.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [dll, "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = elsewhere.FullName,
        };

        // Production reads appsettings.json alone (Development would switch the console formatter); nothing may name a content root.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment.Remove("ASPNETCORE_CONTENTROOT");
        start.Environment.Remove("DOTNET_CONTENTROOT");
        start.Environment["ConnectionStrings__Store"] = $"Data Source={Path.Combine(elsewhere.FullName, "netcds.db")}";

        string? contentRootLine = null;
        using var process = Process.Start(start)!;
        try
        {
            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));

            // Without its appsettings.json the service stops at once (Service:PublicBaseUrl is required) and stdout ends.
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Contains("Content root path", StringComparison.Ordinal))
                {
                    contentRootLine = line;
                    break;
                }
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            elsewhere.Delete(recursive: true);
        }

        contentRootLine.Should().NotBeNull("the service should start and log its content root");

        // A JSON line: appsettings.json's console formatter, not the built-in default (plain text).
        using var logged = JsonDocument.Parse(contentRootLine!);
        var contentRoot = logged.RootElement.GetProperty("State").GetProperty("ContentRoot").GetString();
        Path.TrimEndingDirectorySeparator(contentRoot!).Should().Be(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
    }
}

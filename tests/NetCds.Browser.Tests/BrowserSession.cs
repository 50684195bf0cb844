using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace NetCds.Browser.Tests;

/// <summary>
/// The real service as its own process on a loopback port (embedded set-up: SQLite, in-memory bus, demo on) and a real
/// headless Chromium from Debian's packages driven through Debian's chromedriver (deploy/local/chromium.sh installs both).
/// </summary>
public sealed class BrowserSession : IAsyncLifetime
{
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"netcds-browser-{Guid.NewGuid():N}.db");
    private Process? _service;

    public Uri BaseAddress { get; private set; } = null!;

    public ChromeDriver? Driver { get; private set; }

    /// <summary>Why the browser tests cannot run here, or null: outside test.sh Chromium may not be installed.</summary>
    public string? Unavailable { get; private set; }

    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public async ValueTask InitializeAsync()
    {
        var chromium = Environment.GetEnvironmentVariable("NETCDS_CHROMIUM") ?? "/usr/bin/chromium";
        var chromedriver = Environment.GetEnvironmentVariable("NETCDS_CHROMEDRIVER") ?? "/usr/bin/chromedriver";
        if (!File.Exists(chromium) || !File.Exists(chromedriver))
        {
            Unavailable = $"Chromium ({chromium}) or chromedriver ({chromedriver}) is not installed: run deploy/local/chromium.sh up (test.sh does).";
            return;
        }

        await StartServiceAsync();
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(chromedriver)!, Path.GetFileName(chromedriver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = chromium };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1600");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        Driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    public ChromeDriver Open(string path)
    {
        if (Unavailable is not null)
        {
            Assert.Skip(Unavailable);
        }

        Driver!.Navigate().GoToUrl(new Uri(BaseAddress, path));
        return Driver;
    }

    /// <summary>Console messages at error level since the last call (reading the log empties it).</summary>
    public IReadOnlyList<string> ConsoleErrors() =>
        [.. Driver!.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= LogLevel.Severe).Select(e => e.Message)];

    public void Screenshot(string name) =>
        Driver!.GetScreenshot().SaveAsFile(Path.Combine(ScreenshotDirectory, $"{name}.png"));

    /// <summary>The whole page, not just the window (Chromium's capture beyond the viewport), for the README's picture.</summary>
    public string FullPageScreenshot(string name)
    {
        var shot = Driver!.ExecuteCdpCommand("Page.captureScreenshot", new Dictionary<string, object?> { ["format"] = "png", ["captureBeyondViewport"] = true });
        var data = shot is Dictionary<string, object?> { } result && result["data"] is string base64 ? base64 : throw new InvalidOperationException("Chromium returned no screenshot.");
        var path = Path.Combine(ScreenshotDirectory, $"{name}.png");
        File.WriteAllBytes(path, Convert.FromBase64String(data));
        return path;
    }

    /// <summary>The page as Chromium prints it on A4 (DevTools Page.printToPDF; the page's own @page rules win): the PDF.</summary>
    public byte[] PrintA4()
    {
        var pdf = Driver!.ExecuteCdpCommand("Page.printToPDF", new Dictionary<string, object?>
        {
            ["paperWidth"] = 8.27,
            ["paperHeight"] = 11.69,
            ["preferCSSPageSize"] = true,
            ["printBackground"] = true,
            ["displayHeaderFooter"] = false,
        });
        return pdf is Dictionary<string, object?> { } result && result["data"] is string base64 ? Convert.FromBase64String(base64) : throw new InvalidOperationException("Chromium returned no PDF.");
    }

    /// <summary>Waits (bounded, 20 s) until <paramref name="condition"/> gives a value: for what the page's script draws after loading.</summary>
    public T Until<T>(Func<IWebDriver, T> condition) =>
        new OpenQA.Selenium.Support.UI.WebDriverWait(Driver!, TimeSpan.FromSeconds(20)).Until(condition);

    public async ValueTask DisposeAsync()
    {
        Driver?.Quit();
        Driver?.Dispose();
        if (_service is { HasExited: false })
        {
            _service.Kill(entireProcessTree: true);
            await _service.WaitForExitAsync();
        }

        _service?.Dispose();
        foreach (var file in new[] { _database, _database + "-wal", _database + "-shm" })
        {
            File.Delete(file);
        }
    }

    private async Task StartServiceAsync()
    {
        var port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [Path.Combine(AppContext.BaseDirectory, "NetCds.Service.dll"), "--urls", BaseAddress.ToString()])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["ConnectionStrings__Store"] = $"Data Source={_database}";
        start.Environment["Storage__Provider"] = "Sqlite";
        start.Environment["Messaging__Transport"] = "InMemory";
        start.Environment["Demo__Enabled"] = "true";
        // The public URL is the one the browser uses: card links and the demo client's token audience come from it.
        start.Environment["Service__PublicBaseUrl"] = BaseAddress.ToString().TrimEnd('/');
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        _service = Process.Start(start)!;
        _service.OutputDataReceived += (_, _) => { };
        _service.ErrorDataReceived += (_, _) => { };
        _service.BeginOutputReadLine();
        _service.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = BaseAddress };
        for (var i = 0; i < 300; i++)
        {
            try
            {
                using var live = await http.GetAsync(new Uri("health/live", UriKind.Relative));
                if (live.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (_service.HasExited)
            {
                throw new InvalidOperationException($"The service exited with code {_service.ExitCode} during start.");
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The service did not answer /health/live within 30 s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetCds.Service.CdsHooks.Prefetch;

using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests.CdsHooks.Support;

/// <summary>The prefetch resolver as the service builds it: a host with <c>AddCdsHooksPrefetch()</c>, started (options validated).</summary>
public sealed class PrefetchHarness : IAsyncDisposable
{
    private readonly IHost _host;

    private PrefetchHarness(IHost host, CapturingLoggerProvider logs)
    {
        _host = host;
        Logs = logs;
    }

    public CapturingLoggerProvider Logs { get; }

    public PrefetchResolver Resolver => _host.Services.GetRequiredService<PrefetchResolver>();

    public static async Task<PrefetchHarness> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        var logs = new CapturingLoggerProvider();
        builder.Logging.AddProvider(logs).AddProvider(NetCds.Service.Tests.Support.RunLogScan.Logs).SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddSingleton<TimeProvider>(TestClock.Shared);
        builder.AddCdsHooksPrefetch();
        var host = builder.Build();
        try
        {
            await host.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new PrefetchHarness(host, logs);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
    }
}

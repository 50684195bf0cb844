using BenchmarkDotNet.Attributes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NetCds.Service.Cards;
using NetCds.Service.CdsHooks.Feedback;
using NetCds.Service.Storage;

namespace NetCds.Benchmarks;

/// <summary>
/// The card memory's writer (issue 20) storing one full batch on the embedded store (SQLite): 500 patient-view answers,
/// each one card about 13 therapies with two decisive rules each (the shape of a real patient-view card), so 500 card
/// rows and their day's shown tallies (26 therapy and rule pairs) in one transaction. What a backlog of remembered cards costs to drain.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(3)]
[IterationCount(15)]
[InvocationCount(1)]
public class CardMemoryBenchmarks
{
    private const int Answers = 500;
    private const int Therapies = 13;

    private IHost? _host;
    private string _file = "";
    private CardMemory? _memory;

    [GlobalSetup]
    public void Setup()
    {
        _file = Path.Combine(Path.GetTempPath(), $"netcds-bench-cards-{Guid.NewGuid():N}.db");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["ConnectionStrings:Store"] = $"Data Source={_file}";
        builder.AddStore();
        builder.AddCardFeedback();
        builder.Services.AddSingleton(TimeProvider.System);
        _host = builder.Build();
        using var scope = _host.Services.CreateScope();
        scope.ServiceProvider.GetRequiredService<StoreContext>().Database.Migrate();
    }

    /// <summary>A new writer with its queue filled before it starts, so its first batch is a full one.</summary>
    [IterationSetup]
    public void Queue()
    {
        _memory = ActivatorUtilities.CreateInstance<CardMemory>(_host!.Services, Options.Create(new CardMemoryOptions { CardMemoryBatchSize = Answers }));
        for (var i = 0; i < Answers; i++)
        {
            _memory.Remember("net-liver-mets-eligibility", "patient-view", Guid.NewGuid().ToString(), "bench-patient", [PatientViewCard()]);
        }
    }

    [Benchmark]
    public async Task<bool> WriteOneFullBatch()
    {
        await _memory!.StartAsync(CancellationToken.None);
        var stored = await _memory.FlushAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        await _memory.StopAsync(CancellationToken.None);
        return stored;
    }

    [IterationCleanup]
    public void Dispose() => _memory?.Dispose();

    [GlobalCleanup]
    public void Cleanup()
    {
        _host?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(_file)!, Path.GetFileName(_file) + "*"))
        {
            File.Delete(file);
        }
    }

    private static Card PatientViewCard() => new()
    {
        Uuid = Guid.NewGuid().ToString(),
        Summary = "NET liver metastases: treatment options for the MDT",
        Indicator = "info",
        Source = new CardSource("NetCds"),
        About = [.. Enumerable.Range(0, Therapies).Select(t => new CardSubject($"Therapy{t}", "eligible", [$"R{t}-1", $"R{t}-2"]))],
    };
}

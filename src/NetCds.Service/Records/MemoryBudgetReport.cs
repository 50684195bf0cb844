using Microsoft.Extensions.Options;

namespace NetCds.Service.Records;

/// <summary>
/// Says at start how much memory the caches may take, and of what heap: an operator who sets a container's memory
/// limit or <c>DOTNET_GCHeapHardLimit</c> sees the budgets follow it (<see cref="IngestionOptions.FactStateBudget"/>).
/// </summary>
internal sealed partial class MemoryBudgetReport(IOptions<IngestionOptions> options, ILogger<MemoryBudgetReport> logger) : IHostedService
{
    private const double MiB = 1024 * 1024;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var heap = IngestionOptions.GcHeapBytes;
        var factStates = options.Value.FactStateBudget(heap);
        var parsed = options.Value.ParsedResourceBudget(heap);
        LogBudgets(logger, heap / MiB, factStates / MiB, parsed / MiB);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Memory: the GC may use {HeapMiB:F0} MiB; fact states up to {FactStatesMiB:F0} MiB, resources kept parsed up to {ParsedMiB:F0} MiB")]
    private static partial void LogBudgets(ILogger logger, double heapMiB, double factStatesMiB, double parsedMiB);
}

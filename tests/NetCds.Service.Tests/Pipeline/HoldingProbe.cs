using NetCds.Service.Records;

namespace NetCds.Service.Tests.Pipeline;

/// <summary>Holds the next recompute of one patient open after it has read the record, until released.</summary>
internal sealed class HoldingProbe : RecomputeProbe
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _patient;

    public Task Reached => _reached.Task;

    public bool Released => _release.Task.IsCompleted;

    public void Arm(string patient) => Volatile.Write(ref _patient, patient);

    public void Release() => _release.TrySetResult();

    public override async Task AfterReadAsync(string patient, CancellationToken cancellationToken)
    {
        if (patient == Volatile.Read(ref _patient) && Interlocked.CompareExchange(ref _patient, null, patient) == patient)
        {
            _reached.TrySetResult();
            await _release.Task.WaitAsync(cancellationToken);
        }
    }
}

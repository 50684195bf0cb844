namespace NetCds.Service.Records;

/// <summary>
/// Awaited by every recompute after it has read the patient's record and evaluated it, before it writes the report:
/// the point where a recompute holds the most (the patient lease, on PostgreSQL its transaction). Does nothing; a
/// test replaces it to hold a recompute open there and show that ingestion for the same patient still commits
/// (issue 19, deliverable 2: ingestion never waits for a recompute).
/// </summary>
public class RecomputeProbe
{
    public virtual Task AfterReadAsync(string patient, CancellationToken cancellationToken) => Task.CompletedTask;
}

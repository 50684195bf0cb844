using System.ComponentModel.DataAnnotations;

namespace NetCds.Service.Records;

/// <summary>Configuration section <c>Ingestion</c>.</summary>
public sealed class IngestionOptions
{
    /// <summary>Most entries accepted in one Bundle.</summary>
    [Range(1, 100_000)]
    public int MaxEntries { get; init; } = 1000;

    /// <summary>
    /// An Observation arriving on the bus with no code the terminology map knows: stored (the default) or refused to
    /// the error queue (<c>DeadLetter</c>), so a site sees codes it has not mapped and replays them once it has.
    /// </summary>
    public UnknownCodePolicy UnknownObservationCodes { get; init; } = UnknownCodePolicy.Store;
}

/// <summary>What to do with an Observation on the bus whose code the terminology map does not know (<c>Ingestion:UnknownObservationCodes</c>).</summary>
public enum UnknownCodePolicy
{
    /// <summary>Store it like any other resource (it supplies no fact until its code is mapped).</summary>
    Store,

    /// <summary>Refuse the whole message: it goes to the error queue naming the code, to be replayed once the site maps it.</summary>
    DeadLetter,
}

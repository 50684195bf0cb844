using NetCds.Fhir.Mapping;

namespace NetCds.Service.CdsHooks.Prefetch;

/// <summary>How a prefetch key's data was obtained.</summary>
public enum PrefetchSource
{
    /// <summary>The request carried it.</summary>
    Prefetched,

    /// <summary>The request set the key to JSON null: the CDS client found no data. Not fetched.</summary>
    NullInRequest,

    /// <summary>Fetched from the request's FHIR server.</summary>
    Fetched,

    /// <summary>Neither carried nor fetchable; <see cref="PrefetchKeyResult.Reason"/> says why.</summary>
    Unavailable,
}

/// <summary>
/// One key's outcome. <see cref="Reason"/> explains anything other than a plain prefetch or fetch (never holds
/// the token or the patient id). <see cref="Truncated"/>: the searchset had more pages than were followed.
/// </summary>
public sealed record PrefetchKeyResult(string Key, PrefetchSource Source, string? Reason, int ResourceCount, bool Truncated = false)
{
    public bool Required => PrefetchTemplates.RequiredKeys.Contains(Key);

    /// <summary>Data the key was meant to supply is missing or may be incomplete.</summary>
    public bool HasGap => Source == PrefetchSource.Unavailable || Truncated;
}

/// <summary>The resources of every prefetch key (Bundles flattened), and how each key was obtained.</summary>
public sealed record PrefetchResolution(IReadOnlyList<SourcedResource> Resources, IReadOnlyDictionary<string, PrefetchKeyResult> Keys)
{
    /// <summary>Required keys without data: a required key that is unavailable, null in the request, or holds no resource of its type.</summary>
    public IReadOnlyList<PrefetchKeyResult> MissingRequired { get; init; } = [];

    /// <summary>Entries of a prefetched Bundle that were not valid FHIR: set aside (named), their neighbours kept.</summary>
    public IReadOnlyList<DataProblem> SetAside { get; init; } = [];

    /// <summary>Whether the service can evaluate; when false the caller answers 412.</summary>
    public bool HasRequiredData => MissingRequired.Count == 0;

    /// <summary>Other keys whose data is missing or incomplete: the card says what could not be fetched.</summary>
    public IReadOnlyList<PrefetchKeyResult> Warnings => [.. Keys.Values.Where(k => !k.Required && k.HasGap)];
}

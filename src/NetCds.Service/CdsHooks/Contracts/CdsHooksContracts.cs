using System.Text.Json;
using NetCds.Service.Cards;
using NetCds.Service.CdsHooks.Prefetch;

namespace NetCds.Service.CdsHooks.Contracts;

// CDS Hooks 2.0 wire types. Optional members are null and omitted when written (the specification forbids null
// and empty values for optional fields); collections that may be empty are set to null by the builders.

public sealed record CdsDiscoveryResponse(IReadOnlyList<CdsServiceDescriptor> Services);

public sealed record CdsServiceDescriptor(
    string Hook,
    string Title,
    string Description,
    string Id,
    IReadOnlyDictionary<string, string>? Prefetch = null,
    string? UsageRequirements = null);

/// <summary>A hook call. <see cref="Context"/> and <see cref="Prefetch"/> stay raw JSON: their shape depends on the hook.</summary>
public sealed record CdsRequest
{
    public string? Hook { get; init; }

    public string? HookInstance { get; init; }

    public string? FhirServer { get; init; }

    public FhirAuthorization? FhirAuthorization { get; init; }

    public JsonElement? Context { get; init; }

    public JsonElement? Prefetch { get; init; }
}

public sealed record FeedbackRequest(IReadOnlyList<FeedbackItem>? Feedback);

public sealed record FeedbackItem
{
    public string? Card { get; init; }

    public string? Outcome { get; init; }

    public IReadOnlyList<AcceptedSuggestion>? AcceptedSuggestions { get; init; }

    public OverrideReason? OverrideReason { get; init; }

    public string? OutcomeTimestamp { get; init; }
}

public sealed record AcceptedSuggestion(string? Id);

public sealed record OverrideReason(Coding? Reason, string? UserComment);

using Hl7.Fhir.Model;
using NetCds.Fhir;
using NetCds.Fhir.Mapping;

namespace NetCds.Service.Records;

/// <summary>
/// Each stored resource's facts (issue 10, "map once"): derived when the resource is accepted and kept beside it
/// (<c>resources.Facts</c>, with the <see cref="Version"/> of the mapping that derived them), so a recompute merges
/// facts and runs the engine instead of parsing and mapping the record. In memory they are held once, in each patient's
/// fact state (<see cref="PatientFactStates"/>, bounded in bytes); a second cache per resource, bounded in entries,
/// held the same facts again and kept them alive after their patient's state was evicted (issue 19, deliverable 7).
/// Facts that depend on more than their resource (<see cref="ResourceFacts.Live"/>) are not kept: they are mapped
/// at each evaluation. Facts kept under another version are mapped afresh when read and re-derived in the background
/// (<see cref="FactStateRederivation"/>).
/// </summary>
public sealed class FactState(FhirEvaluation evaluation)
{
    /// <summary>The mapping version facts are derived under now.</summary>
    public string Version => evaluation.Mapper.Version;

    public FactMapper Mapper => evaluation.Mapper;

    /// <summary>
    /// The facts of a resource of <paramref name="patient"/> being stored, as kept text: null when there is nothing to
    /// keep (no patient) or they must be mapped at each evaluation.
    /// </summary>
    public string? Derive(Resource resource, string? patient, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (patient is null)
        {
            return null;
        }

        var facts = Mapper.MapResource(new SourcedResource(resource, $"{resource.TypeName}/{resource.Id}"), patient, now);
        return facts.Live ? null : FactStateJson.Serialize(facts);
    }
}

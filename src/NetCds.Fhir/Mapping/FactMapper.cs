using System.Security.Cryptography;
using System.Text;
using Hl7.Fhir.Model;
using NetCds.Domain.Facts;
using NetCds.Fhir.Mapping.Readers;
using NetCds.Fhir.Terminology;

namespace NetCds.Fhir.Mapping;

/// <summary>
/// Reads FHIR R4 resources about one patient into the engine's facts, using only the codes of the terminology map:
/// one reader per resource type (namespace <c>Readers</c>), observations through the table from meaning to fact
/// (<see cref="ObservationMeanings"/>). Only usable data counts (catalogue: Observation final/amended/corrected;
/// Condition not refuted or entered in error and active/recurrence/relapse or without clinical status, the
/// tumour's own diagnoses also as history; Procedure completed, or planned for a planned exenteration). What is not
/// used is reported as a <see cref="DataProblem"/>, never dropped silently; resources whose codes the map does not
/// know are simply not about this domain and are passed over.
/// Each resource is read on its own (<see cref="MapResource"/>) and the results merged (<see cref="Merge"/>), so a
/// patient's stored fact state and a mapping of the whole record give the same facts.
/// </summary>
public sealed class FactMapper(TerminologyMap terminology)
{
    /// <summary>
    /// Which mapping kept facts were derived by: the mapping code and the facts model (the build of NetCds.Fhir and
    /// NetCds.Domain: deterministic builds change it exactly when their code changes) and the terminology map.
    /// Facts kept under another version are re-derived.
    /// </summary>
    public string Version { get; } = $"{CodeVersion}-{terminology.Fingerprint}";

    private static string CodeVersion { get; } = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"{typeof(FactMapper).Assembly.ManifestModule.ModuleVersionId}/{typeof(PatientFacts).Assembly.ManifestModule.ModuleVersionId}")))[..16];

    public FactMapping Map(IEnumerable<SourcedResource> resources, DateTimeOffset asOf, string? patient = null)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var all = resources.ToList();
        var identity = PatientIdentity.Resolve(all, patient);
        return Merge(all.Select(item => Read(item, identity, all, asOf)), identity.Reference);
    }

    /// <summary>
    /// The facts one stored resource of <paramref name="patient"/> (<c>Patient/{id}</c>) contributes;
    /// <paramref name="record"/> is what it may refer to (a course's Medication).
    /// </summary>
    public ResourceFacts MapResource(SourcedResource item, string patient, DateTimeOffset asOf, IReadOnlyList<SourcedResource>? record = null)
    {
        ArgumentNullException.ThrowIfNull(item);
        var context = record ?? [item];
        return Read(item, PatientIdentity.Resolve(context, patient), context, asOf);
    }

    /// <summary>One patient's facts from its resources' facts, in record order: duplicates and conflicts settled here.</summary>
    public static FactMapping Merge(IEnumerable<ResourceFacts> resources, string? patient)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var all = resources.ToList();
        var problems = all.SelectMany(r => r.Problems).ToList();
        return new FactMapping(new FactSettling(all, problems).Build(patient), problems);
    }

    /// <summary>
    /// What <see cref="MapResource"/> gives for each of <paramref name="items"/> (in their order) over the same
    /// <paramref name="record"/>, the patient resolved once: per resource it was a scan of the whole record (issue 20:
    /// a hook call's 100 resources cost 10,000 type checks).
    /// </summary>
    public IReadOnlyList<ResourceFacts> MapResources(IReadOnlyList<SourcedResource> items, string patient, DateTimeOffset asOf, IReadOnlyList<SourcedResource> record)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(record);
        var identity = PatientIdentity.Resolve(record, patient);
        var facts = new ResourceFacts[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            facts[i] = Read(items[i], identity, record, asOf);
        }

        return facts;
    }

    private ResourceFacts Read(SourcedResource item, PatientIdentity identity, IReadOnlyList<SourcedResource> all, DateTimeOffset asOf)
    {
        var facts = new ResourceFacts();
        var context = new ReadContext(terminology, facts, identity, asOf, all);
        switch (item.Resource)
        {
            case Patient p when identity.Is(item):
                new PatientReader(context).Read(p, item.Reference);
                break;
            case Observation o:
                new ObservationReader(context).Read(o, item.Reference);
                break;
            case Condition c:
                new ConditionReader(context).Read(c, item.Reference);
                break;
            case Procedure p:
                new ProcedureReader(context).Read(p, item.Reference);
                break;
            case MedicationStatement m:
                new MedicationReader(context).Read(m, item.Reference);
                break;
            case MedicationRequest m:
                new MedicationReader(context).Read(m, item.Reference);
                break;
        }

        return facts;
    }
}

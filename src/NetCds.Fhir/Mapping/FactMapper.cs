using Hl7.Fhir.Model;
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
/// </summary>
public sealed class FactMapper(TerminologyMap terminology)
{
    public FactMapping Map(IEnumerable<SourcedResource> resources, DateTimeOffset asOf, string? patient = null)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var all = resources.ToList();
        var problems = new List<DataProblem>();
        var identity = PatientIdentity.Resolve(all, patient);
        var facts = new FactsCollector(problems);
        var context = new ReadContext(terminology, facts, problems, identity, asOf, all);
        var patients = new PatientReader(context);
        var observations = new ObservationReader(context);
        var conditions = new ConditionReader(context);
        var procedures = new ProcedureReader(context);
        var medications = new MedicationReader(context);
        foreach (var item in all)
        {
            switch (item.Resource)
            {
                case Patient p when identity.Is(item):
                    patients.Read(p, item.Reference);
                    break;
                case Observation o:
                    observations.Read(o, item.Reference);
                    break;
                case Condition c:
                    conditions.Read(c, item.Reference);
                    break;
                case Procedure p:
                    procedures.Read(p, item.Reference);
                    break;
                case MedicationStatement m:
                    medications.Read(m, item.Reference);
                    break;
                case MedicationRequest m:
                    medications.Read(m, item.Reference);
                    break;
            }
        }

        return new FactMapping(facts.Build(identity.Reference), problems);
    }
}

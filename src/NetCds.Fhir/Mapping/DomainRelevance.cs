using Hl7.Fhir.Model;
using NetCds.Fhir.Terminology;

namespace NetCds.Fhir.Mapping;

/// <summary>
/// Whether a resource can ever supply a fact: the same codes the readers look at (<see cref="FactMapper"/>), asked
/// before anything is stored. A feed from an EHR carries mostly other data (blood pressure, appointments' findings,
/// unrelated diagnoses); those are answered and counted, not kept and not recomputed (issue 10, "irrelevant events
/// are cheap"). Types the readers do not code-check (Patient, Medication, ...) always count.
/// </summary>
public static class DomainRelevance
{
    private const string HistologyExtension = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior";

    public static bool IsRelevant(Resource resource, TerminologyMap terminology)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(terminology);
        return resource switch
        {
            Observation o => Knows(terminology, CodeContext.Observation, o.Code) || o.Component.Any(c => Knows(terminology, CodeContext.Observation, c.Code)),
            Condition c => Knows(terminology, CodeContext.Condition, c.Code)
                || c.Extension.Any(e => e.Url == HistologyExtension && Knows(terminology, CodeContext.Condition, e.Value as CodeableConcept)),
            Procedure p => Knows(terminology, CodeContext.Procedure, p.Code),
            MedicationStatement m => Medication(terminology, m.Medication),
            MedicationRequest m => Medication(terminology, m.Medication),
            _ => true,
        };
    }

    /// <summary>The codings of what was not used, for the answer ("system|code, ...").</summary>
    public static string Codes(Resource resource) => resource switch
    {
        Observation o => Describe(o.Code),
        Condition c => Describe(c.Code),
        Procedure p => Describe(p.Code),
        MedicationStatement { Medication: CodeableConcept c } => Describe(c),
        MedicationRequest { Medication: CodeableConcept c } => Describe(c),
        _ => "",
    };

    // A reference to a Medication resource names no drug until resolved: kept, as the reader reports it when unresolved.
    private static bool Medication(TerminologyMap terminology, DataType? medication) =>
        medication is not CodeableConcept concept || Knows(terminology, CodeContext.Medication, concept);

    private static bool Knows(TerminologyMap terminology, CodeContext context, CodeableConcept? concept) =>
        concept?.Coding.Any(c => terminology.Meanings(context, c.System, c.Code).Count > 0) == true;

    private static string Describe(CodeableConcept? concept) =>
        concept?.Coding.Count > 0 ? string.Join(", ", concept.Coding.Select(c => $"{c.System}|{c.Code}")) : "(no code)";
}

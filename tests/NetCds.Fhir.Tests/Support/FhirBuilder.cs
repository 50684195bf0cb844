using Hl7.Fhir.Model;
using NetCds.Fhir.Input;
using NetCds.Fhir.Mapping;
using NetCds.Fhir.Terminology;

namespace NetCds.Fhir.Tests.Support;

/// <summary>Firely POCOs for the patient <c>Patient/p1</c>, and a one-call mapping into facts.</summary>
internal static class FhirBuilder
{
    public const string PatientRef = "Patient/p1";
    public const string Loinc = "http://loinc.org";
    public const string Snomed = "http://snomed.info/sct";
    public const string Icd10 = "http://hl7.org/fhir/sid/icd-10-cm";
    public const string IcdO3 = "http://terminology.hl7.org/CodeSystem/icd-o-3";
    public const string Ucum = "http://unitsofmeasure.org";
    public const string Atc = "http://www.whocc.no/atc";
    public const string Findings = "http://netcds.org/fhir/CodeSystem/net-findings";

    /// <summary>The evaluation instant every test maps at.</summary>
    public static readonly DateTimeOffset AsOf = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The default effective date of built resources, as the instant the mapper reads it as.</summary>
    public static readonly DateTimeOffset Oct1 = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    public static Patient Patient(string id = "p1", string? birthDate = "1970-05-01") => new() { Id = id, BirthDate = birthDate };

    public static Quantity Qty(decimal value, string unit) => new() { Value = value, Unit = unit, System = Ucum, Code = unit };

    public static CodeableConcept Concept(string system, string code) => new(system, code);

    public static Observation Obs(string id, string system, string code, DataType? value, string? effective = "2026-10-01", ObservationStatus status = ObservationStatus.Final, string subject = PatientRef) => new()
    {
        Id = id,
        Status = status,
        Code = Concept(system, code),
        Subject = new ResourceReference(subject),
        Effective = effective is null ? null : new FhirDateTime(effective),
        Value = value,
    };

    public static Observation.ComponentComponent Component(string system, string code, DataType value) => new() { Code = Concept(system, code), Value = value };

    public static Condition Cond(string id, string system, string code, string? clinical = "active", string? verification = "confirmed", string subject = PatientRef) => new()
    {
        Id = id,
        Code = Concept(system, code),
        Subject = new ResourceReference(subject),
        ClinicalStatus = clinical is null ? null : Concept("http://terminology.hl7.org/CodeSystem/condition-clinical", clinical),
        VerificationStatus = verification is null ? null : Concept("http://terminology.hl7.org/CodeSystem/condition-ver-status", verification),
        RecordedDate = "2026-09-01",
    };

    public static Procedure Proc(string id, string code, EventStatus status, string? performed = "2026-09-01") => new()
    {
        Id = id,
        Status = status,
        Code = Concept(Findings, code),
        Subject = new ResourceReference(PatientRef),
        Performed = performed is null ? null : new FhirDateTime(performed),
    };

    public static MedicationStatement MedStatement(string id, DataType medication, MedicationStatement.MedicationStatusCodes status) => new()
    {
        Id = id,
        Status = status,
        Medication = medication,
        Subject = new ResourceReference(PatientRef),
        Effective = new FhirDateTime("2026-09-01"),
    };

    public static MedicationRequest MedRequest(string id, DataType medication, MedicationRequest.MedicationrequestStatus status) => new()
    {
        Id = id,
        Status = status,
        Intent = MedicationRequest.MedicationRequestIntent.Order,
        Medication = medication,
        Subject = new ResourceReference(PatientRef),
        AuthoredOn = "2026-09-01",
    };

    /// <summary>The resources as one collection Bundle, flattened by <see cref="FhirInput.Resources"/> and mapped for <c>Patient/p1</c>.</summary>
    public static FactMapping Map(params Resource[] resources) => Map(TerminologyMap.Default, resources);

    public static FactMapping Map(TerminologyMap terminology, params Resource[] resources)
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Collection };
        foreach (var resource in resources)
        {
            bundle.Entry.Add(new Bundle.EntryComponent { Resource = resource });
        }

        return new FactMapper(terminology).Map(FhirInput.Resources(bundle), AsOf, PatientRef);
    }
}

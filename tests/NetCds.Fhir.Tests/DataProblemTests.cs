using Hl7.Fhir.Model;
using NetCds.Domain.Facts;
using NetCds.Fhir.Input;
using NetCds.Fhir.Mapping;
using NetCds.Fhir.Terminology;
using static NetCds.Fhir.Tests.Support.FhirBuilder;

namespace NetCds.Fhir.Tests;

/// <summary>One test (or more) per <see cref="DataProblemKind"/>: the resource and element are named, the value not used.</summary>
public sealed class DataProblemTests
{
    private static DataProblem OnlyProblem(FactMapping mapping) => mapping.Problems.Should().ContainSingle().Subject;

    private static PatientFacts NoFacts => PatientFacts.Empty with { Patient = PatientRef };

    [Fact]
    public void UnknownUnit_names_the_unit_element()
    {
        var mapping = Map(Obs("crea", Loinc, "2160-0", Qty(1, "furlongs")));

        mapping.Facts.Should().BeEquivalentTo(NoFacts);
        OnlyProblem(mapping).Should().BeEquivalentTo(new { Resource = "Observation/crea", Element = "Observation.value.unit", Kind = DataProblemKind.UnknownUnit });
    }

    [Fact]
    public void UnusableValue_a_string_where_a_Quantity_is_expected()
    {
        var mapping = Map(Obs("bili", Loinc, "1975-2", new FhirString("1.2 mg/dL")));

        mapping.Facts.Bilirubin.Should().BeEmpty();
        OnlyProblem(mapping).Should().BeEquivalentTo(new { Resource = "Observation/bili", Element = "Observation.value", Kind = DataProblemKind.UnusableValue });
    }

    [Fact]
    public void UnusableValue_no_value_at_all()
    {
        var mapping = Map(Obs("ki67", Loinc, "29593-1", null));

        mapping.Facts.Ki67.Should().BeEmpty();
        OnlyProblem(mapping).Should().BeEquivalentTo(new { Resource = "Observation/ki67", Element = "Observation.value", Kind = DataProblemKind.UnusableValue });
    }

    [Theory]
    [InlineData(7)]
    [InlineData(-1)]
    public void UnusableValue_Krenning_score_outside_0_to_4(int score)
    {
        var mapping = Map(Obs("sstr", Findings, "sstr-uptake", new Integer(score)));

        mapping.Facts.SstrUptake.Should().BeEmpty();
        OnlyProblem(mapping).Should().BeEquivalentTo(new { Resource = "Observation/sstr", Element = "Observation.value", Kind = DataProblemKind.UnusableValue });
    }

    [Fact]
    public void UnusableValue_ECOG_6()
    {
        var mapping = Map(Obs("ecog", Loinc, "89247-1", new Integer(6)));

        mapping.Facts.Ecog.Should().BeEmpty();
        OnlyProblem(mapping).Should().BeEquivalentTo(new { Resource = "Observation/ecog", Element = "Observation.value", Kind = DataProblemKind.UnusableValue });
    }

    [Fact]
    public void UnusableValue_a_fractional_lesion_count()
    {
        var mapping = Map(Obs("count", Findings, "liver-lesion-count", Qty(2.5m, "1")));

        mapping.Facts.LesionCount.Should().BeEmpty();
        OnlyProblem(mapping).Kind.Should().Be(DataProblemKind.UnusableValue);
    }

    [Fact]
    public void UnusableValue_tumour_burden_of_130_percent()
    {
        var mapping = Map(Obs("burden", Findings, "liver-tumor-burden", Qty(130, "%")));

        mapping.Facts.TumourBurden.Should().BeEmpty();
        OnlyProblem(mapping).Should().BeEquivalentTo(new { Resource = "Observation/burden", Element = "Observation.value", Kind = DataProblemKind.UnusableValue });
    }

    [Fact]
    public void UnusableValue_burden_of_130_percent_inside_the_panel_names_the_component()
    {
        var panel = Obs("panel", Findings, "liver-imaging-panel", null);
        panel.Component.Add(Component(Findings, "liver-lesion-count", new Integer(4)));
        panel.Component.Add(Component(Findings, "liver-tumor-burden", Qty(130, "%")));

        var mapping = Map(panel);

        mapping.Facts.LesionCount.Should().ContainSingle().Which.Value.Exact.Should().Be(4);
        mapping.Facts.TumourBurden.Should().BeEmpty();
        OnlyProblem(mapping).Should().BeEquivalentTo(new { Resource = "Observation/panel", Element = "Observation.component[1].value", Kind = DataProblemKind.UnusableValue });
    }

    [Fact]
    public void UnusableValue_a_boolean_fact_sent_as_a_code()
    {
        var mapping = Map(Obs("bone", Findings, "bone-metastases", Concept(Snomed, "373066001")));

        mapping.Facts.BoneMetastases.Should().BeEmpty();
        OnlyProblem(mapping).Should().BeEquivalentTo(new { Resource = "Observation/bone", Element = "Observation.value", Kind = DataProblemKind.UnusableValue });
    }

    [Fact]
    public void UnusableValue_a_birth_date_after_the_evaluation()
    {
        var mapping = Map(Patient(birthDate: "2027-01-01"));

        mapping.Facts.BirthDate.Should().BeNull();
        OnlyProblem(mapping).Should().BeEquivalentTo(new { Resource = "Patient/p1", Element = "Patient.birthDate", Kind = DataProblemKind.UnusableValue });
    }

    [Fact]
    public void UnknownValueCode_distribution_with_an_unknown_code()
    {
        var mapping = Map(Obs("dist", Findings, "liver-lesion-distribution", Concept(Findings, "multifocal")));

        mapping.Facts.LesionDistribution.Should().BeEmpty();
        var problem = OnlyProblem(mapping);
        problem.Should().BeEquivalentTo(new { Resource = "Observation/dist", Element = "Observation.value", Kind = DataProblemKind.UnknownValueCode });
        problem.Message.Should().Contain("multifocal");
    }

    [Fact]
    public void UnknownValueCode_a_value_code_of_another_fact()
    {
        // "patent" is a portal vein value, not a distribution.
        var mapping = Map(Obs("dist", Findings, "liver-lesion-distribution", Concept(Findings, "patent")));

        mapping.Facts.LesionDistribution.Should().BeEmpty();
        mapping.Facts.PortalVein.Should().BeEmpty();
        OnlyProblem(mapping).Kind.Should().Be(DataProblemKind.UnknownValueCode);
    }

    [Fact]
    public void UnknownValueCode_a_disease_status_with_a_text_only()
    {
        var mapping = Map(Obs("status", Loinc, "97509-4", new CodeableConcept { Text = "better" }));

        mapping.Facts.DiseaseStatus.Should().BeEmpty();
        OnlyProblem(mapping).Should().BeEquivalentTo(new { Resource = "Observation/status", Element = "Observation.value", Kind = DataProblemKind.UnknownValueCode });
    }

    [Fact]
    public void UnknownValueCode_contradictory_codings()
    {
        var value = Concept(Findings, "unilobar");
        value.Coding.Add(new Coding(Findings, "bilobar"));

        var mapping = Map(Obs("dist", Findings, "liver-lesion-distribution", value));

        mapping.Facts.LesionDistribution.Should().BeEmpty();
        OnlyProblem(mapping).Kind.Should().Be(DataProblemKind.UnknownValueCode);
    }

    [Fact]
    public void FutureDate_an_observation_after_the_evaluation()
    {
        var mapping = Map(Obs("ki67", Loinc, "29593-1", Qty(5, "%"), effective: "2026-12-01"));

        mapping.Facts.Ki67.Should().BeEmpty();
        OnlyProblem(mapping).Should().BeEquivalentTo(new { Resource = "Observation/ki67", Element = "Observation.effective", Kind = DataProblemKind.FutureDate });
    }

    [Fact]
    public void FutureDate_within_five_minutes_of_the_evaluation_is_tolerated()
    {
        var mapping = Map(Obs("ki67", Loinc, "29593-1", Qty(5, "%"), effective: "2026-11-01T00:04:00Z"));

        mapping.Problems.Should().BeEmpty();
        mapping.Facts.Ki67.Should().ContainSingle();
    }

    [Fact]
    public void FutureDate_a_procedure_performed_after_the_evaluation()
    {
        var mapping = Map(Proc("res", "liver-resection", EventStatus.Completed, performed: "2027-02-01"));

        mapping.Facts.Procedures.Should().BeEmpty();
        OnlyProblem(mapping).Should().BeEquivalentTo(new { Resource = "Procedure/res", Element = "Procedure.performed", Kind = DataProblemKind.FutureDate });
    }

    [Fact]
    public void FutureDate_a_condition_recorded_after_the_evaluation()
    {
        var condition = Cond("mets", Icd10, "C78.7");
        condition.RecordedDate = "2027-01-15";

        var mapping = Map(condition);

        mapping.Facts.Conditions.Should().BeEmpty();
        OnlyProblem(mapping).Should().BeEquivalentTo(new { Resource = "Condition/mets", Element = "Condition.recordedDate", Kind = DataProblemKind.FutureDate });
    }

    [Fact]
    public void MissingDate_no_effective_and_no_issued()
    {
        var mapping = Map(Obs("alb", Loinc, "1751-7", Qty(3.5m, "g/dL"), effective: null));

        mapping.Facts.Albumin.Should().BeEmpty();
        OnlyProblem(mapping).Should().BeEquivalentTo(new { Resource = "Observation/alb", Element = "Observation.effective", Kind = DataProblemKind.MissingDate });
    }

    [Fact]
    public void MissingDate_a_completed_procedure_without_performed()
    {
        var mapping = Map(Proc("res", "primary-tumor-resection", EventStatus.Completed, performed: null));

        mapping.Facts.Procedures.Should().BeEmpty();
        OnlyProblem(mapping).Should().BeEquivalentTo(new { Resource = "Procedure/res", Element = "Procedure.performed", Kind = DataProblemKind.MissingDate });
    }

    [Fact]
    public void MissingDate_a_medication_request_without_authoredOn()
    {
        var request = MedRequest("ppi", Concept(Atc, "A02BC01"), MedicationRequest.MedicationrequestStatus.Active);
        request.AuthoredOn = null;

        var mapping = Map(request);

        mapping.Facts.Medications.Should().BeEmpty();
        OnlyProblem(mapping).Should().BeEquivalentTo(new { Resource = "MedicationRequest/ppi", Element = "MedicationRequest.authoredOn", Kind = DataProblemKind.MissingDate });
    }

    [Fact]
    public void OtherPatient_an_observation_about_Patient_p2()
    {
        var mapping = Map(Patient(), Obs("ki67", Loinc, "29593-1", Qty(5, "%"), subject: "Patient/p2"));

        mapping.Facts.Ki67.Should().BeEmpty();
        OnlyProblem(mapping).Should().BeEquivalentTo(new { Resource = "Observation/ki67", Element = "Observation.subject", Kind = DataProblemKind.OtherPatient });
    }

    [Fact]
    public void OtherPatient_a_condition_about_Patient_p2()
    {
        var mapping = Map(Cond("mets", Icd10, "C7B.02", subject: "Patient/p2"));

        mapping.Facts.Conditions.Should().BeEmpty();
        OnlyProblem(mapping).Should().BeEquivalentTo(new { Resource = "Condition/mets", Element = "Condition.subject", Kind = DataProblemKind.OtherPatient });
    }

    [Fact]
    public void OtherPatient_no_subject_at_all()
    {
        var observation = Obs("ki67", Loinc, "29593-1", Qty(5, "%"));
        observation.Subject = null;

        var mapping = Map(observation);

        mapping.Facts.Ki67.Should().BeEmpty();
        OnlyProblem(mapping).Should().BeEquivalentTo(new { Resource = "Observation/ki67", Element = "Observation.subject", Kind = DataProblemKind.OtherPatient });
    }

    [Fact]
    public void OtherPatient_the_other_patients_resource_is_not_read()
    {
        var mapping = Map(Patient(), Patient("p2", "1950-01-01"));

        mapping.Problems.Should().BeEmpty();
        mapping.Facts.BirthDate!.Value.Should().Be(new DateOnly(1970, 5, 1));
        mapping.Facts.BirthDate.Source.Should().Be("Patient/p1");
    }

    [Fact]
    public void Conflict_two_different_bilirubin_values_at_the_same_instant_neither_used()
    {
        var mapping = Map(
            Obs("bili-a", Loinc, "1975-2", Qty(1.2m, "mg/dL")),
            Obs("bili-b", Loinc, "14631-6", Qty(51.3m, "umol/L")));

        mapping.Facts.Bilirubin.Should().BeEmpty();
        mapping.Problems.Should().BeEquivalentTo(
        [
            new { Resource = "Observation/bili-a", Element = (string?)null, Kind = DataProblemKind.Conflict },
            new { Resource = "Observation/bili-b", Element = (string?)null, Kind = DataProblemKind.Conflict },
        ]);
    }

    [Fact]
    public void Conflict_not_raised_for_the_same_value_twice_one_fact()
    {
        // 1 mg/dL and 17.1 µmol/L are the same bilirubin.
        var mapping = Map(
            Obs("bili-a", Loinc, "1975-2", Qty(1m, "mg/dL")),
            Obs("bili-b", Loinc, "14631-6", Qty(17.1m, "umol/L")));

        mapping.Problems.Should().BeEmpty();
        mapping.Facts.Bilirubin.Should().Equal(new Fact<Interval>(1m, Oct1, "Observation/bili-a", "mg/dL"));
    }

    [Fact]
    public void Conflict_not_raised_for_different_values_at_different_instants()
    {
        var mapping = Map(
            Obs("bili-a", Loinc, "1975-2", Qty(1.2m, "mg/dL"), effective: "2026-10-01"),
            Obs("bili-b", Loinc, "1975-2", Qty(3.0m, "mg/dL"), effective: "2026-10-02"));

        mapping.Problems.Should().BeEmpty();
        mapping.Facts.Bilirubin.Select(f => f.Value).Should().Equal(1.2m, 3.0m);
    }

    [Fact]
    public void Conflict_between_Ki67_values_of_one_specimen_but_not_of_two_specimens()
    {
        var a = Obs("ki67-a", Loinc, "29593-1", Qty(5, "%"));
        a.Specimen = new ResourceReference("Specimen/s1");
        var b = Obs("ki67-b", Loinc, "29593-1", Qty(25, "%"));
        b.Specimen = new ResourceReference("Specimen/s1");
        var c = Obs("ki67-c", Loinc, "29593-1", Qty(25, "%"));
        c.Specimen = new ResourceReference("Specimen/s2");

        var mapping = Map(a, b, c);

        mapping.Facts.Ki67.Should().Equal(new PathologyValue(25m, Oct1, "Observation/ki67-c", "Specimen/s2"));
        mapping.Problems.Select(p => (p.Resource, p.Kind)).Should().BeEquivalentTo(
            [("Observation/ki67-a", DataProblemKind.Conflict), ("Observation/ki67-b", DataProblemKind.Conflict)]);
    }

    [Fact]
    public void Conflict_between_coded_values_at_the_same_instant()
    {
        var mapping = Map(
            Obs("pv-a", Findings, "portal-vein-status", Concept(Findings, "patent")),
            Obs("pv-b", Findings, "portal-vein-status", Concept(Findings, "complete-thrombosis")));

        mapping.Facts.PortalVein.Should().BeEmpty();
        mapping.Problems.Should().HaveCount(2).And.OnlyContain(p => p.Kind == DataProblemKind.Conflict);
    }

    [Fact]
    public void NotUsable_a_preliminary_observation()
    {
        var mapping = Map(Obs("ki67", Loinc, "29593-1", Qty(5, "%"), status: ObservationStatus.Preliminary));

        mapping.Facts.Ki67.Should().BeEmpty();
        OnlyProblem(mapping).Should().BeEquivalentTo(new { Resource = "Observation/ki67", Element = "Observation.status", Kind = DataProblemKind.NotUsable });
    }

    [Fact]
    public void An_entry_set_aside_as_invalid_before_mapping_is_reported_with_the_mapping_problems_and_in_the_report()
    {
        var invalid = new DataProblem("Condition/bad-1", "Condition.verificationStatus.coding", DataProblemKind.Invalid, "not valid FHIR R4: set aside");
        var evaluation = new FhirEvaluation(TerminologyMap.Default, Domain.Policy.EligibilityPolicy.Default)
            .Evaluate(FhirInput.Resources(new Bundle { Type = Bundle.BundleType.Collection, Entry = [new() { Resource = Patient() }] }), AsOf, PatientRef, [invalid])!;

        evaluation.Mapping.Problems.Should().ContainSingle().Which.Should().Be(invalid);
        evaluation.Document.DataProblems.Should().ContainSingle().Which.Kind.Should().Be("invalid");
    }

    [Fact]
    public void Every_problem_kind_is_covered_here()
    {
        Enum.GetNames<DataProblemKind>().Should().BeEquivalentTo(
            "UnknownUnit", "UnusableValue", "UnknownValueCode", "FutureDate", "MissingDate", "OtherPatient", "Conflict", "NotUsable", "Invalid");
    }
}

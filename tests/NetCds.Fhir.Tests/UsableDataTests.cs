using Hl7.Fhir.Model;
using NetCds.Domain.Facts;
using NetCds.Fhir.Mapping;
using static NetCds.Fhir.Tests.Support.FhirBuilder;

namespace NetCds.Fhir.Tests;

/// <summary>Catalogue "Only usable data counts": what is used, and what is reported as not usable.</summary>
public sealed class UsableDataTests
{
    private static Observation Bilirubin(ObservationStatus status) => Obs("bili", Loinc, "1975-2", Qty(1.2m, "mg/dL"), status: status);

    [Theory]
    [InlineData(ObservationStatus.Final)]
    [InlineData(ObservationStatus.Amended)]
    [InlineData(ObservationStatus.Corrected)]
    public void Final_amended_and_corrected_observations_are_used(ObservationStatus status)
    {
        var mapping = Map(Bilirubin(status));

        mapping.Problems.Should().BeEmpty();
        mapping.Facts.Bilirubin.Should().Equal(new Fact<Interval>(1.2m, Oct1, "Observation/bili", "mg/dL"));
    }

    [Theory]
    [InlineData(ObservationStatus.Preliminary, "preliminary")]
    [InlineData(ObservationStatus.Cancelled, "cancelled")]
    [InlineData(ObservationStatus.EnteredInError, "entered")]
    [InlineData(ObservationStatus.Unknown, "unknown")]
    [InlineData(ObservationStatus.Registered, "registered")]
    public void Other_observation_statuses_are_not_used_and_reported(ObservationStatus status, string word)
    {
        var mapping = Map(Bilirubin(status));

        mapping.Facts.Bilirubin.Should().BeEmpty();
        var problem = mapping.Problems.Should().ContainSingle().Subject;
        problem.Should().BeEquivalentTo(new { Resource = "Observation/bili", Element = "Observation.status", Kind = DataProblemKind.NotUsable });
        problem.Message.Should().Contain(word);
    }

    [Fact]
    public void A_panel_that_is_not_final_gives_none_of_its_components()
    {
        var panel = Obs("panel", Findings, "liver-imaging-panel", null, status: ObservationStatus.Preliminary);
        panel.Component.Add(Component(Findings, "liver-lesion-count", new Integer(3)));

        var mapping = Map(panel);

        mapping.Facts.LesionCount.Should().BeEmpty();
        mapping.Problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Resource = "Observation/panel", Element = "Observation.status", Kind = DataProblemKind.NotUsable });
    }

    [Fact]
    public void An_observation_the_map_does_not_know_is_passed_over_silently_whatever_its_status()
    {
        var mapping = Map(Obs("bp", Loinc, "85354-9", Qty(120, "mm[Hg]"), status: ObservationStatus.Preliminary));

        mapping.Problems.Should().BeEmpty();
        mapping.Facts.Should().BeEquivalentTo(PatientFacts.Empty with { Patient = PatientRef });
    }

    // Conditions

    [Theory]
    [InlineData("refuted")]
    [InlineData("entered-in-error")]
    public void Refuted_or_entered_in_error_conditions_are_not_used(string verification)
    {
        var mapping = Map(Cond("mets", Icd10, "C7B.02", verification: verification));

        mapping.Facts.Conditions.Should().BeEmpty();
        var problem = mapping.Problems.Should().ContainSingle().Subject;
        problem.Should().BeEquivalentTo(new { Resource = "Condition/mets", Element = "Condition.verificationStatus", Kind = DataProblemKind.NotUsable });
        problem.Message.Should().Contain(verification);
    }

    [Theory]
    [InlineData("confirmed")]
    [InlineData("provisional")]
    [InlineData("unconfirmed")]
    [InlineData(null)]
    public void Other_verification_statuses_are_used(string? verification)
    {
        var mapping = Map(Cond("mets", Icd10, "C7B.02", verification: verification));

        mapping.Problems.Should().BeEmpty();
        mapping.Facts.Conditions.Should().Equal(new Fact<ConditionKind>(ConditionKind.LiverMetastases, new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero), "Condition/mets"));
    }

    [Theory]
    [InlineData("inactive")]
    [InlineData("resolved")]
    [InlineData("remission")]
    public void Inactive_resolved_or_remitted_conditions_are_not_used(string clinical)
    {
        var mapping = Map(Cond("syn", Icd10, "E34.0", clinical: clinical));

        mapping.Facts.Conditions.Should().BeEmpty();
        var problem = mapping.Problems.Should().ContainSingle().Subject;
        problem.Should().BeEquivalentTo(new { Resource = "Condition/syn", Element = "Condition.clinicalStatus", Kind = DataProblemKind.NotUsable });
        problem.Message.Should().Contain(clinical);
    }

    [Theory]
    [InlineData("active")]
    [InlineData("recurrence")]
    [InlineData("relapse")]
    [InlineData(null)]
    public void Active_recurrent_relapsed_or_unstated_conditions_are_used(string? clinical)
    {
        var mapping = Map(Cond("syn", Icd10, "E34.0", clinical: clinical));

        mapping.Problems.Should().BeEmpty();
        mapping.Facts.Conditions.Should().Equal(new Fact<ConditionKind>(ConditionKind.CarcinoidSyndrome, new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero), "Condition/syn"));
    }

    /// <summary>The tumour's own diagnoses are history (catalogue, "Only usable data counts"): a resected primary is still the primary.</summary>
    [Theory]
    [InlineData("resolved")]
    [InlineData("remission")]
    [InlineData("inactive")]
    public void A_historical_primary_still_gives_the_primary_site(string clinical)
    {
        var mapping = Map(Cond("pnet", Icd10, "C25.4", clinical: clinical));

        mapping.Facts.PrimarySites.Should().Equal(new Fact<PrimarySite>(PrimarySite.Pancreas, Sep1, "Condition/pnet"));
        mapping.Problems.Should().BeEmpty();
    }

    [Theory]
    [InlineData(Icd10, "C7A.1")]
    [InlineData(Icd10, "E31.21")]
    [InlineData(Icd10, "C7A.8")]
    public void Historical_NEC_MEN1_and_NET_diagnoses_still_count(string system, string code)
    {
        var mapping = Map(Cond("tumour", system, code, clinical: "resolved"));

        mapping.Problems.Should().BeEmpty();
        (mapping.Facts.Differentiation.Count + mapping.Facts.Conditions.Count).Should().Be(code == "C7A.8" ? 0 : 1);
    }

    [Fact]
    public void A_resolved_NEC_still_gives_poor_differentiation()
    {
        Map(Cond("nec", Icd10, "C7A.1", clinical: "remission")).Facts.Differentiation
            .Should().Equal(new Fact<Differentiation>(Differentiation.Poorly, Sep1, "Condition/nec"));
    }

    [Fact]
    public void A_resolved_MEN1_still_counts()
    {
        Map(Cond("men1", Icd10, "E31.21", clinical: "inactive")).Facts.Conditions
            .Should().Equal(new Fact<ConditionKind>(ConditionKind.Men1, Sep1, "Condition/men1"));
    }

    [Fact]
    public void A_resolved_histology_extension_still_gives_the_differentiation()
    {
        var condition = Cond("pnet", Icd10, "C25.4", clinical: "resolved");
        condition.Extension.Add(new Extension("http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior", Concept(IcdO3, "8240/3")));

        var facts = Map(condition).Facts;

        facts.PrimarySites.Should().ContainSingle().Which.Value.Should().Be(PrimarySite.Pancreas);
        facts.Differentiation.Should().ContainSingle().Which.Value.Should().Be(Differentiation.Well);
    }

    [Theory]
    [InlineData(Icd10, "E34.0")]
    [InlineData(Icd10, "C7B.02")]
    [InlineData(Icd10, "K74.60")]
    [InlineData(Icd10, "I81")]
    public void A_resolved_diagnosis_that_is_not_the_tumour_does_not_count(string system, string code)
    {
        var mapping = Map(Cond("dx", system, code, clinical: "resolved"));

        mapping.Facts.Conditions.Should().BeEmpty();
        mapping.Problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Resource = "Condition/dx", Element = "Condition.clinicalStatus", Kind = DataProblemKind.NotUsable });
    }

    [Fact]
    public void A_resolved_carcinoid_syndrome_does_not_make_the_tumour_functioning()
    {
        var mapping = Map(Cond("syndrome", Icd10, "E34.0", clinical: "resolved"), Cond("pnet", Icd10, "C25.4", clinical: "resolved"));

        mapping.Facts.Conditions.Should().BeEmpty();
        mapping.Facts.PrimarySites.Should().ContainSingle().Which.Value.Should().Be(PrimarySite.Pancreas);
        mapping.Problems.Should().ContainSingle().Which.Resource.Should().Be("Condition/syndrome");
    }

    [Theory]
    [InlineData("refuted")]
    [InlineData("entered-in-error")]
    public void A_resolved_primary_refuted_or_entered_in_error_never_counts(string verification)
    {
        var mapping = Map(Cond("pnet", Icd10, "C25.4", clinical: "resolved", verification: verification));

        mapping.Facts.PrimarySites.Should().BeEmpty();
        mapping.Problems.Should().ContainSingle().Which.Element.Should().Be("Condition.verificationStatus");
    }

    [Fact]
    public void A_primary_with_an_unknown_clinical_status_does_not_count()
    {
        var mapping = Map(Cond("pnet", Icd10, "C25.4", clinical: "unknown-status"));

        mapping.Facts.PrimarySites.Should().BeEmpty();
        mapping.Problems.Should().ContainSingle().Which.Kind.Should().Be(DataProblemKind.NotUsable);
    }

    [Fact]
    public void A_condition_with_an_onset_uses_the_onset_date()
    {
        var condition = Cond("pnet", Snomed, "93843007");
        condition.Onset = new FhirDateTime("2025-03-10");

        Map(condition).Facts.PrimarySites.Should().Equal(new Fact<PrimarySite>(PrimarySite.Pancreas, new DateTimeOffset(2025, 3, 10, 0, 0, 0, TimeSpan.Zero), "Condition/pnet"));
    }

    [Fact]
    public void A_condition_without_any_date_still_counts_as_the_oldest_fact()
    {
        var condition = Cond("men1", Icd10, "E31.21");
        condition.RecordedDate = null;

        var mapping = Map(condition);

        mapping.Problems.Should().BeEmpty();
        mapping.Facts.Conditions.Should().Equal(new Fact<ConditionKind>(ConditionKind.Men1, DateTimeOffset.MinValue, "Condition/men1"));
    }

    [Fact]
    public void Histology_extension_gives_the_differentiation()
    {
        var condition = Cond("pnet", Icd10, "C25.4");
        condition.Extension.Add(new Extension("http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior", Concept(IcdO3, "8246/3")));

        var facts = Map(condition).Facts;

        facts.PrimarySites.Should().ContainSingle().Which.Value.Should().Be(PrimarySite.Pancreas);
        facts.Differentiation.Should().Equal(new Fact<Differentiation>(Differentiation.Poorly, new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero), "Condition/pnet"));
    }

    // Procedures

    [Fact]
    public void A_completed_primary_tumour_resection_is_used()
    {
        var mapping = Map(Proc("whipple", "primary-tumor-resection", EventStatus.Completed, "2025-06-01"));

        mapping.Problems.Should().BeEmpty();
        mapping.Facts.Procedures.Should().Equal(new Fact<ProcedureKind>(ProcedureKind.PrimaryTumourResection, new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero), "Procedure/whipple"));
    }

    [Theory]
    [InlineData(EventStatus.InProgress)]
    [InlineData(EventStatus.Preparation)]
    [InlineData(EventStatus.NotDone)]
    [InlineData(EventStatus.Stopped)]
    [InlineData(EventStatus.EnteredInError)]
    public void A_primary_tumour_resection_that_is_not_completed_is_not_used(EventStatus status)
    {
        var mapping = Map(Proc("whipple", "primary-tumor-resection", status));

        mapping.Facts.Procedures.Should().BeEmpty();
        mapping.Problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Resource = "Procedure/whipple", Element = "Procedure.status", Kind = DataProblemKind.NotUsable });
    }

    [Theory]
    [InlineData(EventStatus.Preparation)]
    [InlineData(EventStatus.InProgress)]
    public void A_planned_exenteration_in_preparation_is_used_as_of_the_evaluation(EventStatus status)
    {
        var mapping = Map(Proc("plan", "planned-exenteration", status, performed: null));

        mapping.Problems.Should().BeEmpty();
        mapping.Facts.Procedures.Should().Equal(new Fact<ProcedureKind>(ProcedureKind.PlannedExenteration, AsOf, "Procedure/plan"));
    }

    [Fact]
    public void A_cancelled_planned_exenteration_is_not_used()
    {
        var mapping = Map(Proc("plan", "planned-exenteration", EventStatus.NotDone, performed: null));

        mapping.Facts.Procedures.Should().BeEmpty();
        mapping.Problems.Should().ContainSingle().Which.Kind.Should().Be(DataProblemKind.NotUsable);
    }

    [Theory]
    [InlineData("liver-resection", ProcedureKind.LiverResection)]
    [InlineData("thermal-ablation", ProcedureKind.ThermalAblation)]
    [InlineData("tae", ProcedureKind.Tae)]
    [InlineData("tace", ProcedureKind.Tace)]
    [InlineData("sirt", ProcedureKind.Sirt)]
    public void Completed_liver_directed_therapy_is_used(string code, ProcedureKind kind)
    {
        Map(Proc("p1", code, EventStatus.Completed)).Facts.Procedures
            .Should().Equal(new Fact<ProcedureKind>(kind, new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero), "Procedure/p1"));
    }

    [Fact]
    public void A_completed_chemotherapy_procedure_is_a_past_chemotherapy()
    {
        Map(Proc("chemo", "systemic-chemotherapy", EventStatus.Completed)).Facts.Medications
            .Should().Equal(new Fact<MedicationUse>(new MedicationUse(MedicationKind.Chemotherapy, false), new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero), "Procedure/chemo"));
    }

    // Medications

    private static readonly DateTimeOffset Sep1 = new(2026, 9, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(MedicationStatement.MedicationStatusCodes.Active, true)]
    [InlineData(MedicationStatement.MedicationStatusCodes.Completed, false)]
    [InlineData(MedicationStatement.MedicationStatusCodes.Stopped, false)]
    public void Medication_statement_status_tells_active_from_past(MedicationStatement.MedicationStatusCodes status, bool active)
    {
        var mapping = Map(MedStatement("ssa", Concept(Atc, "H01CB02"), status));

        mapping.Problems.Should().BeEmpty();
        mapping.Facts.Medications.Should().Equal(new Fact<MedicationUse>(new MedicationUse(MedicationKind.SomatostatinAnalogue, active), Sep1, "MedicationStatement/ssa"));
    }

    [Theory]
    [InlineData(MedicationStatement.MedicationStatusCodes.EnteredInError)]
    [InlineData(MedicationStatement.MedicationStatusCodes.NotTaken)]
    [InlineData(MedicationStatement.MedicationStatusCodes.Unknown)]
    public void Medication_statement_entered_in_error_is_not_used(MedicationStatement.MedicationStatusCodes status)
    {
        var mapping = Map(MedStatement("ssa", Concept(Atc, "H01CB02"), status));

        mapping.Facts.Medications.Should().BeEmpty();
        mapping.Problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Resource = "MedicationStatement/ssa", Element = "MedicationStatement.status", Kind = DataProblemKind.NotUsable });
    }

    [Theory]
    [InlineData(MedicationRequest.MedicationrequestStatus.Active, true)]
    [InlineData(MedicationRequest.MedicationrequestStatus.Completed, false)]
    public void Medication_request_status_tells_active_from_past(MedicationRequest.MedicationrequestStatus status, bool active)
    {
        var mapping = Map(MedRequest("ppi", Concept(Atc, "A02BC01"), status));

        mapping.Problems.Should().BeEmpty();
        mapping.Facts.Medications.Should().Equal(new Fact<MedicationUse>(new MedicationUse(MedicationKind.ProtonPumpInhibitor, active), Sep1, "MedicationRequest/ppi"));
    }

    [Theory]
    [InlineData(MedicationRequest.MedicationrequestStatus.Cancelled)]
    [InlineData(MedicationRequest.MedicationrequestStatus.EnteredInError)]
    [InlineData(MedicationRequest.MedicationrequestStatus.Draft)]
    public void Medication_request_cancelled_is_not_used(MedicationRequest.MedicationrequestStatus status)
    {
        var mapping = Map(MedRequest("ppi", Concept(Atc, "A02BC01"), status));

        mapping.Facts.Medications.Should().BeEmpty();
        mapping.Problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Resource = "MedicationRequest/ppi", Element = "MedicationRequest.status", Kind = DataProblemKind.NotUsable });
    }

    [Fact]
    public void A_medication_reference_resolves_to_the_Medication_in_the_bundle()
    {
        var medication = new Medication { Id = "everolimus", Code = Concept(Atc, "L01EG02") };
        var statement = MedStatement("eve", new ResourceReference("Medication/everolimus"), MedicationStatement.MedicationStatusCodes.Active);

        var mapping = Map(medication, statement);

        mapping.Problems.Should().BeEmpty();
        mapping.Facts.Medications.Should().Contain(new Fact<MedicationUse>(new MedicationUse(MedicationKind.Everolimus, true), Sep1, "MedicationStatement/eve"));
    }

    [Fact]
    public void A_medication_reference_by_fullUrl_resolves()
    {
        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Transaction,
            Entry =
            [
                new() { FullUrl = "urn:uuid:7f1c2a4e-0000-4000-8000-000000000001", Resource = new Medication { Code = Concept(Atc, "L01EX01") } },
                new() { FullUrl = "urn:uuid:7f1c2a4e-0000-4000-8000-000000000002", Resource = MedRequest("sun", new ResourceReference("urn:uuid:7f1c2a4e-0000-4000-8000-000000000001"), MedicationRequest.MedicationrequestStatus.Active) },
            ],
        };

        var mapping = new FactMapper(Terminology.TerminologyMap.Default).Map(Input.FhirInput.Resources(bundle), AsOf, PatientRef);

        mapping.Problems.Should().BeEmpty();
        mapping.Facts.Medications.Should().Contain(new Fact<MedicationUse>(new MedicationUse(MedicationKind.Sunitinib, true), Sep1, "MedicationRequest/sun"));
    }

    [Fact]
    public void A_medication_reference_to_nothing_in_the_input_is_reported_not_guessed()
    {
        var mapping = Map(MedStatement("x", new ResourceReference("Medication/missing"), MedicationStatement.MedicationStatusCodes.Active));

        mapping.Problems.Should().ContainSingle().Which.Should().Match<DataProblem>(p =>
            p.Resource == "MedicationStatement/x" && p.Element == "MedicationStatement.medication" && p.Kind == DataProblemKind.UnusableValue);
        mapping.Facts.Medications.Should().BeEmpty();
    }

    [Theory]
    [InlineData("A02BC05", MedicationKind.ProtonPumpInhibitor)]
    [InlineData("H01CB03", MedicationKind.SomatostatinAnalogue)]
    [InlineData("H01CB05", MedicationKind.SomatostatinAnalogue)]
    [InlineData("L01EX01", MedicationKind.Sunitinib)]
    [InlineData("L01XA01", MedicationKind.Chemotherapy)]
    public void Medication_codes_map_to_their_kind(string atc, MedicationKind kind)
    {
        Map(MedStatement("m", Concept(Atc, atc), MedicationStatement.MedicationStatusCodes.Completed)).Facts.Medications
            .Should().Contain(new Fact<MedicationUse>(new MedicationUse(kind, false), Sep1, "MedicationStatement/m"));
    }
}

using Hl7.Fhir.Model;
using NetCds.Domain.Facts;
using NetCds.Fhir.Mapping;
using static NetCds.Fhir.Tests.Support.FhirBuilder;

namespace NetCds.Fhir.Tests;

/// <summary>
/// Medication courses: prior chemotherapy is cytotoxic only (terminology contract: ATC L01A-D, L01XA), and a
/// MedicationStatement's effectivePeriod gives the course's start and end (EVE-FAILED, SUN-FAILED).
/// </summary>
public sealed class MedicationCourseTests
{
    private static readonly DateTimeOffset Sep1 = new(2026, 9, 1, 0, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<MedicationKind> KindsOf(string atc) =>
        [.. Map(MedStatement("m", Concept(Atc, atc), MedicationStatement.MedicationStatusCodes.Completed)).Facts.Medications.Select(m => m.Value.Kind)];

    [Theory]
    [InlineData("L01EG02", MedicationKind.Everolimus)]
    [InlineData("L01EX01", MedicationKind.Sunitinib)]
    public void Everolimus_and_sunitinib_are_their_drug_and_not_chemotherapy(string atc, MedicationKind drug) =>
        KindsOf(atc).Should().Equal(drug);

    [Theory]
    [InlineData("L01XA01")] // cisplatin
    [InlineData("L01XA02")] // carboplatin
    [InlineData("L01AD04")] // streptozocin
    [InlineData("L01AX03")] // temozolomide
    [InlineData("L01BC06")] // capecitabine
    [InlineData("L01BC02")] // fluorouracil
    [InlineData("L01CB01")] // etoposide
    [InlineData("L01DB01")] // doxorubicin
    public void Cytotoxic_drugs_are_chemotherapy(string atc) =>
        KindsOf(atc).Should().Equal(MedicationKind.Chemotherapy);

    [Theory]
    [InlineData("L01FA01")] // rituximab, an antibody
    [InlineData("L01XX19")] // irinotecan class "other": not in the contract's cytotoxic list
    public void Other_L01_drugs_are_not_chemotherapy(string atc) =>
        KindsOf(atc).Should().BeEmpty();

    [Fact]
    public void The_effective_period_gives_the_start_and_the_end()
    {
        var statement = MedStatement("eve", Concept(Atc, "L01EG02"), MedicationStatement.MedicationStatusCodes.Stopped);
        statement.Effective = new Period(new FhirDateTime("2026-03-01"), new FhirDateTime("2026-09-15"));

        var mapping = Map(statement);

        mapping.Problems.Should().BeEmpty();
        mapping.Facts.Medications.Should().Equal(new Fact<MedicationUse>(
            new MedicationUse(MedicationKind.Everolimus, false, new DateTimeOffset(2026, 9, 15, 0, 0, 0, TimeSpan.Zero)),
            new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero),
            "MedicationStatement/eve"));
    }

    [Fact]
    public void The_drug_is_named_as_the_record_names_it_text_first_then_the_display()
    {
        var withText = MedStatement("ssa", new CodeableConcept(Atc, "H01CB02", "octreotide", "octreotide LAR 30 mg every 4 weeks"), MedicationStatement.MedicationStatusCodes.Active);
        var withDisplay = MedStatement("ssa2", new CodeableConcept(Atc, "H01CB03", "lanreotide", null), MedicationStatement.MedicationStatusCodes.Active);
        var codeOnly = MedStatement("ssa3", Concept(Atc, "H01CB02"), MedicationStatement.MedicationStatusCodes.Active);

        Map(withText).Facts.Medications.Single().Value.Name.Should().Be("octreotide LAR 30 mg every 4 weeks");
        Map(withDisplay).Facts.Medications.Single().Value.Name.Should().Be("lanreotide");
        Map(codeOnly).Facts.Medications.Single().Value.Should().Match<MedicationUse>(m => m.Drug == null && m.Name == "a somatostatin analogue");
    }

    [Fact]
    public void An_open_effective_period_has_no_end()
    {
        var statement = MedStatement("sun", Concept(Atc, "L01EX01"), MedicationStatement.MedicationStatusCodes.Active);
        statement.Effective = new Period { StartElement = new FhirDateTime("2026-03-01") };

        Map(statement).Facts.Medications.Should().ContainSingle().Which.Value.End.Should().BeNull();
    }

    [Fact]
    public void An_effective_date_time_has_no_end()
    {
        Map(MedStatement("sun", Concept(Atc, "L01EX01"), MedicationStatement.MedicationStatusCodes.Active))
            .Facts.Medications.Should().Equal(new Fact<MedicationUse>(new MedicationUse(MedicationKind.Sunitinib, true), Sep1, "MedicationStatement/sun"));
    }

    [Fact]
    public void An_end_before_the_start_is_reported_and_not_used()
    {
        var statement = MedStatement("eve", Concept(Atc, "L01EG02"), MedicationStatement.MedicationStatusCodes.Stopped);
        statement.Effective = new Period(new FhirDateTime("2026-09-01"), new FhirDateTime("2026-03-01"));

        var mapping = Map(statement);

        mapping.Facts.Medications.Should().ContainSingle().Which.Value.End.Should().BeNull();
        mapping.Problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Element = "MedicationStatement.effective.end", Kind = DataProblemKind.UnusableValue });
    }

    [Fact]
    public void A_request_validity_period_is_not_the_end_of_the_course()
    {
        var request = MedRequest("eve", Concept(Atc, "L01EG02"), MedicationRequest.MedicationrequestStatus.Active);
        request.DispenseRequest = new MedicationRequest.DispenseRequestComponent { ValidityPeriod = new Period(new FhirDateTime("2026-09-01"), new FhirDateTime("2026-10-01")) };

        Map(request).Facts.Medications.Should().ContainSingle().Which.Value.End.Should().BeNull();
    }

    [Fact]
    public void A_chemotherapy_procedure_period_gives_its_end()
    {
        var procedure = Proc("chemo", "systemic-chemotherapy", EventStatus.Completed, performed: null);
        procedure.Performed = new Period(new FhirDateTime("2026-01-10"), new FhirDateTime("2026-06-20"));

        Map(procedure).Facts.Medications.Should().ContainSingle().Which.Value.Should().Be(
            new MedicationUse(MedicationKind.Chemotherapy, false, new DateTimeOffset(2026, 6, 20, 0, 0, 0, TimeSpan.Zero)));
    }
}

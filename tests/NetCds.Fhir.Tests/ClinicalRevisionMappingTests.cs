using Hl7.Fhir.Model;
using NetCds.Domain.Facts;
using static NetCds.Fhir.Tests.Support.FhirBuilder;

namespace NetCds.Fhir.Tests;

/// <summary>
/// Codes the clinical revision of 2026-12-06 reads (issue 22): Z90.411 is its own fact (EMB-BILIARY consider, not the
/// anastomosis), cirrhosis (EMB-CIRRHOSIS), carcinoid heart disease (FIT-HEART), a PRRT procedure (an earlier treatment
/// for LT-LAST), and ECOG/Karnofsky (FIT-PS).
/// </summary>
public sealed class ClinicalRevisionMappingTests
{
    private const string Icd10 = "http://hl7.org/fhir/sid/icd-10-cm";
    private const string Snomed = "http://snomed.info/sct";

    [Fact]
    public void Z90_411_is_a_partial_absence_of_the_pancreas_and_not_an_anastomosis()
    {
        Map(Cond("z", Icd10, "Z90.411")).Facts.Conditions.Select(c => c.Value)
            .Should().Equal(ConditionKind.PartialAbsenceOfPancreas);
        Map(Cond("a", Findings, "biliary-enteric-anastomosis")).Facts.Conditions.Select(c => c.Value)
            .Should().Equal(ConditionKind.BiliaryEntericAnastomosis);
    }

    [Theory]
    [InlineData(Icd10, "K74.60")]
    [InlineData(Icd10, "K74.69")]
    [InlineData(Snomed, "19943007")]
    public void Active_cirrhosis_is_read_and_a_resolved_one_is_not(string system, string code)
    {
        Map(Cond("c", system, code)).Facts.Conditions.Select(c => c.Value).Should().Equal(ConditionKind.Cirrhosis);
        Map(Cond("c", system, code, clinical: "resolved")).Facts.Conditions.Should().BeEmpty();
    }

    [Theory]
    [InlineData(Icd10, "E34.01")]
    [InlineData(Snomed, "36222008")]
    public void Carcinoid_heart_disease_is_read(string system, string code) =>
        Map(Cond("h", system, code)).Facts.Conditions.Select(c => c.Value).Should().Equal(ConditionKind.CarcinoidHeartDisease);

    [Fact]
    public void A_completed_PRRT_procedure_is_an_earlier_treatment()
    {
        Map(Proc("p", "prrt", EventStatus.Completed)).Facts.Procedures.Select(p => p.Value).Should().Equal(ProcedureKind.Prrt);
        Map(Proc("p", "prrt", EventStatus.EnteredInError)).Facts.Procedures.Should().BeEmpty();
    }

    [Theory]
    [InlineData("89247-1", 3)]
    [InlineData("89243-0", 40)]
    public void Performance_status_is_read_on_both_scales(string loinc, int value)
    {
        var facts = Map(Obs("ps", Loinc, loinc, new Integer(value))).Facts;

        (loinc == "89247-1" ? facts.Ecog : facts.Karnofsky).Select(f => f.Value).Should().Equal(value);
    }
}

using NetCds.Domain.Engine;
using NetCds.Fhir.Input;
using NetCds.Fhir.Terminology;

namespace NetCds.Fhir.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void A_bundle_with_a_Ki67_becomes_a_graded_report()
    {
        const string json = """
        {"resourceType":"Bundle","type":"collection","entry":[
          {"resource":{"resourceType":"Patient","id":"p1","birthDate":"1970-05-01"}},
          {"resource":{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p1"},"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"C7B.02"}]}}},
          {"resource":{"resourceType":"Observation","id":"o1","status":"final","subject":{"reference":"Patient/p1"},"effectiveDateTime":"2026-10-01",
            "code":{"coding":[{"system":"http://loinc.org","code":"29593-1"}]},"valueQuantity":{"value":2,"unit":"%","system":"http://unitsofmeasure.org","code":"%"}}}
        ]}
        """;
        var parsed = FhirInput.Parse(json);

        var evaluation = new FhirEvaluation(TerminologyMap.Default, Domain.Policy.EligibilityPolicy.Default)
            .Evaluate(parsed.Resource!, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));

        evaluation.Should().NotBeNull();
        evaluation!.Mapping.Problems.Should().BeEmpty();
        evaluation.Report.Patient.Should().Be("Patient/p1");
        evaluation.Report.Facts.Tumour.Ki67!.Value.Exact.Should().Be(2m);
        evaluation.Report.Facts.LiverMetastases.Should().BeTrue();
        evaluation.Report.Facts.Age!.Value.Should().Be(56);
        evaluation.Report[TherapyId.Ssa].Status.Should().Be(EligibilityStatus.InsufficientData, "SSTR imaging is missing");
        evaluation.Mapping.Problems.Should().BeEmpty();
    }
}

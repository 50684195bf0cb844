using Hl7.Fhir.Model;
using NetCds.Domain.Facts;
using NetCds.Fhir.Input;
using NetCds.Fhir.Mapping;
using NetCds.Fhir.Terminology;
using static NetCds.Fhir.Tests.Support.FhirBuilder;

namespace NetCds.Fhir.Tests;

/// <summary><see cref="FhirInput"/>: strict parsing into resources or an OperationOutcome; every bundle type flattened.</summary>
public sealed class InputTests
{
    private const string Ki67Json = """
        {"resourceType":"Observation","id":"ki67","status":"final","subject":{"reference":"Patient/p1"},"effectiveDateTime":"2026-10-01",
         "code":{"coding":[{"system":"http://loinc.org","code":"29593-1"}]},"valueQuantity":{"value":12,"unit":"%","system":"http://unitsofmeasure.org","code":"%"}}
        """;

    private static Resource Parsed(string json)
    {
        var result = FhirInput.Parse(json);
        result.Outcome.Should().BeNull(result.Outcome is null ? "" : string.Join("; ", result.Outcome.Issue.Select(i => i.Diagnostics)));
        result.Succeeded.Should().BeTrue();
        return result.Resource!;
    }

    private static IReadOnlyList<string> References(string json) => [.. FhirInput.Resources(Parsed(json)).Select(r => r.Reference)];

    // Parse

    [Fact]
    public void A_valid_resource_parses()
    {
        var observation = Parsed(Ki67Json).Should().BeOfType<Observation>().Subject;

        observation.Id.Should().Be("ki67");
        observation.Status.Should().Be(ObservationStatus.Final);
    }

    [Theory]
    [InlineData("""{"resourceType":"Observation","status":"final" """)]
    [InlineData("""{"resourceType":"Observation","status":"final"}}""")]
    [InlineData("""{"resourceType":"Observation" "status":"final"}""")]
    [InlineData("""{"resourceType":"Patient","id":"p1",}""")]
    [InlineData("""{"resourceType":"Patient",/* comment */"id":"p1"}""")]
    [InlineData("""{"resourceType":"Patient","id":"p1"} trailing""")]
    [InlineData("not json")]
    public void Malformed_JSON_is_flagged_with_an_OperationOutcome(string json)
    {
        var result = FhirInput.Parse(json);

        result.Succeeded.Should().BeFalse();
        result.Resource.Should().BeNull();
        var issue = result.Outcome!.Issue.Should().ContainSingle().Subject;
        issue.Severity.Should().Be(OperationOutcome.IssueSeverity.Error);
        issue.Code.Should().Be(OperationOutcome.IssueType.Structure);
        issue.Diagnostics.Should().StartWith("Malformed JSON");
    }

    [Fact]
    public void An_unknown_element_is_named_in_the_OperationOutcome()
    {
        var result = FhirInput.Parse("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"foo":1}""");

        result.Succeeded.Should().BeFalse();
        result.Error!.Message.Should().NotStartWith("Malformed JSON");
        result.Outcome!.Issue.Should().ContainSingle().Which.Expression.Should().Equal("Observation.foo");
        result.Outcome.Issue[0].Code.Should().Be(OperationOutcome.IssueType.Invalid);
    }

    [Fact]
    public void An_unknown_nested_element_is_named_by_its_path()
    {
        var result = FhirInput.Parse("""{"resourceType":"Observation","status":"final","code":{"text":"x","bar":true}}""");

        result.Succeeded.Should().BeFalse();
        result.Outcome!.Issue.Should().ContainSingle().Which.Expression.Should().Equal("Observation.code.bar");
    }

    [Fact]
    public void An_invalid_code_is_named_in_the_OperationOutcome()
    {
        var result = FhirInput.Parse("""{"resourceType":"Observation","status":"bogus","code":{"text":"x"}}""");

        result.Succeeded.Should().BeFalse();
        result.Error!.Message.Should().NotStartWith("Malformed JSON");
        result.Outcome!.Issue.Should().ContainSingle().Which.Expression.Should().Equal("Observation.status");
    }

    [Fact]
    public void A_value_of_the_wrong_JSON_type_is_named()
    {
        var result = FhirInput.Parse("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":"twelve"}}""");

        result.Succeeded.Should().BeFalse();
        result.Outcome!.Issue.Should().ContainSingle().Which.Expression.Should().Equal("Observation.value.value");
    }

    [Fact]
    public void Several_errors_give_several_issues()
    {
        var result = FhirInput.Parse("""{"resourceType":"Observation","status":"bogus","code":{"text":"x"},"foo":1}""");

        result.Outcome!.Issue.SelectMany(i => i.Expression).Should().BeEquivalentTo("Observation.status", "Observation.foo");
    }

    [Fact]
    public void JSON_without_resourceType_is_an_OperationOutcome_saying_so()
    {
        var result = FhirInput.Parse("""{"status":"final"}""");

        result.Succeeded.Should().BeFalse();
        result.Error!.Message.Should().NotStartWith("Malformed JSON");
        result.Outcome!.Issue.Should().Contain(i => i.Diagnostics!.Contains("resourceType"));
    }

    [Fact]
    public void An_unknown_resource_type_is_an_OperationOutcome()
    {
        var result = FhirInput.Parse("""{"resourceType":"Tumour","id":"t1"}""");

        result.Succeeded.Should().BeFalse();
        result.Outcome!.Issue.Should().Contain(i => i.Diagnostics!.Contains("Tumour"));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""[{"resourceType":"Patient","id":"p1"}]""")]
    public void A_JSON_array_is_an_OperationOutcome_not_an_exception(string json)
    {
        var result = FhirInput.Parse(json);

        result.Succeeded.Should().BeFalse();
        result.Error!.Message.Should().NotStartWith("Malformed JSON");
        result.Outcome!.Issue.Should().ContainSingle().Which.Code.Should().Be(OperationOutcome.IssueType.Structure);
    }

    // Resources: every bundle type

    [Fact]
    public void A_single_resource_is_itself()
    {
        References(Ki67Json).Should().Equal("Observation/ki67");
    }

    [Fact]
    public void A_collection_bundle_is_flattened()
    {
        References($$$"""
            {"resourceType":"Bundle","type":"collection","entry":[
              {"fullUrl":"https://ehr.example/fhir/Patient/p1","resource":{"resourceType":"Patient","id":"p1"}},
              {"fullUrl":"https://ehr.example/fhir/Observation/ki67","resource":{{{Ki67Json}}}}
            ]}
            """).Should().Equal("Patient/p1", "Observation/ki67");
    }

    [Fact]
    public void A_searchset_skips_its_outcome_entries()
    {
        References($$$"""
            {"resourceType":"Bundle","type":"searchset","total":1,"entry":[
              {"fullUrl":"https://ehr.example/fhir/Observation/ki67","resource":{{{Ki67Json}}},"search":{"mode":"match"}},
              {"fullUrl":"https://ehr.example/fhir/Patient/p1","resource":{"resourceType":"Patient","id":"p1"},"search":{"mode":"include"}},
              {"resource":{"resourceType":"OperationOutcome","id":"warn","issue":[{"severity":"warning","code":"processing","diagnostics":"paged"}]},"search":{"mode":"outcome"}}
            ]}
            """).Should().Equal("Observation/ki67", "Patient/p1");
    }

    [Fact]
    public void A_transaction_keeps_entries_with_a_resource_and_skips_a_DELETE_without_one()
    {
        References($$$"""
            {"resourceType":"Bundle","type":"transaction","entry":[
              {"fullUrl":"urn:uuid:0c3a4d1e-1111-4a4a-9c9c-000000000001","resource":{"resourceType":"Patient","id":"p1"},"request":{"method":"PUT","url":"Patient/p1"}},
              {"fullUrl":"urn:uuid:0c3a4d1e-1111-4a4a-9c9c-000000000002","resource":{{{Ki67Json}}},"request":{"method":"POST","url":"Observation"}},
              {"request":{"method":"DELETE","url":"Observation/old"}}
            ]}
            """).Should().Equal("Patient/p1", "Observation/ki67");
    }

    [Fact]
    public void A_batch_keeps_entries_with_a_resource()
    {
        References($$$"""
            {"resourceType":"Bundle","type":"batch","entry":[
              {"resource":{{{Ki67Json}}},"request":{"method":"PUT","url":"Observation/ki67"}},
              {"request":{"method":"DELETE","url":"Observation/old"}},
              {"request":{"method":"GET","url":"Patient/p1"}}
            ]}
            """).Should().Equal("Observation/ki67");
    }

    [Fact]
    public void A_history_bundle_keeps_its_versions_and_skips_deletions()
    {
        References($$$"""
            {"resourceType":"Bundle","type":"history","entry":[
              {"fullUrl":"https://ehr.example/fhir/Observation/ki67","resource":{{{Ki67Json}}},"request":{"method":"PUT","url":"Observation/ki67"},"response":{"status":"200"}},
              {"fullUrl":"https://ehr.example/fhir/Observation/gone","request":{"method":"DELETE","url":"Observation/gone"},"response":{"status":"204"}}
            ]}
            """).Should().Equal("Observation/ki67");
    }

    [Fact]
    public void A_message_skips_its_MessageHeader()
    {
        References($$$"""
            {"resourceType":"Bundle","type":"message","timestamp":"2026-10-01T10:00:00Z","entry":[
              {"fullUrl":"urn:uuid:0c3a4d1e-2222-4a4a-9c9c-000000000001","resource":{"resourceType":"MessageHeader","id":"h1","eventCoding":{"system":"http://example.org/events","code":"lab-result"},"source":{"endpoint":"https://lab.example"} } },
              {"fullUrl":"urn:uuid:0c3a4d1e-2222-4a4a-9c9c-000000000002","resource":{{{Ki67Json}}}}
            ]}
            """).Should().Equal("Observation/ki67");
    }

    [Fact]
    public void An_R4_subscription_notification_skips_its_SubscriptionStatus()
    {
        References($$$"""
            {"resourceType":"Bundle","type":"history","timestamp":"2026-10-01T10:00:00Z","entry":[
              {"fullUrl":"urn:uuid:0c3a4d1e-3333-4a4a-9c9c-000000000001",
               "resource":{"resourceType":"Parameters","id":"status","meta":{"profile":["http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-status-r4"]},
                 "parameter":[{"name":"subscription","valueReference":{"reference":"Subscription/s1"}},{"name":"status","valueCode":"active"},{"name":"type","valueCode":"event-notification"}]},
               "request":{"method":"GET","url":"Subscription/s1/$status"},"response":{"status":"200"}},
              {"fullUrl":"https://ehr.example/fhir/Observation/ki67","resource":{{{Ki67Json}}},"request":{"method":"PUT","url":"Observation/ki67"},"response":{"status":"200"}}
            ]}
            """).Should().Equal("Observation/ki67");
    }

    [Fact]
    public void A_nested_bundle_is_flattened_too()
    {
        References($$$"""
            {"resourceType":"Bundle","type":"collection","entry":[
              {"resource":{"resourceType":"Patient","id":"p1"}},
              {"resource":{"resourceType":"Bundle","type":"searchset","entry":[
                {"resource":{{{Ki67Json}}},"search":{"mode":"match"}},
                {"resource":{"resourceType":"OperationOutcome","issue":[{"severity":"information","code":"informational"}]},"search":{"mode":"outcome"}}
              ]}}
            ]}
            """).Should().Equal("Patient/p1", "Observation/ki67");
    }

    [Fact]
    public void An_entry_without_id_is_cited_by_its_fullUrl()
    {
        var resources = FhirInput.Resources(Parsed("""
            {"resourceType":"Bundle","type":"transaction","entry":[
              {"fullUrl":"urn:uuid:0c3a4d1e-4444-4a4a-9c9c-000000000001","resource":{"resourceType":"Observation","status":"final","code":{"text":"x"}},"request":{"method":"POST","url":"Observation"}}
            ]}
            """));

        resources.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Reference = "urn:uuid:0c3a4d1e-4444-4a4a-9c9c-000000000001", FullUrl = "urn:uuid:0c3a4d1e-4444-4a4a-9c9c-000000000001" });
    }

    // Patient references

    [Fact]
    public void Urn_uuid_subjects_resolve_to_the_Patient_entry_of_a_transaction()
    {
        var bundle = Parsed("""
            {"resourceType":"Bundle","type":"transaction","entry":[
              {"fullUrl":"urn:uuid:5b0c1f9e-aaaa-4bbb-8ccc-000000000001","resource":{"resourceType":"Patient","id":"p1","birthDate":"1970-05-01"},"request":{"method":"PUT","url":"Patient/p1"}},
              {"fullUrl":"urn:uuid:5b0c1f9e-aaaa-4bbb-8ccc-000000000002","resource":{"resourceType":"Observation","status":"final","subject":{"reference":"urn:uuid:5b0c1f9e-aaaa-4bbb-8ccc-000000000001"},"effectiveDateTime":"2026-10-01",
                "code":{"coding":[{"system":"http://loinc.org","code":"29593-1"}]},"valueQuantity":{"value":12,"unit":"%","system":"http://unitsofmeasure.org","code":"%"}},"request":{"method":"POST","url":"Observation"}},
              {"fullUrl":"urn:uuid:5b0c1f9e-aaaa-4bbb-8ccc-000000000003","resource":{"resourceType":"Condition","subject":{"reference":"urn:uuid:5b0c1f9e-aaaa-4bbb-8ccc-000000000001"},
                "code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"C7B.02"}]}},"request":{"method":"POST","url":"Condition"}}
            ]}
            """);

        var mapping = new FactMapper(TerminologyMap.Default).Map(FhirInput.Resources(bundle), AsOf);

        mapping.Problems.Should().BeEmpty();
        mapping.Facts.Patient.Should().Be("Patient/p1");
        mapping.Facts.BirthDate!.Value.Should().Be(new DateOnly(1970, 5, 1));
        mapping.Facts.Ki67.Should().Equal(new PathologyValue(12m, Oct1, "urn:uuid:5b0c1f9e-aaaa-4bbb-8ccc-000000000002"));
        mapping.Facts.Conditions.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Value = ConditionKind.LiverMetastases, Source = "urn:uuid:5b0c1f9e-aaaa-4bbb-8ccc-000000000003" });
    }

    [Fact]
    public void A_urn_uuid_of_another_entry_is_another_patient()
    {
        var bundle = Parsed("""
            {"resourceType":"Bundle","type":"transaction","entry":[
              {"fullUrl":"urn:uuid:5b0c1f9e-aaaa-4bbb-8ccc-000000000001","resource":{"resourceType":"Patient","id":"p1"},"request":{"method":"PUT","url":"Patient/p1"}},
              {"fullUrl":"urn:uuid:5b0c1f9e-aaaa-4bbb-8ccc-000000000002","resource":{"resourceType":"Observation","id":"ki67","status":"final","subject":{"reference":"urn:uuid:5b0c1f9e-aaaa-4bbb-8ccc-000000000009"},"effectiveDateTime":"2026-10-01",
                "code":{"coding":[{"system":"http://loinc.org","code":"29593-1"}]},"valueQuantity":{"value":12,"unit":"%","system":"http://unitsofmeasure.org","code":"%"}},"request":{"method":"POST","url":"Observation"}}
            ]}
            """);

        var mapping = new FactMapper(TerminologyMap.Default).Map(FhirInput.Resources(bundle), AsOf);

        mapping.Facts.Ki67.Should().BeEmpty();
        mapping.Problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Resource = "Observation/ki67", Kind = DataProblemKind.OtherPatient });
    }

    [Theory]
    [InlineData("https://ehr.example/fhir/Patient/p1")]
    [InlineData("https://ehr.example/fhir/Patient/p1/_history/3")]
    [InlineData("Patient/p1")]
    public void Absolute_and_versioned_subject_references_match_the_patient(string subject)
    {
        var mapping = Map(Patient(), Obs("ki67", Loinc, "29593-1", Qty(12, "%"), subject: subject));

        mapping.Problems.Should().BeEmpty();
        mapping.Facts.Patient.Should().Be("Patient/p1");
        mapping.Facts.Ki67.Should().ContainSingle().Which.Value.Exact.Should().Be(12m);
    }

    [Fact]
    public void Without_a_Patient_resource_the_subject_most_resources_name_is_the_patient()
    {
        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Collection,
            Entry =
            [
                new() { Resource = Obs("a", Loinc, "29593-1", Qty(12, "%"), subject: "https://ehr.example/fhir/Patient/p1") },
                new() { Resource = Obs("b", Loinc, "1975-2", Qty(1, "mg/dL"), subject: "Patient/p1") },
                new() { Resource = Obs("c", Loinc, "1975-2", Qty(2, "mg/dL"), subject: "Patient/p2") },
            ],
        };

        var mapping = new FactMapper(TerminologyMap.Default).Map(FhirInput.Resources(bundle), AsOf);

        mapping.Facts.Patient.Should().Be("Patient/p1");
        mapping.Facts.Ki67.Should().ContainSingle();
        mapping.Facts.Bilirubin.Should().ContainSingle().Which.Source.Should().Be("Observation/b");
        mapping.Problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Resource = "Observation/c", Kind = DataProblemKind.OtherPatient });
    }

    [Fact]
    public void Nothing_about_any_patient_has_no_patient()
    {
        var mapping = new FactMapper(TerminologyMap.Default).Map(FhirInput.Resources(new Bundle { Type = Bundle.BundleType.Collection }), AsOf);

        mapping.Facts.Patient.Should().BeNull();
        mapping.Problems.Should().BeEmpty();
    }
}

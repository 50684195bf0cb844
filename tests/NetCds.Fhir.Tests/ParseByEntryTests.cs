using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using NetCds.Fhir.Input;

namespace NetCds.Fhir.Tests;

/// <summary>
/// <see cref="FhirInput.ParseByEntry"/>: a prefetched Bundle read entry by entry (so each entry's resource can come from
/// a cache by content, issue 20) must be the Bundle a whole parse gives, and must step aside (null) wherever taking the
/// Bundle apart could change what is accepted or how an error is named.
/// </summary>
public sealed class ParseByEntryTests
{
    private const string Searchset = """
        {"resourceType":"Bundle","id":"search-1","meta":{"lastUpdated":"2026-11-30T10:00:00Z"},"type":"searchset","total":3,
         "link":[{"relation":"self","url":"https://ehr.example/fhir/Observation?patient=p1"}],
         "entry":[
          {"fullUrl":"https://ehr.example/fhir/Observation/o1","resource":{"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"1975-2"}]},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2026-11-01","valueQuantity":{"value":1.2,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"}},"search":{"mode":"match"}},
          {"fullUrl":"https://ehr.example/fhir/Patient/p1","resource":{"resourceType":"Patient","id":"p1","birthDate":"1960-04-02"},"search":{"mode":"include"}},
          {"resource":{"resourceType":"OperationOutcome","issue":[{"severity":"warning","code":"incomplete"}]},"search":{"mode":"outcome"}},
          {"fullUrl":"urn:uuid:9b1f0a52-61a4-4c61-a1d7-4d2f0f7d5a11","search":{"mode":"match"}},
          {"resource":{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p1"},"code":{"text":"NET"}}}]}}
         ]}
        """;

    private static readonly FhirJsonSerializer Serializer = new();

    [Fact]
    public void A_Bundle_read_entry_by_entry_is_the_Bundle_a_whole_parse_gives()
    {
        using var document = JsonDocument.Parse(Searchset);
        var asked = new List<string>();

        var byEntry = FhirInput.ParseByEntry(document.RootElement, resource =>
        {
            asked.Add(resource.GetProperty("resourceType").GetString()!);
            return FhirInput.Parse(resource);
        });
        var whole = FhirInput.Parse(document.RootElement);

        byEntry.Should().NotBeNull();
        byEntry!.Error.Should().BeNull();
        Serializer.SerializeToString(byEntry.Resource!).Should().Be(Serializer.SerializeToString(whole.Resource!));
        asked.Should().Equal(["Observation", "Patient", "OperationOutcome", "Bundle"], "each entry's resource, and nothing else, is handed out");
        FhirInput.Resources(byEntry.Resource!).Select(r => r.Reference).Should().Equal(FhirInput.Resources(whole.Resource!).Select(r => r.Reference));
    }

    [Fact]
    public void The_resources_handed_back_are_the_ones_the_Bundle_holds()
    {
        using var document = JsonDocument.Parse(Searchset);
        var handed = new List<Resource>();

        var byEntry = FhirInput.ParseByEntry(document.RootElement, resource =>
        {
            var parsed = FhirInput.Parse(resource);
            handed.Add(parsed.Resource!);
            return parsed;
        });

        var held = ((Bundle)byEntry!.Resource!).Entry.Where(e => e.Resource is not null).Select(e => e.Resource).ToList();
        held.Should().HaveCount(handed.Count);
        held.Zip(handed).Should().OnlyContain(pair => ReferenceEquals(pair.First, pair.Second), "a cached resource is used as it is, not copied");
    }

    [Fact]
    public void Entries_that_are_their_resource_alone_keep_their_order_among_the_others()
    {
        const string Json = """
            {"resourceType":"Bundle","type":"collection","entry":[
              {"resource":{"resourceType":"Patient","id":"a"}},
              {"fullUrl":"urn:uuid:5f0c3f4e-8a0b-4a47-9a39-2b1f9f0b7c11","resource":{"resourceType":"Patient","id":"b"}},
              {"resource":{"resourceType":"Patient","id":"c"}}]}
            """;
        using var document = JsonDocument.Parse(Json);

        var bundle = (Bundle)FhirInput.ParseByEntry(document.RootElement, FhirInput.Parse)!.Resource!;

        bundle.Entry.Select(e => e.Resource?.Id).Should().Equal("a", "b", "c");
        bundle.Entry.Select(e => e.FullUrl).Should().Equal(null, "urn:uuid:5f0c3f4e-8a0b-4a47-9a39-2b1f9f0b7c11", null);
        Serializer.SerializeToString(bundle).Should().Be(Serializer.SerializeToString(FhirInput.Parse(document.RootElement).Resource!));
    }

    [Fact]
    public void A_resource_that_is_not_a_Bundle_is_handed_out_whole()
    {
        using var document = JsonDocument.Parse("""{"resourceType":"Patient","id":"p1"}""");
        JsonElement? asked = null;

        var result = FhirInput.ParseByEntry(document.RootElement, resource =>
        {
            asked = resource;
            return FhirInput.Parse(resource);
        });

        result!.Resource.Should().BeOfType<Patient>().Which.Id.Should().Be("p1");
        asked!.Value.GetRawText().Should().Be(document.RootElement.GetRawText());
    }

    public static TheoryData<string, string> NotTakenApart => new()
    {
        { "an invalid entry resource", """{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"foo":1}}]}""" },
        { "an entry that is not an object", """{"resourceType":"Bundle","type":"searchset","entry":[3]}""" },
        { "a resource that is not an object", """{"resourceType":"Bundle","type":"searchset","entry":[{"resource":"Patient/p1"}]}""" },
        { "a resource given twice", """{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Patient","id":"a"},"resource":{"resourceType":"Patient","id":"b"}}]}""" },
        { "entry given twice", """{"resourceType":"Bundle","type":"searchset","entry":[],"entry":[{"resource":{"resourceType":"Patient","id":"b"}}]}""" },
        { "an escaped property name", """{"resourceType":"Bundle","type":"searchset","entry":[{"resourc\u0065":{"resourceType":"Patient","id":"a"}}]}""" },
        { "no entries", """{"resourceType":"Bundle","type":"searchset","entry":[]}""" },
        { "an escaped Bundle property name", """{"resourceType":"Bundle","typ\u0065":"searchset","entry":[{"resource":{"resourceType":"Patient","id":"a"}}]}""" },
        { "an invalid Bundle element", """{"resourceType":"Bundle","type":"no-such-type","entry":[{"resource":{"resourceType":"Patient","id":"a"}}]}""" },
    };

    [Theory]
    [MemberData(nameof(NotTakenApart))]
    public void A_Bundle_that_cannot_be_taken_apart_safely_is_left_to_a_whole_parse(string why, string json)
    {
        using var document = JsonDocument.Parse(json);

        FhirInput.ParseByEntry(document.RootElement, FhirInput.Parse).Should().BeNull(why);
    }
}

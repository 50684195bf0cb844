using System.Text;
using System.Text.Json;
using NetCds.Service.Cards;
using NetCds.Service.CdsHooks;
using NetCds.Service.CdsHooks.Contracts;
using NetCds.Service.Fhir;

namespace NetCds.Service.Tests.CdsHooks;

/// <summary>
/// The one-pass read of a hook call (issue 20) against the serializer it stands in for: the same call, the same entry
/// count, and everything else left to the serializer, so a bad call's error is worded as before.
/// </summary>
public sealed class HookCallReaderTests
{
    private const string Prefetch = """
        {"patient":{"resourceType":"Patient","id":"p1"},
         "observations":{"resourceType":"Bundle","type":"searchset","entry":[
           {"resource":{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"}}},
           {"resource":{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","id":"p2"}}]}}]}}
        """;

    public static TheoryData<string> PlainCalls =>
    [
        $$"""{"hook":"patient-view","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea","context":{"userId":"Practitioner/1","patientId":"p1"},"prefetch":{{Prefetch}}}""",
        """{"hook":"patient-view","hookInstance":"i","fhirServer":"https://ehr.example/fhir","context":{"patientId":"p1"}}""",
        """{"hook":null,"hookInstance":null,"fhirServer":null,"fhirAuthorization":null,"context":null,"prefetch":null}""",
        """{"hook":"order-select","hook":"patient-view","context":{"patientId":"a"},"context":{"patientId":"b"}}""",
        """{"h\u006fok":"patient-view","unknown":{"entry":[1,2,3]},"context":[],"prefetch":"not an object"}""",
        """{}""",
        """{"hook":"patient-view","fhirServer":"https://ehr.example/fhir","fhirAuthorization":{"access_token":"t","token_type":"Bearer","expires_in":300,"scope":"patient/*.read","subject":"cds-service","extra":1}}""",
        """{"fhirAuthorization":{"ACCESS_TOKEN":"t"}}""",
    ];

    public static TheoryData<string> LeftToTheSerializer =>
    [
        """{"hook":"patient-view",""",
        """{"hook":"patient-view"} trailing""",
        """{"hook":5,"context":{}}""",
        """{"hookInstance":{"id":"x"}}""",
        """{"Hook":"patient-view"}""",
        """{"fhirAuthorization":{"access_token":5}}""",
        """{"fhirAuthorization":"t"}""",
        """{"fhirAuthorization":[]}""",
        """["hook"]""",
        """null""",
        $$"""{"context":{{string.Concat(Enumerable.Repeat("[", 70))}}{{string.Concat(Enumerable.Repeat("]", 70))}}}""",
    ];

    public static TheoryData<string, int> Counted =>
    [
        ($$"""{"hook":"patient-view","prefetch":{{Prefetch}}}""", 5000),
        ($$"""{"hook":"patient-view","prefetch":{{Prefetch}}}""", 2),
        ($$"""{"hook":"patient-view","prefetch":{{Prefetch}}}""", 0),
        ("""{"context":{"draftOrders":{"resourceType":"Bundle","entry":[{},{},{},{}]}},"prefetch":{"a":{"entry":"not an array"},"b":[{"entry":[[],[1],{"entry":[2]}]}]}}""", 5000),
        ("""{"context":{"draftOrders":{"resourceType":"Bundle","entry":[{},{},{},{}]}},"prefetch":{"a":{"entry":"not an array"},"b":[{"entry":[[],[1],{"entry":[2]}]}]}}""", 3),
        ("""{"prefetch":{"e\u006etry":[1,2],"Entry":[1,2,3]}}""", 5000),
    ];

    [Theory]
    [MemberData(nameof(PlainCalls))]
    public void A_call_read_in_one_pass_is_the_call_the_serializer_reads(string json)
    {
        var expected = JsonSerializer.Deserialize<CdsRequest>(json, CdsJson.Options)!;

        var read = HookCallReader.TryRead(Encoding.UTF8.GetBytes(json), 5000);

        read.Should().NotBeNull();
        using var document = read!.Value.Document;
        var call = read.Value.Call;
        call.Hook.Should().Be(expected.Hook);
        call.HookInstance.Should().Be(expected.HookInstance);
        call.FhirServer.Should().Be(expected.FhirServer);
        call.FhirAuthorization.Should().Be(expected.FhirAuthorization);
        call.Context?.GetRawText().Should().Be(expected.Context?.GetRawText());
        call.Context.HasValue.Should().Be(expected.Context.HasValue);
        call.Prefetch?.GetRawText().Should().Be(expected.Prefetch?.GetRawText());
        call.Prefetch.HasValue.Should().Be(expected.Prefetch.HasValue);
    }

    [Theory]
    [MemberData(nameof(LeftToTheSerializer))]
    public void Anything_but_the_plain_shape_of_a_call_is_left_to_the_serializer(string json)
    {
        var read = HookCallReader.TryRead(Encoding.UTF8.GetBytes(json), 5000);

        read.Should().BeNull();
    }

    [Theory]
    [MemberData(nameof(Counted))]
    public void Entries_are_counted_as_the_byte_counter_counts_them(string json, int stopAbove)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var expected = JsonEntryCounter.Count(bytes, "entry", stopAbove);

        var read = HookCallReader.TryRead(bytes, stopAbove);

        read.Should().NotBeNull();
        read!.Value.Document.Dispose();
        (read.Value.Entries > stopAbove).Should().Be(expected > stopAbove);
        if (expected <= stopAbove)
        {
            read.Value.Entries.Should().Be(expected);
        }
    }
}

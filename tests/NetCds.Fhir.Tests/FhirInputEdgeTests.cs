using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using NetCds.Fhir.Input;

namespace NetCds.Fhir.Tests;

/// <summary>
/// The FHIR input edge itself (issue 19, deliverable 6): UTF-8 bytes in, a resource or a typed
/// <see cref="FhirInputError"/> (path, message, issue type, status) out, the same whichever overload is used.
/// </summary>
public sealed class FhirInputEdgeTests
{
    private const string Valid = """{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"}}""";

    public static TheoryData<string, byte[], OperationOutcome.IssueType, string?, string> Malformed => new()
    {
        { "bad JSON", Encoding.UTF8.GetBytes("""{"resourceType":"Observation","status":"final" """), OperationOutcome.IssueType.Structure, null, "Malformed JSON" },
        { "unknown element", Encoding.UTF8.GetBytes("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"foo":1}"""), OperationOutcome.IssueType.Invalid, "Observation.foo", "foo" },
        { "wrong type", Encoding.UTF8.GetBytes("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":"twelve"}}"""), OperationOutcome.IssueType.Invalid, "Observation.value.value", "decimal" },
        { "no resourceType", Encoding.UTF8.GetBytes("""{"status":"final"}"""), OperationOutcome.IssueType.Structure, "resourceType", "resourceType" },
        { "not UTF-8", [.. Encoding.UTF8.GetBytes("""{"resourceType":"Patient","id":"p"""), 0xFF, .. Encoding.UTF8.GetBytes("\"}")], OperationOutcome.IssueType.Structure, null, "not valid UTF-8" },
        { "empty", Encoding.UTF8.GetBytes(" \r\n"), OperationOutcome.IssueType.Required, null, "empty" },
        { "an array", Encoding.UTF8.GetBytes("[]"), OperationOutcome.IssueType.Structure, null, "Not a FHIR resource" },
    };

    [Fact]
    public void Bytes_in_a_resource_out()
    {
        var result = FhirInput.Parse(Encoding.UTF8.GetBytes(Valid).AsSpan());

        result.Error.Should().BeNull();
        result.Resource.Should().BeOfType<Observation>().Which.Id.Should().Be("o1");
    }

    [Fact]
    public void A_byte_order_mark_is_allowed()
    {
        var result = FhirInput.Parse(new ReadOnlyMemory<byte>([.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes(Valid)]));

        result.Resource.Should().BeOfType<Observation>();
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_bytes_give_a_typed_error_naming_the_element(string why, byte[] input, OperationOutcome.IssueType type, string? path, string message)
    {
        var result = FhirInput.Parse(input.AsSpan());

        result.Resource.Should().BeNull(why);
        var error = result.Error!;
        error.Type.Should().Be(type, why);
        error.Status.Should().Be(400, "every input error is the client's");
        error.Path.Should().Be(path, why);
        error.Message.Should().ContainEquivalentOf(message, why);
        error.ToString().Should().Contain(error.Message);
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void The_OperationOutcome_form_carries_the_same_path_and_message(string why, byte[] input, OperationOutcome.IssueType type, string? path, string message)
    {
        var error = FhirInput.Parse(input.AsSpan()).Error!;

        var issue = error.ToOperationOutcome().Issue[0];

        issue.Code.Should().Be(type, why);
        issue.Severity.Should().Be(OperationOutcome.IssueSeverity.Error);
        issue.Diagnostics.Should().Be(error.Message).And.ContainEquivalentOf(message);
        issue.Expression.Should().Equal(path is null ? [] : [path]);
    }

    [Fact]
    public void A_string_and_a_JSON_element_give_what_the_bytes_give()
    {
        const string Bad = """{"resourceType":"Observation","status":"bogus","code":{"text":"x"},"foo":1}""";
        using var document = JsonDocument.Parse(Bad);

        var fromBytes = FhirInput.Parse(Encoding.UTF8.GetBytes(Bad).AsSpan()).Error!;
        var fromString = FhirInput.Parse(Bad).Error!;
        var fromElement = FhirInput.Parse(document.RootElement).Error!;

        fromBytes.Issues.Select(i => i.Path).Should().BeEquivalentTo(["Observation.status", "Observation.foo"]);
        fromString.Issues.Should().Equal(fromBytes.Issues);
        fromElement.Issues.Should().Equal(fromBytes.Issues);
    }

    /// <summary>The malformed inputs that are still JSON, so a request's document can carry them as a value.</summary>
    public static TheoryData<string, byte[], OperationOutcome.IssueType, string?, string> MalformedButJson()
    {
        var rows = new TheoryData<string, byte[], OperationOutcome.IssueType, string?, string>();
        foreach (var row in Malformed)
        {
            var (why, input, type, path, message) = row.Data;
            if (IsJson(input))
            {
                rows.Add(why, input, type, path, message);
            }
        }

        return rows;

        static bool IsJson(byte[] input)
        {
            try
            {
                using var document = JsonDocument.Parse(input);
                return true;
            }
            catch (JsonException)
            {
                return false;
            }
        }
    }

    [Theory]
    [MemberData(nameof(MalformedButJson))]
    public void A_JSON_element_inside_a_request_gives_what_its_bytes_give(string why, byte[] input, OperationOutcome.IssueType type, string? path, string message)
    {
        // A prefetch value is an element of the request's document: an object skips the strict JSON pass (System.Text.Json
        // read it already), so its errors must still be the bytes' own.
        byte[] body = [.. "{\"prefetch\":{\"key\":"u8, .. input, .. "}}"u8];
        using var request = JsonDocument.Parse(body);
        var element = request.RootElement.GetProperty("prefetch").GetProperty("key");

        var fromElement = FhirInput.Parse(element);

        fromElement.Resource.Should().BeNull(why);
        (fromElement.Error!.Type, fromElement.Error.Path).Should().Be((type, path), why);
        fromElement.Error.Message.Should().ContainEquivalentOf(message, why).And.Be(FhirInput.Parse(input.AsSpan()).Error!.Message);
    }

    [Fact]
    public void A_valid_resource_inside_a_request_is_parsed()
    {
        using var request = JsonDocument.Parse("{\"prefetch\":{\"key\":" + Valid + "}}");

        var result = FhirInput.Parse(request.RootElement.GetProperty("prefetch").GetProperty("key"));

        result.Resource.Should().BeOfType<Observation>().Which.Id.Should().Be("o1");
    }

    [Fact]
    public void One_place_decides_which_entries_carry_clinical_data()
    {
        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Searchset,
            Entry =
            [
                new() { Resource = new Observation { Id = "o1" } },
                new() { Resource = new OperationOutcome(), Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Outcome } },
                new() { Resource = new Patient { Id = "p1" }, Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Outcome } },
                new() { Resource = new MessageHeader() },
                new() { Resource = new Parameters() },
                new() { Resource = new Bundle { Entry = [new() { Resource = new Condition { Id = "c1" } }] } },
                new(),
            ],
        };

        bundle.Entry.Select(ClinicalEntries.Carries).Should().Equal(true, false, false, false, false, true, false);
        FhirInput.Resources(bundle).Select(r => r.Reference).Should().Equal("Observation/o1", "Condition/c1");
    }
}

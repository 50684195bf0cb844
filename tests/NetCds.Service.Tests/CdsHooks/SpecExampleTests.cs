using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetCds.Service.Cards;
using NetCds.Service.Tests.CdsHooks.Support;

namespace NetCds.Service.Tests.CdsHooks;

/// <summary>The specification's own examples: our contracts carry every field of its responses; its feedback is accepted.</summary>
public sealed class SpecExampleTests(OpenCdsFactory factory) : IClassFixture<OpenCdsFactory>
{
    private static string Example(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "CdsHooks", "SpecExamples", name));

    public static TheoryData<string> Responses() => ["response-1.json"];

    public static TheoryData<string> Feedback() => ["feedback-1.json", "feedback-2.json", "feedback-3.json"];

    [Theory]
    [MemberData(nameof(Responses))]
    public void Example_responses_round_trip_through_our_card_contract(string file)
    {
        var original = JsonNode.Parse(Example(file))!;

        var response = JsonSerializer.Deserialize<CdsResponse>(original.ToJsonString(), CdsJson.Options)!;
        var written = JsonNode.Parse(JsonSerializer.Serialize(response, CdsJson.Options))!;

        JsonNode.DeepEquals(written, original).Should().BeTrue($"nothing of {file} is lost or added:\n{written.ToJsonString()}");
    }

    [Theory]
    [MemberData(nameof(Feedback))]
    public async Task Example_feedback_is_accepted(string file)
    {
        using var client = factory.CreateClient();

        var (response, _) = await HookCalls.PostAsync(client, "/cds-services/net-liver-mets-eligibility/feedback", JsonNode.Parse(Example(file))!);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }
}

using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NetCds.Service.Cards;
using NetCds.Service.Storage;
using NetCds.Service.Tests.CdsHooks.Support;
using NetCds.Service.Tests.Support;

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
        // The example's card as if this service had returned it, and its override reason as one the site offers.
        using var site = factory.WithWebHostBuilder(b => b
            .UseSetting("CdsHooks:OverrideReasons:0:Code", "d7ecf885")
            .UseSetting("CdsHooks:OverrideReasons:0:System", "https://example.com/cds-hooks/override-reason-system")
            .UseSetting("CdsHooks:OverrideReasons:0:Display", "The specification's example reason"));
        var example = JsonNode.Parse(Example(file))!;
        await using (var scope = site.Services.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
            var card = (string)example["feedback"]![0]!["card"]!;
            if (!await store.RememberedCards.AnyAsync(c => c.CardUuid == card, TestContext.Current.CancellationToken))
            {
                store.RememberedCards.Add(new RememberedCard { CardUuid = card, ServiceId = "net-liver-mets-eligibility", Hook = "patient-view", HookInstance = Guid.NewGuid().ToString(), PatientHash = "example", ShownAt = TestClock.Now, Subjects = "[]" });
                await store.SaveChangesAsync(TestContext.Current.CancellationToken);
            }
        }

        using var client = site.CreateClient();

        var (response, _) = await HookCalls.PostAsync(client, "/cds-services/net-liver-mets-eligibility/feedback", example);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }
}

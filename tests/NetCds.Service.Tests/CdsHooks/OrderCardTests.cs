using System.Text.Json.Nodes;
using NetCds.Service.Cards;
using NetCds.Service.Tests.CdsHooks.Support;

namespace NetCds.Service.Tests.CdsHooks;

/// <summary>
/// Order-select and order-sign cards follow the summary card's rule (CDS Hooks card guidance): at most 15 lines of
/// detail, the findings that set the status one line each, passing rules left to the MDT view and the report.
/// </summary>
public sealed class OrderCardTests(OpenCdsFactory factory) : IClassFixture<OpenCdsFactory>
{
    private const string Findings = "http://netcds.org/fhir/CodeSystem/net-findings";

    public static TheoryData<string, string, string> Orders => new()
    {
        { "09-pancreatic-net-complete-portal-vein-thrombosis", "order-select", "tace" },
        { "09-pancreatic-net-complete-portal-vein-thrombosis", "order-sign", "liver-resection" },
        { "01-ileal-carcinoid-syndrome-unresectable", "order-sign", "sirt" },
        { "01-ileal-carcinoid-syndrome-unresectable", "order-select", "thermal-ablation" },
        { "17-men1-pancreatic-net-workup-incomplete", "order-select", "tace" },
        { "19-minimal-data-referral", "order-sign", "sirt" },
        { "20-data-problems", "order-select", "systemic-chemotherapy" },
    };

    private async Task<List<JsonNode>> CardsAsync(string seed, string hook, string code)
    {
        using var client = factory.CreateClient();
        var json = HookCalls.Seed(seed);
        var context = new JsonObject { ["draftOrders"] = HookCalls.DraftOrders("ServiceRequest", Findings, code) };
        if (hook == "order-select")
        {
            context["selections"] = new JsonArray("ServiceRequest/draft-1");
        }

        var (response, body) = await HookCalls.PostAsync(client, $"/cds-services/net-{hook}", HookCalls.Call(hook, HookCalls.PatientIdOf(json), HookCalls.PrefetchFrom(json), context));
        response.IsSuccessStatusCode.Should().BeTrue(body.ToString());
        return [.. JsonNode.Parse(body.GetRawText())!["cards"]!.AsArray().Select(c => c!)];
    }

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task Every_order_card_is_readable_in_15_seconds(string seed, string hook, string code)
    {
        var cards = await CardsAsync(seed, hook, code);

        foreach (var card in cards)
        {
            CardConformance.AssertCard(System.Text.Json.JsonDocument.Parse(card.ToJsonString()).RootElement);
            var detail = (string?)card["detail"] ?? "";
            detail.Split('\n').Length.Should().BeLessThanOrEqualTo(CardBuilder.DetailLineLimit, "card '{0}' must be readable in 15 seconds:\n{1}", (string?)card["summary"], detail);
            detail.Should().NotContain("(eligible)", "passing rules are in the MDT view, not on the card");
        }
    }

    [Fact]
    public async Task A_contraindicated_order_names_the_decisive_rule_with_its_data_in_one_line()
    {
        var cards = await CardsAsync("09-pancreatic-net-complete-portal-vein-thrombosis", "order-select", "tace");

        var critical = cards.Single(c => (string?)c["indicator"] == "critical");
        var lines = ((string)critical["detail"]!).Split('\n');
        lines.Should().Contain(l => l.StartsWith("**EMB", StringComparison.Ordinal) && l.Contains("contraindicated", StringComparison.Ordinal));
        lines.Should().ContainSingle(l => l.StartsWith("- EMB-PV:", StringComparison.Ordinal)).Which.Should().Contain("Observation/seed-09-liver-imaging", "the data it read, by reference");
        lines[^1].Should().Contain("MDT view");
    }
}

using System.Text.Json;

namespace NetCds.Service.Tests.CdsHooks.Support;

/// <summary>CDS Hooks 2.0 card rules, checked field by field.</summary>
internal static class CardConformance
{
    private static readonly string[] Indicators = ["info", "warning", "critical"];

    public static void AssertCard(JsonElement card)
    {
        Guid.TryParse(card.GetProperty("uuid").GetString(), out _).Should().BeTrue("uuid is a UUID");
        card.GetProperty("summary").GetString()!.Length.Should().BeInRange(1, 139, "summary is under 140 characters");
        card.GetProperty("indicator").GetString().Should().BeOneOf(Indicators);
        var source = card.GetProperty("source");
        source.GetProperty("label").GetString().Should().NotBeNullOrWhiteSpace();
        Uri.IsWellFormedUriString(source.GetProperty("url").GetString(), UriKind.Absolute).Should().BeTrue();
        source.GetProperty("topic").GetProperty("code").GetString().Should().NotBeNullOrWhiteSpace();
        source.GetProperty("topic").GetProperty("system").GetString().Should().NotBeNullOrWhiteSpace();
        if (card.TryGetProperty("suggestions", out var suggestions))
        {
            card.GetProperty("selectionBehavior").GetString().Should().BeOneOf("at-most-one", "any");
            foreach (var suggestion in suggestions.EnumerateArray())
            {
                suggestion.GetProperty("label").GetString().Should().NotBeNullOrWhiteSpace();
                Guid.TryParse(suggestion.GetProperty("uuid").GetString(), out _).Should().BeTrue();
                foreach (var action in suggestion.GetProperty("actions").EnumerateArray())
                {
                    action.GetProperty("type").GetString().Should().BeOneOf("create", "update", "delete");
                    action.GetProperty("description").GetString().Should().NotBeNullOrWhiteSpace();
                    if (action.GetProperty("type").GetString() == "create")
                    {
                        action.GetProperty("resource").GetProperty("resourceType").GetString().Should().NotBeNullOrWhiteSpace();
                    }
                }
            }
        }
        else
        {
            card.TryGetProperty("selectionBehavior", out _).Should().BeFalse("selectionBehavior goes with suggestions");
        }

        if (card.TryGetProperty("overrideReasons", out var reasons))
        {
            reasons.EnumerateArray().Should().OnlyContain(r => !string.IsNullOrWhiteSpace(r.GetProperty("display").GetString()) && !string.IsNullOrWhiteSpace(r.GetProperty("code").GetString()));
        }

        if (card.TryGetProperty("links", out var links))
        {
            foreach (var link in links.EnumerateArray())
            {
                link.GetProperty("label").GetString().Should().NotBeNullOrWhiteSpace();
                link.GetProperty("type").GetString().Should().BeOneOf("absolute", "smart");
                Uri.IsWellFormedUriString(link.GetProperty("url").GetString(), UriKind.Absolute).Should().BeTrue();
            }
        }

        AssertNoNullOrEmpty(card);
    }

    /// <summary>
    /// "JSON elements SHALL NOT be null ... or empty" (optional ones are omitted), everywhere, extensions included
    /// (issue 20); only the required <c>cards</c> array of an answer may be empty.
    /// </summary>
    public static void AssertNoNullOrEmpty(JsonElement element, string path = "$")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Null:
                throw new Xunit.Sdk.XunitException($"{path} is null");
            case JsonValueKind.String when element.GetString()!.Length == 0:
                throw new Xunit.Sdk.XunitException($"{path} is an empty string");
            case JsonValueKind.Array:
                if (element.GetArrayLength() == 0 && path != "$.cards")
                {
                    throw new Xunit.Sdk.XunitException($"{path} is an empty array");
                }

                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    AssertNoNullOrEmpty(item, $"{path}[{i++}]");
                }

                break;
            case JsonValueKind.Object:
                if (!element.EnumerateObject().Any())
                {
                    throw new Xunit.Sdk.XunitException($"{path} is an empty object");
                }

                foreach (var property in element.EnumerateObject())
                {
                    AssertNoNullOrEmpty(property.Value, $"{path}.{property.Name}");
                }

                break;
        }
    }
}

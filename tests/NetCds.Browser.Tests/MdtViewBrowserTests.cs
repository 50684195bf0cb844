using System.Text.Json;
using OpenQA.Selenium;

namespace NetCds.Browser.Tests;

/// <summary>
/// What a clinician sees, in a real browser: the landing page lists the demo patients; each MDT view shows the
/// statuses seeds/README.md says the seed was written for (an oracle independent of the engine), a chromogranin A
/// chart with the values of the seed's own Observations, and no console errors. Screenshots go to TestResults/screenshots.
/// </summary>
public sealed class MdtViewBrowserTests(BrowserSession browser) : IClassFixture<BrowserSession>
{
    private static readonly string[] Therapies = ["RES", "ABL", "EMB", "SIRT", "LT", "SSA", "INF", "PRRT", "MIBG", "EVE", "SUN", "CHEMO"];

    private static readonly Dictionary<char, string> Letters = new()
    {
        ['E'] = "eligible",
        ['C'] = "consider",
        ['I'] = "insufficient-data",
        ['N'] = "not-indicated",
        ['X'] = "contraindicated",
    };

    private static readonly string[] ChromograninCodes = ["9811-1", "25587-7", "30169-7"];

    public static TheoryData<string> Seeds => [.. Expected().Keys.Order(StringComparer.Ordinal)];

    [Fact]
    public void The_landing_page_says_what_the_service_is_and_lists_every_seed_with_its_MDT_view_and_cards()
    {
        var driver = browser.Open("/");

        driver.FindElement(By.TagName("h1")).Text.Should().Contain("NetCds");
        driver.FindElement(By.Id("health")).Text.Should().Contain("live");
        var seeds = driver.FindElements(By.CssSelector("#seeds li")).ToList();
        seeds.Select(s => s.GetAttribute("data-seed")).Should().BeEquivalentTo(SeedFiles().Select(Path.GetFileNameWithoutExtension));
        seeds.Should().OnlyContain(s => s.FindElement(By.CssSelector("a.mdt")).GetAttribute("href")!.Contains("/mdt/seed-", StringComparison.Ordinal));
        browser.ConsoleErrors().Should().BeEmpty();
        browser.Screenshot("landing");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_seeds_MDT_view_shows_its_expected_statuses_its_chromogranin_A_and_no_console_errors(string seed)
    {
        var driver = browser.Open("/");
        driver.FindElement(By.CssSelector($"#seeds li[data-seed='{seed}'] a.mdt")).Click();

        var rows = driver.FindElements(By.CssSelector("#matrix tbody tr")).ToList();
        rows.Select(r => r.GetAttribute("data-therapy")).Should().Equal(Therapies, "the catalogue's order");
        var shown = rows.ToDictionary(r => r.GetAttribute("data-therapy")!, r => r.GetAttribute("data-status")!);
        shown.Should().Equal(Expected()[seed]);
        // The badge says the status in words (with a symbol): never by colour alone.
        rows.Should().OnlyContain(r => r.FindElement(By.CssSelector(".status")).Text.EndsWith(r.GetAttribute("data-status")!.Replace('-', ' '), StringComparison.Ordinal));

        // The page as it opens (the last 24 months, folds closed): the README's picture comes from here.
        browser.Screenshot($"mdt-{seed}");
        browser.FullPageScreenshot($"mdt-{seed}-full");

        var chart = driver.FindElement(By.Id("chart-chromogranin-a"));
        var observations = Chromogranin(seed);
        if (observations.Count == 0)
        {
            chart.Text.Should().Contain("No value on record");
        }
        else
        {
            var svg = chart.FindElement(By.TagName("svg"));
            svg.Displayed.Should().BeTrue();
            svg.Size.Width.Should().BeGreaterThan(200);
            // The full history: every value of the seed, whatever its age; the values fold under the chart.
            var patient = new Uri(driver.Url).AbsolutePath;
            driver.FindElement(By.Id("history")).Click();
            chart = driver.FindElement(By.Id("chart-chromogranin-a"));
            chart.FindElement(By.CssSelector("details.values summary")).Click();
            var rowsShown = chart.FindElements(By.CssSelector("table.points tbody tr")).ToList();
            var points = rowsShown.Select(r => (Source: Reference(r.FindElement(By.CssSelector("a.source")).GetAttribute("href")!), Value: r.FindElement(By.CssSelector("a.source")).Text)).ToList();
            points.Select(p => p.Source).Should().BeEquivalentTo(observations.Select(o => o.Source));
            foreach (var (source, value) in observations)
            {
                points.Single(p => p.Source == source).Value.Should().Contain(value);
            }

            // Every point links to its source resource from its value, never showing the reference, and the link resolves.
            var links = chart.FindElements(By.CssSelector("table.points tbody tr td a.source")).ToList();
            links.Should().HaveCount(rowsShown.Count, "every plotted value has its source linked");
            links.Should().OnlyContain(a => a.GetAttribute("href")!.Contains($"{patient}/source/", StringComparison.Ordinal) && !a.Text.Contains("Observation/", StringComparison.Ordinal));
            var first = observations[0].Source;
            links.First(a => Reference(a.GetAttribute("href")!) == first).Click();
            driver.FindElement(By.TagName("h1")).Text.Should().Be(first);
            driver.FindElement(By.Id("resource")).Text.Should().Contain($"\"id\": \"{first.Split('/')[1]}\"");
            driver.Navigate().Back();
        }

        browser.ConsoleErrors().Should().BeEmpty();
    }

    [Fact]
    public void The_cards_page_calls_patient_view_as_an_EHR_and_shows_the_contraindication_that_makes_the_summary_a_warning()
    {
        var driver = browser.Open("/");
        driver.FindElement(By.CssSelector("#seeds li[data-seed='09-pancreatic-net-complete-portal-vein-thrombosis'] a.cards")).Click();

        // Drawn by the page's script from the answer of POST /cds-services/net-liver-mets-eligibility.
        var loaded = browser.Until(d => d.FindElement(By.Id("cards")).GetAttribute("data-loaded")
            ?? (d.FindElement(By.Id("cards-status")).GetAttribute("class")!.Contains("failed", StringComparison.Ordinal) ? "failed: " + d.FindElement(By.Id("cards-status")).Text : null));
        loaded.Should().MatchRegex("^[1-9][0-9]*$", "the page drew the cards of the answer");
        driver.FindElement(By.Id("cards-status")).Text.Should().Contain("patient-view");
        var cards = driver.FindElements(By.CssSelector("section.card")).ToList();
        cards.Should().NotBeEmpty();
        cards[0].GetAttribute("data-indicator").Should().Be("warning");
        cards[0].FindElement(By.CssSelector(".detail")).Text.Should().Contain("Contraindicated EMB (TAE/TACE): EMB-PV");
        browser.ConsoleErrors().Should().BeEmpty("the page's script ran under its content security policy");
        browser.Screenshot("cards-09");
        cards[0].FindElement(By.LinkText("MDT view: statuses, reasons and plots")).Click();
        driver.FindElement(By.CssSelector("tr[data-therapy='EMB']")).GetAttribute("data-status").Should().Be("contraindicated");
        browser.ConsoleErrors().Should().BeEmpty();
    }

    /// <summary>The resource a source link points at: <c>/mdt/{patient}/source/Observation/x</c> gives <c>Observation/x</c>.</summary>
    private static string Reference(string href)
    {
        var path = new Uri(href).AbsolutePath;
        return path[(path.IndexOf("/source/", StringComparison.Ordinal) + "/source/".Length)..];
    }

    private static string[] SeedFiles() => Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "seeds"), "*.json");

    /// <summary>seeds/README.md's table: file, description, then one letter per therapy in card order.</summary>
    private static Dictionary<string, Dictionary<string, string>> Expected() =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "seeds", "README.md"))
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal) && l.Contains(".json`", StringComparison.Ordinal))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries))
            .ToDictionary(
                cells => cells[1].Trim('`')[..^".json".Length],
                cells => cells[3].Split(' ').Select((letter, i) => (Therapies[i], Letters[letter[0]])).ToDictionary(x => x.Item1, x => x.Item2));

    /// <summary>The seed's usable chromogranin A Observations, read from the Bundle itself: reference and value as written.</summary>
    private static List<(string Source, string Value)> Chromogranin(string seed)
    {
        using var bundle = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "seeds", seed + ".json")));
        return [.. bundle.RootElement.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource"))
            .Where(r => r.GetProperty("resourceType").GetString() == "Observation"
                && r.GetProperty("status").GetString() is "final" or "amended" or "corrected"
                && r.GetProperty("code").GetProperty("coding").EnumerateArray().Any(c => ChromograninCodes.Contains(c.GetProperty("code").GetString()))
                && r.TryGetProperty("valueQuantity", out _))
            .Select(r => ($"Observation/{r.GetProperty("id").GetString()}", r.GetProperty("valueQuantity").GetProperty("value").GetRawText()))];
    }
}

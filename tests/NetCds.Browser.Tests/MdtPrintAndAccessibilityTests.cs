using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Deque.AxeCore.Commons;
using OpenQA.Selenium;
using OpenQA.Selenium.Interactions;

namespace NetCds.Browser.Tests;

/// <summary>
/// The MDT view for the tumour board (issue 23), in a real browser: printed by Chromium on A4 (at most two pages for a
/// typical patient, counted by poppler's pdfinfo, with the head and the unfolded rules, inputs and evidence on paper),
/// axe-core without a serious or critical violation, and usable from the keyboard alone.
/// </summary>
public sealed class MdtPrintAndAccessibilityTests(BrowserSession browser) : IClassFixture<BrowserSession>
{
    [Theory]
    [InlineData("seed-02")]
    [InlineData("seed-09")]
    public void The_MDT_view_prints_on_at_most_two_A4_pages_with_its_head_and_every_fold_open(string patient)
    {
        var driver = browser.Open($"/mdt/{patient}");
        var name = driver.FindElement(By.Id("patient")).Text;
        var rules = driver.FindElement(By.Id("rules-version")).Text;
        var evidence = driver.FindElements(By.CssSelector("#matrix .evidence")).Count;
        evidence.Should().BePositive("the folds hold the evidence");

        var pdf = Path.Combine(BrowserSession.ScreenshotDirectory, $"mdt-{patient}.pdf");
        File.WriteAllBytes(pdf, browser.PrintA4());
        var pages = int.Parse(Poppler("pdfinfo", pdf).Split('\n').Single(l => l.StartsWith("Pages:", StringComparison.Ordinal))["Pages:".Length..].Trim(), CultureInfo.InvariantCulture);
        var text = Poppler("pdftotext", pdf, "-");

        pages.Should().BeInRange(1, 2, "the tumour board gets the whole assessment on two A4 pages");
        text.Should().Contain(name).And.Contain("2026-11-01 00:00 UTC").And.Contain(rules).And.Contain("Decision support, not an order");
        text.Split("Evidence:").Length.Should().Be(evidence + 1, "every fold prints open: each finding's evidence is on paper");
        text.Should().NotContain("Print for the tumour board", "controls do not print");
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/mdt/seed-02")]
    [InlineData("/mdt/seed-09")]
    [InlineData("/mdt/seed-02?history=full")]
    [InlineData("/mdt/seed-02/source/Observation/seed-02-ki67")]
    public void Axe_finds_no_serious_or_critical_violation(string path)
    {
        var driver = browser.Open(path);
        // Open every fold, so what it holds is checked too (contrast of the inputs and evidence).
        driver.ExecuteScript("document.querySelectorAll('details').forEach(d => { d.open = true; });");
        driver.ExecuteScript(new BundledAxeScriptProvider().GetScript());

        var json = (string?)driver.ExecuteAsyncScript("""
            const done = arguments[arguments.length - 1];
            axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } })
              .then(r => done(JSON.stringify({ passes: r.passes.length, violations: r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")) })) })))
              .catch(e => done(JSON.stringify({ error: String(e) })));
            """);

        json ??= "{\"error\": \"axe returned nothing\"}";
        // Every violation, whatever its impact, kept beside the screenshots for a reader to look at.
        File.WriteAllText(Path.Combine(BrowserSession.ScreenshotDirectory, $"axe{(path == "/" ? "-landing" : path.Replace('/', '-').Replace('?', '-').Replace('=', '-'))}.json"), json);
        using var result = JsonDocument.Parse(json);
        result.RootElement.TryGetProperty("error", out var error).Should().BeFalse(error.ToString());
        result.RootElement.GetProperty("passes").GetInt32().Should().BePositive("axe ran its rules on the page");
        var violations = result.RootElement.GetProperty("violations").EnumerateArray()
            .Select(v => (Impact: v.GetProperty("impact").GetString(), Text: v.ToString())).ToList();
        violations.Where(v => v.Impact is "serious" or "critical").Select(v => v.Text).Should().BeEmpty();
    }

    [Fact]
    public void The_matrix_works_from_the_keyboard_the_print_button_then_each_reason_opens_and_its_links_follow()
    {
        var driver = browser.Open("/mdt/seed-02");
        var keys = new Actions(driver);

        var reached = new List<string>();
        for (var i = 0; i < 6 && !IsFirstReason(driver); i++)
        {
            keys.SendKeys(Keys.Tab).Perform();
            reached.Add(Focused(driver));
        }

        reached.Should().Contain("print", "the print button is reached by Tab");
        IsFirstReason(driver).Should().BeTrue($"Tab reaches the first reason of the matrix (went through {string.Join(", ", reached)})");
        var fold = driver.FindElement(By.CssSelector("#matrix tbody tr details"));
        fold.GetAttribute("open").Should().BeNull();
        driver.SwitchTo().ActiveElement().GetCssValue("outline-style").Should().NotBe("none", "focus is visible");

        keys.SendKeys(Keys.Enter).Perform();
        fold.GetAttribute("open").Should().NotBeNull("Enter opens the reason's rules, inputs and evidence");
        keys.SendKeys(Keys.Tab).Perform();
        driver.SwitchTo().ActiveElement().GetAttribute("href").Should().Contain("/mdt/seed-02/source/", "the next stop is the first input's source");
        keys.KeyDown(Keys.Shift).SendKeys(Keys.Tab).KeyUp(Keys.Shift).SendKeys(Keys.Enter).Perform();
        fold.GetAttribute("open").Should().BeNull("Enter on the reason folds it again");
    }

    private static bool IsFirstReason(IWebDriver driver) =>
        (bool)((IJavaScriptExecutor)driver).ExecuteScript("return document.activeElement === document.querySelector('#matrix tbody tr summary');")!;

    private static string Focused(IWebDriver driver) =>
        (string)((IJavaScriptExecutor)driver).ExecuteScript("const e = document.activeElement; return e.id || e.tagName.toLowerCase();")!;

    /// <summary>A poppler-utils tool (deploy/local/chromium.sh installs it with Chromium); its standard output.</summary>
    private static string Poppler(string tool, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })
            ?? throw new InvalidOperationException($"{tool} did not start: deploy/local/chromium.sh up installs poppler-utils.");
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.Should().Be(0, errors);
        return output;
    }
}

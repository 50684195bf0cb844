using System.Net;
using System.Text.RegularExpressions;
using NetCds.Service.Mdt;

namespace NetCds.Service.Tests.Mdt;

/// <summary>
/// The MDT view as a tumour board reads it (issue 23): a head that names the patient, the instant, the rules and what
/// the page is not; inputs named as what they are with the link on the label and no raw reference as text; missing
/// inputs in words with their order; one date format, on the charts too; the last 24 months by default, the full
/// history one link away. Demo seeds are evaluated at 2026-11-01.
/// </summary>
public sealed partial class MdtViewTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<string> PageAsync(string path)
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), Ct);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    /// <summary>What a reader sees: the text outside the tags (inline tags join their words), entities decoded, spaces collapsed.</summary>
    private static string Text(string html) =>
        Space().Replace(WebUtility.HtmlDecode(Tag().Replace(InlineTag().Replace(html, ""), " ")), " ");

    [Fact]
    public async Task The_head_names_the_patient_the_evaluation_instant_the_rules_and_says_decision_support_not_an_order()
    {
        var page = await PageAsync("/mdt/seed-02");

        var head = Text(page[page.IndexOf("<header", StringComparison.Ordinal)..page.IndexOf("</header>", StringComparison.Ordinal)]);
        head.Should().Contain("Elio Testamundo").And.Contain("born 1963-02-03").And.Contain("2026-11-01 00:00 UTC")
            .And.Contain("netcds-rules-").And.Contain("Decision support, not an order");
    }

    [Fact]
    public async Task Inputs_read_as_what_they_are_with_the_source_link_on_the_label_and_no_raw_reference_as_text()
    {
        var page = await PageAsync("/mdt/seed-02");

        var text = Text(page);
        text.Should().Contain("Ki-67 12 % (2024-05-20)").And.Contain("Liver imaging: largest lesion 6 cm (2026-08-20)");
        RawReference().Matches(text).Select(m => m.Value).Should().BeEmpty("a reference is a link's target, never its text");
        page.Should().Contain("<a href=\"/mdt/seed-02/source/Observation/seed-02-ki67\">Ki-67</a> 12 % (2024-05-20)");
    }

    [Fact]
    public async Task Missing_inputs_are_named_in_words_with_the_order_that_supplies_them()
    {
        var page = await PageAsync("/mdt/seed-02");

        var missing = page[page.IndexOf("<table id=\"missing\"", StringComparison.Ordinal)..];
        missing = Text(missing[..missing.IndexOf("</table>", StringComparison.Ordinal)]);
        missing.Should().Contain("Resection of the primary tumour").And.Contain("Document diagnosis, primary site and prior procedures");
        missing.Should().NotContain("primaryResection");
    }

    [Fact]
    public async Task The_matrix_has_one_row_per_therapy_in_the_catalogues_order_with_status_and_therapy_and_the_reason_folded()
    {
        var page = await PageAsync("/mdt/seed-09");

        var rows = Row().Matches(page).ToList();
        rows.Select(r => r.Groups["therapy"].Value).Should().Equal("RES", "ABL", "EMB", "SIRT", "LT", "SSA", "INF", "PRRT", "MIBG", "EVE", "SUN", "CHEMO");
        rows.Should().OnlyContain(r => r.Groups["cells"].Value.Contains("<th scope=\"row\"><span class=\"status status-", StringComparison.Ordinal)
            && Regex.Count(r.Groups["cells"].Value, "<td>") == 1
            && r.Groups["cells"].Value.Contains("<details><summary>", StringComparison.Ordinal));
        var emb = rows.Single(r => r.Groups["therapy"].Value == "EMB").Groups["cells"].Value;
        Text(emb).Should().Contain("contraindicated").And.Contain("EMB-PV");
    }

    [Fact]
    public async Task Dates_are_ISO_everywhere_on_the_page_the_chart_axes_included()
    {
        var page = await PageAsync("/mdt/seed-02?history=full");

        UsDate().IsMatch(page).Should().BeFalse("one date format on the page");
        var ticks = Ticks(page);
        ticks.Should().NotBeEmpty();
        ticks.Should().OnlyContain(t => IsoDate().IsMatch(t));
    }

    [Fact]
    public async Task Charts_show_the_last_24_months_by_default_and_the_full_history_is_one_link_away()
    {
        var recent = await PageAsync("/mdt/seed-02");
        var full = await PageAsync("/mdt/seed-02?history=full");

        Text(recent).Should().Contain("The last 24 months, 2024-11-01 to 2026-11-01");
        recent.Should().Contain("href=\"?history=full#over-time\"");
        Figure(recent, "ki67").Should().NotContain("<svg").And.Contain("No value in the last 24 months; the last one: 12 % (2024-05-20)");
        Figure(full, "ki67").Should().Contain("<svg").And.Contain("2024-05-20");
        Text(full).Should().Contain("The full history");
    }

    [Fact]
    public void A_single_value_gets_a_window_of_months_around_it_with_ISO_month_ticks()
    {
        var day = new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero);

        var (from, to) = MdtCharts.Range(day, day);

        (to - from).TotalDays.Should().BeInRange(120, 130);
        from.Should().BeBefore(day.UtcDateTime);
        to.Should().BeAfter(day.UtcDateTime);
        MdtCharts.Ticks(from, to).Should().NotBeEmpty().And.OnlyContain(t => t.Day == 1 && t > from && t < to);
    }

    [Fact]
    public void Ticks_fit_years_of_history_in_two_labels_at_most()
    {
        var (from, to) = MdtCharts.Range(new DateTimeOffset(2019, 3, 5, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero));

        MdtCharts.Ticks(from, to).Should().HaveCountGreaterThan(0).And.HaveCountLessThanOrEqualTo(2);
    }

    [Fact]
    public async Task Chart_ids_are_made_unique_per_chart_and_colours_stay_colours()
    {
        var lesions = Figure(await PageAsync("/mdt/seed-02"), "lesions");

        lesions.Should().Contain("url(#lesions-").And.Contain("fill=\"#A04C00\"", "the second series keeps its colour (and its square marker)");
        lesions.Should().NotContain("#lesions-A04C00");
    }

    [Fact]
    public async Task The_page_has_no_inline_script_or_event_handler_its_content_security_policy_would_refuse()
    {
        var page = await PageAsync("/mdt/seed-02");

        InlineHandler().IsMatch(page).Should().BeFalse();
        Regex.Matches(page, "<script[^>]*>").Select(m => m.Value).Should().OnlyContain(s => s.Contains("src=\"/assets/", StringComparison.Ordinal));
    }

    private static string Figure(string page, string id)
    {
        var figure = page[page.IndexOf($"<figure id=\"chart-{id}\"", StringComparison.Ordinal)..];
        return figure[..figure.IndexOf("</figure>", StringComparison.Ordinal)];
    }

    /// <summary>The x-axis labels ScottPlot wrote into the charts' SVG.</summary>
    private static List<string> Ticks(string page) =>
        [.. SvgText().Matches(page).Select(m => m.Groups[1].Value.Trim()).Where(t => t.Contains('-', StringComparison.Ordinal) || t.Contains('/', StringComparison.Ordinal))];

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tag();

    [GeneratedRegex("</?(a|strong|em|span|code)\\b[^>]*>")]
    private static partial Regex InlineTag();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Space();

    [GeneratedRegex(@"\b(Observation|Condition|Patient|Procedure|MedicationStatement|MedicationRequest|DiagnosticReport)/[A-Za-z0-9\-.]+")]
    private static partial Regex RawReference();

    [GeneratedRegex("<tr data-therapy=\"(?<therapy>[A-Z]+)\" data-status=\"[a-z-]+\">(?<cells>.*?)</tr>")]
    private static partial Regex Row();

    [GeneratedRegex(@"\b\d{1,2}/\d{1,2}/\d{4}\b")]
    private static partial Regex UsDate();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex IsoDate();

    [GeneratedRegex("<text[^>]*>([^<]+)</text>")]
    private static partial Regex SvgText();

    [GeneratedRegex(@"\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineHandler();
}

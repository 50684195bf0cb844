using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Fhir.Reporting;
using static NetCds.Service.Mdt.Html;

namespace NetCds.Service.Mdt;

/// <summary>
/// How the MDT view names what it shows: each input as what it is ("Ki-67 12 % (2024-05-20)"), the link to the source
/// resource on the label, never the raw reference as text; one date format (yyyy-MM-dd).
/// </summary>
internal static partial class MdtLabels
{
    public static string Day(DateTimeOffset date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>An input of a finding: its label (linked to the source resource), its value in words, its date.</summary>
    public static string Input(string patientId, InputReference input)
    {
        var label = FactNames.Text(input.Fact);
        var value = Value(input.Value);
        if (input.Fact == FactKind.BirthDate)
        {
            return $"{Linked(patientId, input.Source, label)} {E(value)} (born {Day(input.Date)})";
        }

        // "Ki-67 12 %" and "Liver imaging: largest lesion 6 cm", but "Differentiation: well"; a value the label
        // already says ("Diagnosis of liver metastases") is not said twice.
        var text = label.Contains(value, StringComparison.OrdinalIgnoreCase) ? ""
            : label.Contains(':', StringComparison.Ordinal) || StartsWithNumber().IsMatch(value) ? " " + E(value)
            : ": " + E(value);
        var date = input.Date > DateTimeOffset.MinValue ? $" ({Day(input.Date)})" : "";
        return $"{Linked(patientId, input.Source, label)}{text}{date}";
    }

    /// <summary>The text, linked to the source resource when the view can show it; the reference itself is never the text.</summary>
    public static string Linked(string patientId, string source, string text, string? cssClass = null) =>
        MdtSources.Link(patientId, source) is { } link
            ? $"<a{(cssClass is null ? "" : $" class=\"{cssClass}\"")} href=\"{E(link)}\">{E(text)}</a>"
            : E(text);

    /// <summary>An engine value in words: enum names split ("SmallIntestine": "small intestine"), UCUM's 10*9 as 10⁹.</summary>
    public static string Value(string value)
    {
        if (Words.TryGetValue(value, out var words))
        {
            return words;
        }

        return PascalCase().IsMatch(value)
            ? string.Join(' ', WordStart().Split(value).Where(w => w.Length > 0).Select(w => w.ToLowerInvariant()))
            : value.Replace("10*9", "10⁹", StringComparison.Ordinal);
    }

    private static readonly Dictionary<string, string> Words = new(StringComparer.Ordinal)
    {
        ["ZollingerEllison"] = "Zollinger-Ellison syndrome",
        ["BiliaryEntericAnastomosis"] = "biliary-enteric anastomosis",
    };

    [GeneratedRegex("^[A-Z][a-z]+(?:[A-Z][a-z]+)*$")]
    private static partial Regex PascalCase();

    [GeneratedRegex("(?=[A-Z])")]
    private static partial Regex WordStart();

    [GeneratedRegex("^[<>≤≥]?[0-9]")]
    private static partial Regex StartsWithNumber();
}

/// <summary>Who the page is about, from the Patient resource the service holds: name, birth date, sex, id.</summary>
internal sealed record MdtPatient(string Name, string Details)
{
    public static MdtPatient From(string? json, string patientId)
    {
        if (json is null)
        {
            return new MdtPatient($"Patient {patientId}", "");
        }

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var name = root.TryGetProperty("name", out var names) && names.ValueKind == JsonValueKind.Array && names.GetArrayLength() > 0 ? NameOf(names[0]) : null;
        var details = new List<string>();
        if (root.TryGetProperty("birthDate", out var born) && born.ValueKind == JsonValueKind.String)
        {
            details.Add($"born {born.GetString()}");
        }

        if (root.TryGetProperty("gender", out var gender) && gender.ValueKind == JsonValueKind.String)
        {
            details.Add(gender.GetString()!);
        }

        details.Add($"id {patientId}");
        return new MdtPatient(string.IsNullOrWhiteSpace(name) ? $"Patient {patientId}" : name, string.Join(" · ", details));
    }

    private static string? NameOf(JsonElement name)
    {
        if (name.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
        {
            return text.GetString();
        }

        var given = name.TryGetProperty("given", out var g) && g.ValueKind == JsonValueKind.Array ? g.EnumerateArray().Select(x => x.GetString()) : [];
        var family = name.TryGetProperty("family", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
        return string.Join(' ', given.Append(family).Where(x => !string.IsNullOrWhiteSpace(x)));
    }
}

using System.Text;

namespace NetCds.Service.Ops;

/// <summary>Values a caller chose (an unverified token's <c>iss</c>, a URL), made safe to put in a log line.</summary>
public static class LogValues
{
    /// <summary>
    /// Replaces CR, LF and every other control or format character (U+202E included) with <c>?</c>, so that a value
    /// cannot forge a log line or reorder one, and cuts it at <paramref name="maxLength"/> characters.
    /// </summary>
    public static string Sanitize(string value, int maxLength = 200)
    {
        ArgumentNullException.ThrowIfNull(value);
        var cut = value.Length > maxLength;
        var text = cut ? value[..maxLength] : value;
        var builder = new StringBuilder(text.Length + 1);
        foreach (var c in text)
        {
            var category = char.GetUnicodeCategory(c);
            builder.Append(char.IsControl(c) || category is System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator ? '?' : c);
        }

        return cut ? builder.Append('…').ToString() : builder.ToString();
    }
}

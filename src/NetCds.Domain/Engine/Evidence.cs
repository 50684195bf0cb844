namespace NetCds.Domain.Engine;

/// <summary>A citation: review article (by its catalogue prefix) and section.</summary>
/// <param name="Article">"000" Lewis &amp; Hobday 2012, "001" Alagusundaramoorthy et al. 2014, "002" Rossi et al. 2013,
/// "003" Vogl et al. 2009, "004" Reddy &amp; Clary 2010.</param>
/// <param name="Section">Section, table or heading within the article; empty for the article as a whole.</param>
public sealed record Evidence(string Article, string Section)
{
    public static IReadOnlyDictionary<string, string> Articles { get; } = new Dictionary<string, string>
    {
        ["000"] = "Lewis & Hobday 2012",
        ["001"] = "Alagusundaramoorthy et al. 2014",
        ["002"] = "Rossi et al. 2013",
        ["003"] = "Vogl et al. 2009",
        ["004"] = "Reddy & Clary 2010",
    };

    /// <summary>Citations written as the catalogue writes them: <c>"000 §4"</c>, <c>"002 Table 1"</c>, <c>"001"</c>.</summary>
    public static IReadOnlyList<Evidence> Cite(params string[] citations) =>
        [.. citations.Select(Parse)];

    public static Evidence Parse(string citation)
    {
        var space = citation.IndexOf(' ', StringComparison.Ordinal);
        var article = space < 0 ? citation : citation[..space];
        if (!Articles.ContainsKey(article))
        {
            throw new ArgumentException($"Unknown article prefix '{article}'.", nameof(citation));
        }

        return new Evidence(article, space < 0 ? "" : citation[(space + 1)..]);
    }

    public override string ToString() => Section.Length == 0 ? Article : $"{Article} {Section}";
}

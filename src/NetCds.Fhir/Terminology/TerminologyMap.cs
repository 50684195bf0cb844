using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace NetCds.Fhir.Terminology;

/// <summary>The kinds of resource a code can mean something in; each has its own section of the map.</summary>
public enum CodeContext
{
    Observation,
    Condition,
    Procedure,
    Medication,

    /// <summary>Coded observation values (unilobar, patent, stable, ...).</summary>
    Value,
}

/// <summary>
/// Which codes supply which fact: the terminology contract as data. The built-in map holds exactly the codes of
/// the NetCds terminology contract; a site's file of the same shape adds local codes (union, never replace),
/// so a site extends recognition without a rebuild. A code ending in <c>*</c> matches by prefix (ATC classes).
/// </summary>
public sealed class TerminologyMap
{
    /// <summary>Codes whose meanings are kept worked out (<see cref="Meanings(CodeContext, string?, string?)"/>); emptied when full.</summary>
    private const int KnownCodesLimit = 10_000;

    /// <summary>
    /// Each code's meanings as worked out once (issue 20: every coding of every resource of a hook call's prefetch was
    /// looked up again, with a scan of the section's prefixes): the map never changes, so neither do they.
    /// </summary>
    private readonly ConcurrentDictionary<(CodeContext Context, string System, string Code), string[]> _known = new();

    private readonly FrozenDictionary<CodeContext, FrozenDictionary<(string System, string Code), string[]>> _exact;
    private readonly FrozenDictionary<CodeContext, (string System, string Prefix, string Meaning)[]> _prefixes;
    private readonly FrozenDictionary<CodeContext, FrozenDictionary<string, string[]>> _codesByMeaning;
    private readonly FrozenDictionary<CodeContext, string[]> _meanings;

    private TerminologyMap(Dictionary<CodeContext, Dictionary<string, List<string>>> sections)
    {
        Fingerprint = FingerprintOf(sections);
        _meanings = sections.ToFrozenDictionary(s => s.Key, s => s.Value.Keys.ToArray());
        _codesByMeaning = sections.ToFrozenDictionary(s => s.Key, s => s.Value.ToFrozenDictionary(m => m.Key, m => m.Value.Distinct().ToArray()));
        _exact = sections.ToFrozenDictionary(
            s => s.Key,
            s => s.Value.SelectMany(m => m.Value.Where(c => !c.EndsWith('*')).Select(c => (Key: Split(c), Meaning: m.Key)))
                .GroupBy(x => x.Key)
                .ToFrozenDictionary(g => g.Key, g => g.Select(x => x.Meaning).Distinct().ToArray()));
        _prefixes = sections.ToFrozenDictionary(
            s => s.Key,
            s => s.Value.SelectMany(m => m.Value.Where(c => c.EndsWith('*')).Select(c =>
            {
                var (system, code) = Split(c);
                return (system, code.TrimEnd('*'), m.Key);
            })).ToArray());
    }

    /// <summary>
    /// A digest of every code and meaning (16 hex digits): facts derived under another map are re-derived
    /// (<c>FactMapper.Version</c>), so a site's new code applies to resources stored before it was added.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>The built-in map: the codes of the terminology contract.</summary>
    public static TerminologyMap Default { get; } = LoadDefault();

    /// <summary>The built-in map plus a site's additions.</summary>
    public static TerminologyMap WithSiteAdditions(Stream siteMap)
    {
        var sections = ReadSections(OpenDefault());
        foreach (var (context, meanings) in ReadSections(siteMap))
        {
            var target = sections[context];
            foreach (var (meaning, codes) in meanings)
            {
                if (!target.TryGetValue(meaning, out var list))
                {
                    target[meaning] = list = [];
                }

                list.AddRange(codes);
            }
        }

        return new TerminologyMap(sections);
    }

    /// <summary>Every meaning the coding has in the context (a code may mean several: C7A.1 is a NET and poorly differentiated).</summary>
    public IReadOnlyList<string> Meanings(CodeContext context, string? system, string? code)
    {
        if (system is null || code is null)
        {
            return [];
        }

        if (_known.TryGetValue((context, system, code), out var known))
        {
            return known;
        }

        // Every meaning counts: an exact code and a class prefix can both apply (a site may map a class and one of its drugs).
        var exact = _exact[context].TryGetValue((system, code), out var meanings) ? meanings : [];
        var byPrefix = _prefixes[context].Where(p => p.System == system && code.StartsWith(p.Prefix, StringComparison.Ordinal)).Select(p => p.Meaning);
        string[] found = [.. exact.Concat(byPrefix).Distinct()];
        if (_known.Count >= KnownCodesLimit)
        {
            _known.Clear();
        }

        _known.TryAdd((context, system, code), found);
        return found;
    }

    /// <summary>
    /// Every meaning of a section (built-in ones in the order of the file, then a site's new ones), e.g. the
    /// observation meanings whose codes a prefetch query asks for.
    /// </summary>
    public IReadOnlyList<string> MeaningsOf(CodeContext context) => _meanings[context];

    /// <summary>The codes that supply a meaning, as <c>system|code</c>: the first is the one a suggestion orders.</summary>
    public IReadOnlyList<string> CodesFor(CodeContext context, string meaning) =>
        _codesByMeaning[context].TryGetValue(meaning, out var codes) ? codes : [];

    private static string FingerprintOf(Dictionary<CodeContext, Dictionary<string, List<string>>> sections)
    {
        var text = new StringBuilder();
        foreach (var (context, meanings) in sections.OrderBy(s => s.Key))
        {
            foreach (var (meaning, codes) in meanings.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                text.Append(context).Append('\t').Append(meaning).Append('\t').AppendJoin('\t', codes.Order(StringComparer.Ordinal)).Append('\n');
            }
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    private static (string System, string Code) Split(string systemAndCode)
    {
        var bar = systemAndCode.LastIndexOf('|');
        if (bar <= 0 || bar == systemAndCode.Length - 1)
        {
            throw new FormatException($"Terminology map entry '{systemAndCode}' is not 'system|code'.");
        }

        return (systemAndCode[..bar], systemAndCode[(bar + 1)..]);
    }

    private static Stream OpenDefault() =>
        typeof(TerminologyMap).Assembly.GetManifestResourceStream("NetCds.Fhir.terminology.json")
        ?? throw new InvalidOperationException("The built-in terminology map is missing from the assembly.");

    private static TerminologyMap LoadDefault()
    {
        using var stream = OpenDefault();
        return new TerminologyMap(ReadSections(stream));
    }

    private static Dictionary<CodeContext, Dictionary<string, List<string>>> ReadSections(Stream stream)
    {
        using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var sections = Enum.GetValues<CodeContext>().ToDictionary(c => c, _ => new Dictionary<string, List<string>>(StringComparer.Ordinal));
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Name.StartsWith('$'))
            {
                continue;
            }

            var context = property.Name switch
            {
                "observations" => CodeContext.Observation,
                "conditions" => CodeContext.Condition,
                "procedures" => CodeContext.Procedure,
                "medications" => CodeContext.Medication,
                "values" => CodeContext.Value,
                _ => throw new FormatException($"Unknown terminology map section '{property.Name}'."),
            };
            foreach (var meaning in property.Value.EnumerateObject())
            {
                var codes = meaning.Value.EnumerateArray().Select(c => c.GetString() ?? "").ToList();
                codes.ForEach(c => Split(c.TrimEnd('*')));
                sections[context][meaning.Name] = codes;
            }
        }

        return sections;
    }
}

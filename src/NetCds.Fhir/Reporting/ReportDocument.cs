using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using NetCds.Domain.Derived;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Fhir.Mapping;
using NetCds.Fhir.Terminology;

namespace NetCds.Fhir.Reporting;

/// <summary>
/// The eligibility report as JSON (the <c>$evaluate</c> answer, the stored report, the CDS card extension):
/// therapy ids and status words exactly as in the rule catalogue.
/// </summary>
public sealed record ReportDocument(
    string? Patient,
    DateTimeOffset EvaluatedAt,
    string RulesVersion,
    IReadOnlyList<AssessmentDocument> Assessments,
    IReadOnlyDictionary<string, object?> Facts,
    IReadOnlyList<ReportItemDocument> AlsoReported,
    IReadOnlyList<DataProblemDocument> DataProblems,
    IReadOnlyList<PolicyDocument> SitePolicy)
{
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    public static ReportDocument From(EligibilityReport report, IReadOnlyList<DataProblem> problems, TerminologyMap terminology)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new ReportDocument(
            report.Patient,
            report.EvaluatedAt,
            report.RulesVersion,
            [.. report.Assessments.Select(a => AssessmentDocument.From(a, terminology))],
            FactsOf(report.Facts),
            [.. report.AlsoReported.Select(i => new ReportItemDocument(i.Topic, i.Text, Cite(i.Evidence), [.. i.Inputs.Select(InputDocument.From)]))],
            [.. problems.Select(p => new DataProblemDocument(p.Resource, p.Element, Kebab(p.Kind.ToString()), p.Message))],
            [.. report.SitePolicy.Select(s => new PolicyDocument(s.Setting, s.Value))]);
    }

    private static readonly JsonSerializerOptions CompactOptions = new(JsonOptions) { WriteIndented = false };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>
    /// The stored form, without indentation: about half the text, so a report's string stays under the large-object
    /// threshold (85,000 bytes) that an indented one crossed on every recompute (issue 19, deliverable 7).
    /// </summary>
    public string ToCompactJson() => JsonSerializer.Serialize(this, CompactOptions);

    /// <summary>
    /// A fingerprint of what the report shows, leaving out when it was computed (issue 19, deliverable 3): two
    /// evaluations with the same fingerprint show the same statuses, findings, inputs, missing data and problems, so a
    /// recompute that gives the stored fingerprint again keeps the stored report, its revision and its ETag. Written
    /// compactly into a buffer and hashed, never made into a string.
    /// </summary>
    public string ContentHash()
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            JsonSerializer.Serialize(writer, this with { EvaluatedAt = default }, CompactOptions);
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    internal static IReadOnlyList<EvidenceDocument> Cite(IEnumerable<Evidence> evidence) =>
        [.. evidence.Select(e => new EvidenceDocument(e.Article, e.Section.Length == 0 ? null : e.Section, Evidence.Articles[e.Article]))];

    /// <summary>"LesionNearMajorVessel" → "lesion-near-major-vessel".</summary>
    public static string Kebab(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 && !char.IsUpper(name[i - 1]) ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    private static Dictionary<string, object?> FactsOf(DerivedFacts d)
    {
        var imaging = d.Imaging;
        var facts = new Dictionary<string, object?>
        {
            ["age"] = Value(d.Age),
            ["liverMetastases"] = d.LiverMetastases,
            ["primarySite"] = Value(d.PrimarySite),
            ["portalVenousPrimary"] = d.PortalVenousPrimary,
            ["tumour"] = new
            {
                grade = d.Tumour.Grade?.ToString(),
                differentiation = d.Tumour.Differentiation is { } diff ? Kebab(diff.ToString()) : null,
                differentiationInferred = d.Tumour.DifferentiationInferred,
                @class = d.Tumour.Describe(),
                ki67 = d.Tumour.Ki67 is { } k ? new InputDocument("ki67", $"{k.Value} %", k.Source, k.Effective) : null,
            },
            ["functioning"] = d.IsFunctioning,
            ["syndromes"] = d.Syndromes.Select(s => Kebab(s.Value.ToString())).Distinct().ToList(),
            ["resectability"] = new { status = d.Resectability.Code, reason = d.Resectability.Reason, fromSurgicalAssessment = d.Resectability.FromSurgicalAssessment },
            ["diseaseCourse"] = new { status = Kebab(d.Course.Kind.ToString()), stableMonths = d.Course.Kind == CourseKind.Stable ? d.Course.StableMonths : (int?)null, lastProgression = d.Course.LastProgression, reason = d.Course.Reason },
            ["chromograninA"] = new { trend = Kebab(d.Chromogranin.Trend.ToString()), changeFromBaselinePercent = d.Chromogranin.ChangeFromBaselinePercent, changeFromNadirPercent = d.Chromogranin.ChangeFromNadirPercent, basis = d.Chromogranin.Basis, confounders = d.Chromogranin.Confounders },
            ["lesionCount"] = Value(imaging.LesionCount),
            ["largestLesion"] = Value(imaging.LargestLesion),
            ["tumourBurden"] = Value(imaging.TumourBurden),
            ["lesionDistribution"] = Value(imaging.Distribution),
            ["portalVein"] = Value(imaging.PortalVein),
            ["extrahepaticDisease"] = Value(imaging.ExtrahepaticDisease),
            ["boneMetastases"] = Value(imaging.BoneMetastases),
            ["bilirubin"] = Value(d.Bilirubin),
            ["albumin"] = Value(d.Albumin),
            ["inr"] = Value(d.Inr),
            ["creatinineClearance"] = Value(d.CreatinineClearance),
            ["platelets"] = Value(d.Platelets),
            ["haemoglobin"] = Value(d.Haemoglobin),
            ["ecog"] = Value(d.Ecog),
            ["sstrUptake"] = Value(d.SstrUptake),
            ["mibgUptake"] = Value(d.MibgUptake),
            ["lungShuntFraction"] = Value(d.LungShuntFraction),
            ["resectableFraction"] = Value(d.ResectableFraction),
            ["urinary5Hiaa"] = Value(d.Urinary5Hiaa),
        };

        // WhenWritingNull does not apply to dictionary values: an unknown fact is left out, never written as null.
        return facts.Where(f => f.Value is not null).ToDictionary(f => f.Key, f => f.Value);
    }

    /// <summary>
    /// A quantity is written as reported (<c>written</c>: "&gt; 20", "2-5", "0.8"); <c>value</c> is the number only when
    /// it is exact, so a client reading <c>value</c> never sees a bound as if it were the value (the comparator is kept).
    /// </summary>
    private static FactDocument? Value<T>(Fact<T>? fact) => fact switch
    {
        null => null,
        Fact<Interval> quantity => new FactDocument(quantity.Value.Exact, quantity.Unit, quantity.Source, quantity.Effective, quantity.Value.Written),
        _ => new FactDocument(fact.Value is Enum e ? Kebab(e.ToString()) : fact.Value, fact.Unit, fact.Source, fact.Effective),
    };
}

/// <param name="Value">The value; for a quantity, only when exact (a comparator or range is in <paramref name="Written"/>).</param>
/// <param name="Written">For a quantity: the value as written, comparator included.</param>
public sealed record FactDocument(object? Value, string? Unit, string Source, DateTimeOffset Date, string? Written = null);

public sealed record AssessmentDocument(
    string Therapy,
    string Status,
    IReadOnlyList<FindingDocument> Findings,
    IReadOnlyList<MissingDocument> Missing,
    IReadOnlyList<PrerequisiteDocument> Prerequisites,
    IReadOnlyList<string> Notes)
{
    public static AssessmentDocument From(TherapyAssessment a, TerminologyMap terminology) => new(
        a.Therapy.Code(),
        a.Status.Code(),
        [.. a.Findings.Select(f => new FindingDocument(
            f.Rule,
            f.Effect.Code(),
            f.Reason,
            ReportDocument.Cite(f.Evidence),
            [.. f.Inputs.Select(InputDocument.From)],
            f.SitePolicy.Count == 0 ? null : [.. f.SitePolicy.Select(s => new PolicyDocument(s.Setting, s.Value))]))],
        [.. a.Missing.Select(m => new MissingDocument(FactNames.Json(m.Fact), FactNames.CodeFor(m.Fact, terminology), ReportDocument.Kebab(m.Order.ToString()), Orders.Text(m.Order), m.Rule))],
        [.. a.Prerequisites.Select(p => new PrerequisiteDocument(p.Rule, p.Description, p.Order is { } o ? ReportDocument.Kebab(o.ToString()) : null))],
        a.Notes);
}

public sealed record FindingDocument(string Rule, string Effect, string Reason, IReadOnlyList<EvidenceDocument> Evidence, IReadOnlyList<InputDocument> Inputs, IReadOnlyList<PolicyDocument>? SitePolicy);

public sealed record EvidenceDocument(string Article, string? Section, string Citation);

public sealed record InputDocument(string Fact, string Value, string Source, DateTimeOffset Date)
{
    public static InputDocument From(InputReference input) => new(FactNames.Json(input.Fact), input.Value, input.Source, input.Date);
}

/// <param name="Code">The code (system|code) whose result would supply the fact.</param>
/// <param name="Order">The order that supplies it (a stable id), with <paramref name="OrderText"/> for people.</param>
public sealed record MissingDocument(string Fact, string? Code, string Order, string OrderText, string Rule);

public sealed record PrerequisiteDocument(string Rule, string Description, string? Order);

public sealed record ReportItemDocument(string Topic, string Text, IReadOnlyList<EvidenceDocument> Evidence, IReadOnlyList<InputDocument> Inputs);

public sealed record DataProblemDocument(string Resource, string? Element, string Kind, string Message);

public sealed record PolicyDocument(string Setting, string Value);

using System.Globalization;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using NetCds.Domain.Engine;
using NetCds.Fhir;
using NetCds.Fhir.Mapping;
using NetCds.Fhir.Reporting;
using NetCds.Service.CdsHooks.Contracts;
using Coding = NetCds.Service.CdsHooks.Contracts.Coding;
using Evidence = NetCds.Domain.Engine.Evidence;

namespace NetCds.Service.CdsHooks.Cards;

/// <summary>
/// Turns an evaluation into CDS Hooks cards: what was found, why, from which data (with dates), what is missing
/// (with a suggested order for each), for an MDT and never as an order. The engine knows nothing of cards.
/// </summary>
public sealed class CardBuilder
{
    public const string ReportExtensionKey = "org.netcds.eligibility-report";
    public const string TopicSystem = "http://netcds.org/fhir/CodeSystem/card-topics";
    public const string OverrideReasonSystem = "http://netcds.org/fhir/CodeSystem/override-reasons";
    private const int SummaryLimit = 139;

    private static readonly FhirJsonSerializer Serializer = new();

    private static readonly IReadOnlyList<Coding> OverrideReasons =
    [
        new("discussed-at-mdt", OverrideReasonSystem, "Already discussed at the multidisciplinary team meeting"),
        new("data-elsewhere", OverrideReasonSystem, "The missing data exist elsewhere, not yet in this record"),
        new("not-relevant-now", OverrideReasonSystem, "Not relevant for this patient at this time"),
        new("patient-preference", OverrideReasonSystem, "Patient preference"),
    ];

    /// <summary>The patient-view card: every therapy's status, with reasons, evidence, missing data and the full report.</summary>
    public Card PatientView(Evaluation evaluation, string sourceUrl, IReadOnlyList<string>? dataGaps = null)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        var report = evaluation.Report;
        var byStatus = report.Assessments.GroupBy(a => a.Status).ToDictionary(g => g.Key, g => g.Select(a => a.Therapy.Code()).ToList());
        var waiting = byStatus.GetValueOrDefault(EligibilityStatus.InsufficientData)?.Count ?? 0;
        var summary = Fit(
            "NET liver metastases: " + string.Join("; ", new[]
            {
                List("eligible", byStatus.GetValueOrDefault(EligibilityStatus.Eligible)),
                List("consider", byStatus.GetValueOrDefault(EligibilityStatus.Consider)),
                waiting > 0 ? $"{waiting} need data" : null,
            }.Where(s => s is not null)),
            "NET liver metastases: eligibility summary for MDT review");
        if (byStatus.GetValueOrDefault(EligibilityStatus.Eligible) is null && byStatus.GetValueOrDefault(EligibilityStatus.Consider) is null && waiting == 0)
        {
            summary = "NET liver metastases: no therapy found eligible; see details for MDT review";
        }

        var suggestions = OrderSuggestions(evaluation, report.Assessments);
        return new Card
        {
            Uuid = Guid.NewGuid().ToString(),
            Summary = summary,
            Detail = Detail(evaluation, report.Assessments, dataGaps),
            Indicator = evaluation.Mapping.Problems.Any(p => p.Kind != DataProblemKind.NotUsable) ? "warning" : "info",
            Source = Source(sourceUrl, "net-liver-mets-eligibility", "NET liver metastases eligibility"),
            Suggestions = CdsJson.NullIfEmpty(suggestions),
            SelectionBehavior = suggestions.Count > 0 ? "any" : null,
            OverrideReasons = OverrideReasons,
            Links = CdsJson.NullIfEmpty(EvidenceLinks(report.Assessments)),
            Extension = new Dictionary<string, object> { [ReportExtensionKey] = evaluation.Document },
        };
    }

    /// <summary>
    /// Cards for therapies being ordered: critical for a contraindication, warning for missing safety data or an order
    /// outside the indication, info for MDT judgement; plus octreotide cover before a procedure for a functioning tumour.
    /// An eligible order with nothing to add gets no card.
    /// </summary>
    public IReadOnlyList<Card> OrderCheck(Evaluation evaluation, IReadOnlyCollection<TherapyId> ordered, string sourceUrl, IReadOnlyList<string>? dataGaps = null)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(ordered);
        var cards = new List<Card>();
        foreach (var therapy in ordered.Distinct().Order())
        {
            var a = evaluation.Report[therapy];
            var name = $"{TherapyNames.Display(therapy)} ({therapy.Code()})";
            var decisive = a.Findings.Where(f => f.Effect.AsStatus() == a.Status).ToList();
            var why = decisive.Count > 0 ? $"{decisive[0].Rule}: {decisive[0].Reason}" : "";
            var (indicator, summary) = a.Status switch
            {
                EligibilityStatus.Contraindicated => ("critical", $"Contraindicated: {name}. {why}"),
                EligibilityStatus.NotIndicated => ("warning", $"Outside the indication: {name}. {why}"),
                EligibilityStatus.InsufficientData => ("warning", $"Missing safety data before {name}: {string.Join(", ", a.Missing.Select(m => FactNames.Json(m.Fact)))}"),
                EligibilityStatus.Consider => ("info", $"{name}: MDT judgement needed. {why}"),
                _ => (null, null),
            };
            if (indicator is not null)
            {
                var suggestions = OrderSuggestions(evaluation, [a]);
                cards.Add(new Card
                {
                    Uuid = Guid.NewGuid().ToString(),
                    Summary = Fit(summary!, $"{a.Status.Code()}: {name}"),
                    Detail = Detail(evaluation, [a], dataGaps),
                    Indicator = indicator,
                    Source = Source(sourceUrl, "net-order-check", "NET therapy order check"),
                    Suggestions = CdsJson.NullIfEmpty(suggestions),
                    SelectionBehavior = suggestions.Count > 0 ? "any" : null,
                    OverrideReasons = OverrideReasons,
                    Links = CdsJson.NullIfEmpty(EvidenceLinks([a])),
                    Extension = new Dictionary<string, object> { [ReportExtensionKey] = evaluation.Document },
                });
            }

            if (therapy.IsProcedure() && evaluation.Report.Facts.IsFunctioning)
            {
                cards.Add(OctreotideCover(evaluation, therapy, name, sourceUrl));
            }
        }

        return cards;
    }

    /// <summary>SSA-PROPHYLAXIS (001 Systemic therapies; 000 §3, §6): carcinoid crisis can follow any procedure.</summary>
    private static Card OctreotideCover(Evaluation evaluation, TherapyId therapy, string name, string sourceUrl)
    {
        var syndromes = string.Join(", ", evaluation.Report.Facts.Syndromes.Select(s => ReportDocument.Kebab(s.Value.ToString())).Distinct());
        var request = new MedicationRequest
        {
            Status = MedicationRequest.MedicationrequestStatus.Draft,
            Intent = MedicationRequest.MedicationRequestIntent.Proposal,
            Subject = new ResourceReference(evaluation.Report.Patient),
            Medication = new CodeableConcept("http://www.whocc.no/atc", "H01CB02", "octreotide", "Octreotide, peri-procedural (dose per local protocol)"),
            ReasonCode = [new CodeableConcept { Text = $"Carcinoid crisis prophylaxis before {TherapyNames.Display(therapy)} (SSA-PROPHYLAXIS)" }],
        };
        return new Card
        {
            Uuid = Guid.NewGuid().ToString(),
            Summary = Fit($"Functioning tumour: peri-procedural octreotide before {name} (carcinoid crisis risk)", "Functioning tumour: peri-procedural octreotide advised"),
            Detail = $"Hormonal syndrome on record ({syndromes}). Carcinoid crisis has followed surgery, ablation, embolization and PRRT; "
                + "peri-procedural octreotide is the prerequisite (SSA-PROPHYLAXIS; 001 Systemic therapies; 000 §3, §6). Dose per local protocol.",
            Indicator = "warning",
            Source = Source(sourceUrl, "net-order-check", "NET therapy order check"),
            Suggestions = [new Suggestion("Add peri-procedural octreotide", Guid.NewGuid().ToString(), true, [new CdsAction("create", "Draft octreotide order for carcinoid crisis prophylaxis", ToJson(request))])],
            SelectionBehavior = "at-most-one",
            OverrideReasons = OverrideReasons,
        };
    }

    /// <summary>One suggestion per order that would supply missing inputs: a draft ServiceRequest, recommended.</summary>
    private static List<Suggestion> OrderSuggestions(Evaluation evaluation, IEnumerable<TherapyAssessment> assessments)
    {
        var missing = assessments.SelectMany(a => a.Missing.Select(m => (a.Therapy, Missing: m))).GroupBy(x => x.Missing.Order).ToList();
        var suggestions = new List<Suggestion>();
        foreach (var order in missing)
        {
            var text = Orders.Text(order.Key);
            var therapies = string.Join(", ", order.Select(x => x.Therapy.Code()).Distinct());
            var rules = string.Join(", ", order.Select(x => x.Missing.Rule).Distinct());
            var codes = order.Select(x => FactNames.CodeFor(x.Missing.Fact, evaluation.Terminology)).OfType<string>().Distinct().ToList();
            var request = new ServiceRequest
            {
                Status = RequestStatus.Draft,
                Intent = RequestIntent.Proposal,
                Subject = new ResourceReference(evaluation.Report.Patient),
                Code = new CodeableConcept
                {
                    Text = text,
                    Coding = [.. codes.Select(c => new Hl7.Fhir.Model.Coding(c[..c.LastIndexOf('|')], c[(c.LastIndexOf('|') + 1)..]))],
                },
                ReasonCode = [new CodeableConcept { Text = $"Needed to assess {therapies} ({rules})" }],
            };
            suggestions.Add(new Suggestion($"Order: {text}", Guid.NewGuid().ToString(), true,
                [new CdsAction("create", $"Draft order: {text}, needed to assess {therapies}", ToJson(request))]));
        }

        return suggestions;
    }

    private static string Detail(Evaluation evaluation, IReadOnlyList<TherapyAssessment> assessments, IReadOnlyList<string>? dataGaps)
    {
        var report = evaluation.Report;
        var text = new StringBuilder();
        var dates = report.Assessments.SelectMany(a => a.Findings).SelectMany(f => f.Inputs).Select(i => i.Date).Where(d => d > DateTimeOffset.MinValue).ToList();
        text.Append(CultureInfo.InvariantCulture, $"Eligibility for multidisciplinary discussion, not an order. Rules {report.RulesVersion}, evaluated {Day(report.EvaluatedAt)}.");
        text.AppendLine(dates.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $" Inputs dated {Day(dates.Min())} (oldest) to {Day(dates.Max())} (newest).") : " No dated inputs.");
        text.AppendLine();
        foreach (var a in assessments)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"**{a.Therapy.Code()} · {TherapyNames.Display(a.Therapy)}: {a.Status.Code()}**");
            foreach (var f in a.Findings.Where(f => f.Effect.AsStatus() is { } s && (s != EligibilityStatus.Eligible || a.Status == EligibilityStatus.Eligible)))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {f.Rule} ({f.Effect.Code()}): {f.Reason}{Inputs(f)} [{string.Join("; ", f.Evidence)}]{(f.SitePolicy.Count > 0 ? " (site policy)" : "")}");
            }

            foreach (var f in a.Findings.Where(f => f.Effect is FindingEffect.Note or FindingEffect.Technique))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {f.Rule} ({f.Effect.Code()}): {f.Reason}");
            }

            foreach (var m in a.Missing)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- Missing {FactNames.Json(m.Fact)} ({m.Rule}): order {Orders.Text(m.Order)}");
            }

            foreach (var p in a.Prerequisites)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- Before treatment ({p.Rule}): {p.Description}");
            }

            foreach (var n in a.Notes)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {n}");
            }

            text.AppendLine();
        }

        foreach (var item in report.AlsoReported)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- **{item.Topic}**: {item.Text}");
        }

        if (dataGaps is { Count: > 0 })
        {
            text.AppendLine();
            text.AppendLine("**Could not be obtained from the EHR** (statuses above may change once these are available)");
            foreach (var gap in dataGaps)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {gap}");
            }
        }

        if (evaluation.Mapping.Problems.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("**Data not used**");
            foreach (var p in evaluation.Mapping.Problems)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {p.Resource}{(p.Element is null ? "" : $" ({p.Element})")}: {p.Message}");
            }
        }

        return text.ToString().TrimEnd();
    }

    private static string Inputs(Finding f) => f.Inputs.Count == 0 ? "" :
        " (" + string.Join("; ", f.Inputs.Select(i => i.Date > DateTimeOffset.MinValue ? $"{i.Value}, {i.Source}, {Day(i.Date)}" : $"{i.Value}, {i.Source}")) + ")";

    private static List<Link> EvidenceLinks(IEnumerable<TherapyAssessment> assessments) =>
        [.. assessments.SelectMany(a => a.Findings).SelectMany(f => f.Evidence).Select(e => e.Article).Distinct().Order(StringComparer.Ordinal)
            .Select(article => new Link($"Evidence {article}: {Evidence.Articles[article]}", $"https://pubmed.ncbi.nlm.nih.gov/?term={Uri.EscapeDataString(TherapyNames.ArticleTitles[article])}", "absolute"))];

    private static CardSource Source(string url, string topic, string display) =>
        new("NetCds: NET liver metastases decision support", url, Topic: new Coding(topic, TopicSystem, display));

    private static string? List(string word, List<string>? codes) => codes is null ? null : $"{word} {string.Join(", ", codes)}";

    private static string Fit(string text, string fallback) =>
        text.Length <= SummaryLimit ? text : text.Length > 0 && fallback.Length <= SummaryLimit ? Truncate(text) : fallback[..SummaryLimit];

    private static string Truncate(string text) => string.Concat(text.AsSpan(0, SummaryLimit - 1), "…");

    private static string Day(DateTimeOffset date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static JsonElement ToJson(Resource resource) => JsonDocument.Parse(Serializer.SerializeToString(resource)).RootElement.Clone();
}

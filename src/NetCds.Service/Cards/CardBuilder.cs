using System.Collections.Frozen;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.Options;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Fhir;
using NetCds.Fhir.Mapping;
using NetCds.Fhir.Reporting;
using Evidence = NetCds.Domain.Engine.Evidence;

namespace NetCds.Service.Cards;

/// <summary>
/// Turns an evaluation into CDS Hooks cards: what was found, why, from which data (with dates), what is missing
/// (with a suggested order for each), for an MDT and never as an order. The engine knows nothing of cards.
/// </summary>
public sealed class CardBuilder(IOptions<MdtLinkOptions> mdtLinks, IOptions<OverrideReasonOptions> overrideReasons)
{
    public const string ReportExtensionKey = "org.netcds.eligibility-report";
    public const string TopicSystem = "http://netcds.org/fhir/CodeSystem/card-topics";
    public const string OverrideReasonSystem = "http://netcds.org/fhir/CodeSystem/override-reasons";
    private const int SummaryLimit = 139;

    /// <summary>At most this many lines of detail on any card: what a clinician reads in 15 seconds.</summary>
    public const int DetailLineLimit = 15;

    /// <summary>The findings named on an order-check card; more are counted, and listed in the MDT view.</summary>
    private const int DecisiveLines = 3;

    /// <summary>The patient-view service id, also the summary cards' topic code.</summary>
    public const string PatientViewServiceId = "net-liver-mets-eligibility";

    private const string PatientViewTopic = PatientViewServiceId;
    private const string OrderCheckTopic = "net-order-check";

    private readonly string? _smartLaunchUrl = mdtLinks.Value.SmartLaunchUrl;

    private static readonly FhirJsonSerializer Serializer = new();

    /// <summary>The site's override reasons (CdsHooks:OverrideReasons; issue 20), the same on every card.</summary>
    private readonly IReadOnlyList<Coding> _overrideReasons = overrideReasons.Value.InForce();

    /// <summary>
    /// The patient-view answer (CDS Hooks 2.0 card guidance: one decision per card, the summary readable on its own):
    /// a short summary card, and a missing-work-up card whose suggestions draft the orders, only when something is
    /// missing. The summary card's extension names the report (<see cref="ReportReference"/>); each card links to the MDT view.
    /// </summary>
    public IReadOnlyList<Card> PatientView(Evaluation evaluation, CardLinks links, IReadOnlyList<string>? dataGaps = null)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(links);
        var cards = new List<Card> { Summary(evaluation, links, dataGaps) };
        if (MissingWorkUp(evaluation, links) is { } workUp)
        {
            cards.Add(workUp);
        }

        return cards;
    }

    private Card Summary(Evaluation evaluation, CardLinks links, IReadOnlyList<string>? dataGaps)
    {
        var report = evaluation.Report;
        var byStatus = report.Assessments.ToLookup(a => a.Status);
        string? Codes(EligibilityStatus status) => byStatus[status].Any() ? string.Join(", ", byStatus[status].Select(a => a.Therapy.Code())) : null;
        var waiting = byStatus[EligibilityStatus.InsufficientData].Count();

        // Best status first, each group in the articles' order (resection, liver-directed, systemic: 000 §11, 001 Conclusion).
        var summary = Fit(
            "NET liver mets: " + string.Join("; ", new[]
            {
                Codes(EligibilityStatus.Eligible) is { } eligible ? $"eligible {eligible}" : null,
                Codes(EligibilityStatus.Consider) is { } consider ? $"consider {consider}" : null,
                Codes(EligibilityStatus.Contraindicated) is { } contraindicated ? $"contraindicated {contraindicated}" : null,
                waiting > 0 ? $"{waiting} need data" : null,
            }.Where(s => s is not null).DefaultIfEmpty("no therapy eligible or to consider")),
            "NET liver metastases: eligibility summary for MDT review");

        var detail = new List<string>
        {
            $"For MDT discussion, not an order. Rules {report.RulesVersion}, evaluated {Day(report.EvaluatedAt)}{InputDates(report)}.",
        };
        foreach (var status in new[] { EligibilityStatus.Eligible, EligibilityStatus.Consider })
        {
            if (byStatus[status].Any())
            {
                detail.Add($"- **{Capitalised(status)}**: {string.Join(", ", byStatus[status].Select(Named))}");
            }
        }

        foreach (var a in byStatus[EligibilityStatus.Contraindicated])
        {
            detail.Add($"- **Contraindicated** {Named(a)}: {Decisive(a)}");
        }

        if (Codes(EligibilityStatus.NotIndicated) is { } outside)
        {
            detail.Add($"- Not indicated: {outside}");
        }

        if (waiting > 0)
        {
            var facts = byStatus[EligibilityStatus.InsufficientData].SelectMany(a => a.Missing).Select(m => FactNames.Json(m.Fact)).Distinct();
            detail.Add($"- **Missing** for {Codes(EligibilityStatus.InsufficientData)}: {string.Join(", ", facts)} (orders on the work-up card)");
        }

        if (dataGaps is { Count: > 0 })
        {
            detail.Add($"- Could not be read from the EHR (statuses may change): {string.Join("; ", dataGaps)}");
        }

        if (evaluation.Mapping.Problems.Count > 0)
        {
            // Named on the card itself: prefetched data never reaches the MDT view, so the EHR user must see which
            // resource was set aside and why. Three at most keeps the detail readable; the report lists them all.
            var problems = evaluation.Mapping.Problems;
            var named = string.Join("; ", problems.Take(3).Select(p => $"{p.Resource} ({p.Message})"));
            detail.Add($"- Data not used: {named}{(problems.Count > 3 ? $"; and {problems.Count - 3} more (full report)" : "")}");
        }

        return new Card
        {
            Uuid = Guid.NewGuid().ToString(),
            Summary = summary,
            Detail = string.Join("\n", detail),
            Indicator = NeedsAttention(evaluation) ? "warning" : "info",
            Source = Source(links.SourceUrl, PatientViewTopic, "NET liver metastases eligibility"),
            OverrideReasons = _overrideReasons,
            Links = CdsJson.NullIfEmpty<Link>([.. MdtLink(report.Patient, links), .. EvidenceLinks(report.Assessments)]),
            Extension = ReportExtension(evaluation, links),
            About = [.. report.Assessments.Select(a => Subject(a, DecisiveRules(a)))],
        };
    }

    /// <summary>One recommended draft ServiceRequest per order that would supply a missing input; null when nothing is missing.</summary>
    private Card? MissingWorkUp(Evaluation evaluation, CardLinks links)
    {
        var assessments = evaluation.Report.Assessments;
        var suggestions = OrderSuggestions(evaluation, assessments);
        if (suggestions.Count == 0)
        {
            return null;
        }

        var lines = assessments.SelectMany(a => a.Missing.Select(m => (a.Therapy, Missing: m))).GroupBy(x => x.Missing.Order)
            .Select(g => $"- {Orders.Text(g.Key)}: {string.Join(", ", g.Select(x => FactNames.Json(x.Missing.Fact)).Distinct())} for {string.Join(", ", g.Select(x => x.Therapy.Code()).Distinct())}");
        return new Card
        {
            Uuid = Guid.NewGuid().ToString(),
            Summary = Fit($"Missing work-up: {suggestions.Count} order{(suggestions.Count == 1 ? "" : "s")} would settle the therapies that need data", "Missing work-up for NET liver metastases"),
            Detail = string.Join("\n", lines.Prepend("Each suggestion drafts the order (a proposal for the MDT to confirm). An unknown is not a pass:")),
            Indicator = "info",
            Source = Source(links.SourceUrl, PatientViewTopic, "NET liver metastases eligibility"),
            Suggestions = suggestions,
            SelectionBehavior = "any",
            OverrideReasons = _overrideReasons,
            Links = CdsJson.NullIfEmpty<Link>([.. MdtLink(evaluation.Report.Patient, links)]),
            About = [.. assessments.Where(a => a.Missing.Count > 0).Select(a => Subject(a, a.Missing.Select(m => m.Rule)))],
        };
    }

    /// <summary>
    /// The extension naming the report the card states (issue 20): a copy of the whole report made every card heavy
    /// and carried empty arrays; the report is one authenticated GET away. Null without a <c>Patient/</c> reference.
    /// </summary>
    private static Dictionary<string, object>? ReportExtension(Evaluation evaluation, CardLinks links)
    {
        var patient = evaluation.Report.Patient;
        if (patient is null || !patient.StartsWith("Patient/", StringComparison.Ordinal))
        {
            return null;
        }

        var path = $"/eligibility/{Uri.EscapeDataString(patient["Patient/".Length..])}";
        var url = links.ServiceBase is { } service ? service.TrimEnd('/') + path : path;
        return new Dictionary<string, object>
        {
            [ReportExtensionKey] = new ReportReference(patient, url, evaluation.Report.RulesVersion, evaluation.Report.EvaluatedAt, links.ReportRevision),
        };
    }

    /// <summary>What a card says of one therapy, remembered for feedback (issue 20): its status and the rules that set it.</summary>
    private static CardSubject Subject(TherapyAssessment a, IEnumerable<string> rules) =>
        new(a.Therapy.Code(), a.Status.Code(), [.. rules.Distinct(StringComparer.Ordinal)]);

    /// <summary>The rules whose findings set the therapy's status.</summary>
    private static IEnumerable<string> DecisiveRules(TherapyAssessment a) =>
        a.Findings.Where(f => f.Effect.AsStatus() == a.Status).Select(f => f.Rule);

    /// <summary>
    /// Warning when a contraindication, or a missing safety input, stands in the way of an option the patient is
    /// otherwise suited to (no finding puts it outside the indication); data that could not be used warn too.
    /// </summary>
    private static bool NeedsAttention(Evaluation evaluation) =>
        evaluation.Mapping.Problems.Any(p => p.Kind != DataProblemKind.NotUsable)
        || evaluation.Report.Assessments.Any(a => OtherwiseSuited(a) && (a.Status == EligibilityStatus.Contraindicated
            || (a.Status == EligibilityStatus.InsufficientData && a.Missing.Any(m => SafetyInputs.Contains(m.Fact) && HoldsBack(a, m)))));

    /// <summary>
    /// Whether the missing input is what keeps the status at insufficient-data: its rule could not decide. A missing
    /// performance status is listed for every therapy (FIT-PS) but decides only embolization (EMB-PS).
    /// </summary>
    private static bool HoldsBack(TherapyAssessment a, MissingInput m) =>
        a.Findings.Any(f => f.Rule == m.Rule && f.Effect == FindingEffect.InsufficientData);

    private static bool OtherwiseSuited(TherapyAssessment a) => !a.Findings.Any(f => f.Effect == FindingEffect.NotIndicated);

    /// <summary>The inputs that rule out a contraindication (catalogue "Missing safety data is not a pass"; docs/engine.md).</summary>
    private static readonly FrozenSet<FactKind> SafetyInputs = new[]
    {
        FactKind.Bilirubin, FactKind.PortalVein, FactKind.Ecog, FactKind.Inr, FactKind.Platelets, FactKind.Creatinine,
        FactKind.CreatinineClearance, FactKind.Haemoglobin, FactKind.TumourBurden, FactKind.ExtrahepaticDisease, FactKind.BoneMetastases,
    }.ToFrozenSet();

    private IEnumerable<Link> MdtLink(string? patient, CardLinks links)
    {
        if (patient is null || !patient.StartsWith("Patient/", StringComparison.Ordinal))
        {
            yield break;
        }

        var id = patient["Patient/".Length..];
        if (_smartLaunchUrl is { } launch)
        {
            // SMART app link: the EHR launches the URL with launch and iss; appContext tells the app which patient.
            yield return new Link("MDT view: statuses, reasons and plots", launch, "smart", AppContext: id);
        }
        else if (links.ServiceBase is { } service)
        {
            yield return new Link("MDT view: statuses, reasons and plots", $"{service.TrimEnd('/')}/mdt/{Uri.EscapeDataString(id)}", "absolute");
        }
    }

    /// <summary>
    /// Cards for therapies being ordered: critical for a contraindication, warning for missing safety data or an order
    /// outside the indication, info for MDT judgement; plus octreotide cover before a procedure for a functioning tumour.
    /// An eligible order with nothing to add gets no card.
    /// </summary>
    public IReadOnlyList<Card> OrderCheck(Evaluation evaluation, IReadOnlyCollection<TherapyId> ordered, CardLinks links, IReadOnlyList<string>? dataGaps = null)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(ordered);
        ArgumentNullException.ThrowIfNull(links);
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
                    Source = Source(links.SourceUrl, OrderCheckTopic, "NET therapy order check"),
                    Suggestions = CdsJson.NullIfEmpty(suggestions),
                    SelectionBehavior = suggestions.Count > 0 ? "any" : null,
                    OverrideReasons = _overrideReasons,
                    Links = CdsJson.NullIfEmpty<Link>([.. MdtLink(evaluation.Report.Patient, links), .. EvidenceLinks([a])]),
                    Extension = ReportExtension(evaluation, links),
                    About = [Subject(a, DecisiveRules(a))],
                });
            }

            if (therapy.IsProcedure() && evaluation.Report.Facts.IsFunctioning)
            {
                cards.Add(OctreotideCover(evaluation, therapy, name, links));
            }
        }

        return cards;
    }

    /// <summary>SSA-PROPHYLAXIS (001 Systemic therapies; 000 §3, §6): carcinoid crisis can follow any procedure.</summary>
    private Card OctreotideCover(Evaluation evaluation, TherapyId therapy, string name, CardLinks links)
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
            Source = Source(links.SourceUrl, OrderCheckTopic, "NET therapy order check"),
            Links = CdsJson.NullIfEmpty<Link>([.. MdtLink(evaluation.Report.Patient, links)]),
            Suggestions = [new Suggestion("Add peri-procedural octreotide", Guid.NewGuid().ToString(), true, [new CdsAction("create", "Draft octreotide order for carcinoid crisis prophylaxis", ToJson(request))])],
            SelectionBehavior = "at-most-one",
            OverrideReasons = _overrideReasons,
            About = [Subject(evaluation.Report[therapy], ["SSA-PROPHYLAXIS"])],
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

    /// <summary>
    /// The order-check card's detail, held to the summary card's rule (CDS Hooks card guidance: readable in 15 seconds,
    /// at most about 15 lines): the status, the findings that set it (one line each), what is missing, what to do
    /// before treatment. Passing rules, notes and the other therapies are in the MDT view and the report the extension names.
    /// </summary>
    private static string Detail(Evaluation evaluation, IReadOnlyList<TherapyAssessment> assessments, IReadOnlyList<string>? dataGaps)
    {
        var report = evaluation.Report;
        var lines = new List<string> { $"For MDT discussion, not an order. Rules {report.RulesVersion}, evaluated {Day(report.EvaluatedAt)}{InputDates(report)}." };
        foreach (var a in assessments)
        {
            lines.Add($"**{a.Therapy.Code()} · {TherapyNames.Display(a.Therapy)}: {a.Status.Code()}**");
            var decisive = a.Findings.Where(f => f.Effect.AsStatus() == a.Status && a.Status != EligibilityStatus.Eligible).ToList();
            lines.AddRange(decisive.Take(DecisiveLines).Select(f => $"- {f.Rule}: {f.Reason}{Inputs(f)}{(f.SitePolicy.Count > 0 ? " (site policy)" : "")}"));
            if (decisive.Count > DecisiveLines)
            {
                lines.Add($"- and {decisive.Count - DecisiveLines} more finding{(decisive.Count - DecisiveLines == 1 ? "" : "s")} (MDT view)");
            }

            if (a.Missing.Count > 0)
            {
                lines.Add($"- **Missing**: {string.Join(", ", a.Missing.Select(m => FactNames.Json(m.Fact)).Distinct())} (orders in the suggestions)");
            }

            if (a.Prerequisites.Count > 0)
            {
                lines.Add($"- Before treatment: {string.Join("; ", a.Prerequisites.Select(p => $"{p.Description} ({p.Rule})"))}");
            }
        }

        if (dataGaps is { Count: > 0 })
        {
            lines.Add($"- Could not be read from the EHR (statuses may change): {string.Join("; ", dataGaps)}");
        }

        if (evaluation.Mapping.Problems is { Count: > 0 } problems)
        {
            lines.Add($"- Data not used: {string.Join("; ", problems.Take(3).Select(p => $"{p.Resource} ({p.Message})"))}{(problems.Count > 3 ? $"; and {problems.Count - 3} more (full report)" : "")}");
        }

        lines.Add("Every rule, the evidence and the plots: the MDT view (link below); the full report: the URL in the card's extension.");
        if (lines.Count > DetailLineLimit)
        {
            // Never cut silently: the last line says where the rest is.
            lines = [.. lines.Take(DetailLineLimit - 1), $"… {lines.Count - DetailLineLimit + 1} more lines in the MDT view."];
        }

        return string.Join("\n", lines);
    }

    private static string Inputs(Finding f) => f.Inputs.Count == 0 ? "" :
        " (" + string.Join("; ", f.Inputs.Select(i => i.Date > DateTimeOffset.MinValue ? $"{i.Value}, {i.Source}, {Day(i.Date)}" : $"{i.Value}, {i.Source}")) + ")";

    private static List<Link> EvidenceLinks(IEnumerable<TherapyAssessment> assessments) =>
        [.. assessments.SelectMany(a => a.Findings).SelectMany(f => f.Evidence).Select(e => e.Article).Distinct().Order(StringComparer.Ordinal)
            .Select(article => new Link($"Evidence {article}: {Evidence.Articles[article]}", $"https://pubmed.ncbi.nlm.nih.gov/?term={Uri.EscapeDataString(TherapyNames.ArticleTitles[article])}", "absolute"))];

    private static CardSource Source(string url, string topic, string display) =>
        new("NetCds: NET liver metastases decision support", url, Topic: new Coding(topic, TopicSystem, display));

    private static string Named(TherapyAssessment a) => $"{a.Therapy.Code()} ({TherapyNames.Display(a.Therapy)})";

    /// <summary>The first finding that set the status, with the data it read: the one line a clinician needs.</summary>
    private static string Decisive(TherapyAssessment a) =>
        a.Findings.FirstOrDefault(f => f.Effect.AsStatus() == a.Status) is { } f ? $"{f.Rule}: {f.Reason}{Inputs(f)}" : a.Status.Code();

    private static string Capitalised(EligibilityStatus status) => string.Concat(status.Code()[..1].ToUpperInvariant(), status.Code().AsSpan(1));

    private static string InputDates(EligibilityReport report)
    {
        var dates = report.Assessments.SelectMany(a => a.Findings).SelectMany(f => f.Inputs).Select(i => i.Date).Where(d => d > DateTimeOffset.MinValue).ToList();
        return dates.Count > 0 ? $"; inputs dated {Day(dates.Min())} to {Day(dates.Max())}" : "; no dated inputs";
    }

    private static string Fit(string text, string fallback) =>
        text.Length <= SummaryLimit ? text : text.Length > 0 && fallback.Length <= SummaryLimit ? Truncate(text) : fallback[..SummaryLimit];

    private static string Truncate(string text) => string.Concat(text.AsSpan(0, SummaryLimit - 1), "…");

    private static string Day(DateTimeOffset date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static JsonElement ToJson(Resource resource)
    {
        // Cloned out of a disposed document, so the parse's pooled arrays go back to the pool.
        using var document = JsonDocument.Parse(Serializer.SerializeToString(resource));
        return document.RootElement.Clone();
    }
}

/// <summary>Where a card's links point.</summary>
/// <param name="SourceUrl">The card source's URL (the CDS service base).</param>
/// <param name="ServiceBase">This service's public base URL, for the MDT view link and the report URL; null when unknown (a published message).</param>
/// <param name="ReportRevision">
/// The stored report's revision when it states what the evaluation states (<see cref="ReportReference.Revision"/>); null otherwise.
/// </param>
public sealed record CardLinks(string SourceUrl, string? ServiceBase, int? ReportRevision = null);

/// <summary>Configuration section <c>CdsHooks:MdtView</c>.</summary>
public sealed class MdtLinkOptions
{
    /// <summary>
    /// The MDT view's SMART app launch URL, when the EHR registers it as a SMART app: this service's
    /// <c>{Service:PublicBaseUrl}/mdt/launch</c> (set up under <c>Mdt:SmartLaunch</c>). Cards then link with
    /// <c>type: smart</c>; otherwise with <c>type: absolute</c> to <c>/mdt/{patientId}</c> on this service.
    /// </summary>
    [Url]
    public string? SmartLaunchUrl { get; init; }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Hl7.Fhir.Model;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Fhir.Knowledge;
using NetCds.Fhir.Terminology;

namespace NetCds.Fhir.Reporting;

/// <summary>
/// The eligibility report as FHIR Clinical Reasoning results (issue 21): a collection Bundle with one GuidanceResponse
/// per therapy, each with its Parameters (coded status, findings and the inputs they used, by FHIR reference),
/// and for contraindications an OperationOutcome whose issues point at a DetectedIssue each. Built from the report
/// document, so the stored report (<c>GET /eligibility/{patient}</c>) and <c>$evaluate</c> answer alike.
/// </summary>
/// <remarks>
/// R4 types <c>GuidanceResponse.evaluationMessage</c> as Reference(OperationOutcome), so the DetectedIssue is reached
/// through the core extension <c>operationoutcome-detectedIssue</c> on the issue rather than referenced directly.
/// </remarks>
public static partial class GuidanceResponses
{
    [GeneratedRegex(@"^[A-Z][A-Za-z]+/[A-Za-z0-9\-\.]{1,64}$")]
    private static partial Regex LiteralReference();

    public static Bundle From(ReportDocument report, TerminologyMap terminology)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(terminology);
        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Collection,
            Id = Uuid(report, "bundle").ToString(),
            Timestamp = report.EvaluatedAt,
        };
        foreach (var assessment in report.Assessments)
        {
            AddTherapy(bundle, report, assessment, terminology);
        }

        return bundle;
    }

    /// <summary>The statuses a GuidanceResponse can carry: insufficient-data needs data, everything else was decided.</summary>
    public static GuidanceResponse.GuidanceResponseStatus StatusFor(string status) =>
        status == EligibilityStatus.InsufficientData.Code()
            ? GuidanceResponse.GuidanceResponseStatus.DataRequired
            : GuidanceResponse.GuidanceResponseStatus.Success;

    /// <summary>Rules that decided the status: those whose effect is the status the therapy settled on.</summary>
    public static IEnumerable<FindingDocument> Decisive(AssessmentDocument assessment)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        return assessment.Findings.Where(f => f.Effect == assessment.Status).DistinctBy(f => f.Rule);
    }

    private static void AddTherapy(Bundle bundle, ReportDocument report, AssessmentDocument assessment, TerminologyMap terminology)
    {
        var subject = report.Patient is { } patient ? new ResourceReference(patient) : null;
        var parametersUrl = Urn(report, assessment.Therapy, "parameters");
        var response = new GuidanceResponse
        {
            Meta = new Meta { Profile = [NetCdsCanonicals.GuidanceResponseProfile] },
            Module = new Canonical($"{NetCdsCanonicals.PlanDefinitionUrl(Knowledge.PlanDefinitions.IdFor(assessment.Therapy))}|{report.RulesVersion}"),
            Status = StatusFor(assessment.Status),
            Subject = subject,
            OccurrenceDateTimeElement = new FhirDateTime(report.EvaluatedAt),
            ReasonCode = [.. Decisive(assessment).Select(f => new CodeableConcept(NetCdsCanonicals.Rules, f.Rule, f.Reason) { Text = $"{f.Rule}: {f.Reason}" })],
            OutputParameters = new ResourceReference(parametersUrl),
            DataRequirement = [.. assessment.Missing.Select(m => Requirement(m, terminology))],
            Note = [.. assessment.Notes.Select(n => new Annotation { Text = new Markdown(n) })],
        };

        var contraindications = assessment.Findings.Where(f => f.Effect == EligibilityStatus.Contraindicated.Code()).ToList();
        var issues = new List<Bundle.EntryComponent>();
        if (contraindications.Count > 0)
        {
            var outcome = new OperationOutcome();
            foreach (var (finding, i) in contraindications.Select((f, i) => (f, i)))
            {
                var issueUrl = Urn(report, assessment.Therapy, $"detected-issue-{i}");
                issues.Add(new Bundle.EntryComponent { FullUrl = issueUrl, Resource = DetectedIssueFor(report, assessment, finding, subject) });
                outcome.Issue.Add(new OperationOutcome.IssueComponent
                {
                    Severity = OperationOutcome.IssueSeverity.Warning,
                    Code = OperationOutcome.IssueType.BusinessRule,
                    Details = new CodeableConcept(NetCdsCanonicals.Rules, finding.Rule) { Text = $"{assessment.Therapy} contraindicated: {finding.Reason}" },
                    Extension = [new Extension(NetCdsCanonicals.OperationOutcomeDetectedIssue, new ResourceReference(issueUrl))],
                });
            }

            var outcomeUrl = Urn(report, assessment.Therapy, "evaluation-message");
            response.EvaluationMessage = [new ResourceReference(outcomeUrl)];
            issues.Insert(0, new Bundle.EntryComponent { FullUrl = outcomeUrl, Resource = outcome });
        }

        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = Urn(report, assessment.Therapy, "guidance-response"), Resource = response });
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = parametersUrl, Resource = OutputParameters(report, assessment) });
        bundle.Entry.AddRange(issues);
    }

    /// <summary>The coded status and what the card shows, the inputs as references to the resources they came from.</summary>
    private static Parameters OutputParameters(ReportDocument report, AssessmentDocument assessment)
    {
        var parameters = new Parameters();
        parameters.Add("therapy", new FhirString(assessment.Therapy));
        parameters.Add("status", new Coding(NetCdsCanonicals.EligibilityStatus, assessment.Status));
        parameters.Add("rulesVersion", new FhirString(report.RulesVersion));
        foreach (var finding in assessment.Findings)
        {
            var parts = new List<Parameters.ParameterComponent>
            {
                new() { Name = "rule", Value = new Coding(NetCdsCanonicals.Rules, finding.Rule) },
                new() { Name = "effect", Value = new Coding(NetCdsCanonicals.EligibilityStatus, finding.Effect) },
                new() { Name = "reason", Value = new FhirString(finding.Reason) },
            };
            parts.AddRange(finding.Evidence.Select(e => new Parameters.ParameterComponent { Name = "evidence", Value = new FhirString(Cited(e)) }));
            parts.AddRange(finding.Inputs.Select(Input));
            parts.AddRange((finding.SitePolicy ?? []).Select(s => new Parameters.ParameterComponent { Name = "sitePolicy", Value = new FhirString($"{s.Setting} = {s.Value}") }));
            parameters.Parameter.Add(new Parameters.ParameterComponent { Name = "finding", Part = parts });
        }

        foreach (var prerequisite in assessment.Prerequisites)
        {
            var parts = new List<Parameters.ParameterComponent>
            {
                new() { Name = "rule", Value = new Coding(NetCdsCanonicals.Rules, prerequisite.Rule) },
                new() { Name = "description", Value = new FhirString(prerequisite.Description) },
            };
            if (prerequisite.Order is { } order)
            {
                parts.Add(new Parameters.ParameterComponent { Name = "order", Value = new Coding(NetCdsCanonicals.ClinicalOrders, order) });
            }

            parameters.Parameter.Add(new Parameters.ParameterComponent { Name = "prerequisite", Part = parts });
        }

        return parameters;
    }

    private static Parameters.ParameterComponent Input(InputDocument input) => new()
    {
        Name = "input",
        Part =
        [
            new() { Name = "fact", Value = new FhirString(input.Fact) },
            new() { Name = "value", Value = new FhirString(input.Value) },
            new() { Name = "source", Value = SourceValue(input.Source) },
            new() { Name = "date", Value = new FhirDateTime(input.Date) },
        ],
    };

    /// <summary>The resource an input came from, as a reference when it has a FHIR id (Observation/x); otherwise its position as text.</summary>
    private static DataType SourceValue(string source) =>
        LiteralReference().IsMatch(source) || source.StartsWith("urn:uuid:", StringComparison.Ordinal) ? new ResourceReference(source) : new FhirString(source);

    private static DetectedIssue DetectedIssueFor(ReportDocument report, AssessmentDocument assessment, FindingDocument finding, ResourceReference? subject) => new()
    {
        Meta = new Meta { Profile = [NetCdsCanonicals.DetectedIssueProfile] },
        Status = ObservationStatus.Final,
        Code = new CodeableConcept(NetCdsCanonicals.Rules, finding.Rule) { Text = $"{finding.Rule}: {assessment.Therapy} contraindicated" },
        Severity = DetectedIssue.DetectedIssueSeverity.High,
        Patient = subject,
        Identified = new FhirDateTime(report.EvaluatedAt),
        Detail = finding.Reason,
        Evidence = finding.Inputs.Select(i => SourceValue(i.Source)).OfType<ResourceReference>().DistinctBy(r => r.Reference)
            .Select(r => new DetectedIssue.EvidenceComponent { Detail = [r] }).ToList() is { Count: > 0 } evidence ? evidence : null,
        Reference = NetCdsCanonicals.PlanDefinitionUrl(Knowledge.PlanDefinitions.IdFor(assessment.Therapy)),
    };

    /// <summary>A missing input: the resource type and codes that would supply it, and the order (extension supplying-order).</summary>
    private static DataRequirement Requirement(MissingDocument missing, TerminologyMap terminology)
    {
        var fact = Enum.TryParse<FactKind>(missing.Fact, ignoreCase: true, out var kind) ? kind : (FactKind?)null;
        var requirement = new DataRequirement { Type = fact is { } f ? ResourceTypeFor(f) : FHIRAllTypes.Observation };
        var codes = (fact is { } known ? FactNames.CodesFor(known, terminology) : [])
            .Concat(missing.Code is { } one ? [one] : [])
            .Where(c => !c.EndsWith('*'))
            .Distinct()
            .Select(c => c.Split('|', 2))
            .Where(c => c.Length == 2)
            .Select(c => new Coding(c[0], c[1]))
            .ToList();
        if (codes.Count > 0)
        {
            requirement.CodeFilter = [new DataRequirement.CodeFilterComponent { Path = "code", Code = codes }];
        }

        requirement.Extension.Add(new Extension(NetCdsCanonicals.SupplyingOrder, new CodeableConcept(NetCdsCanonicals.ClinicalOrders, missing.Order, missing.OrderText) { Text = missing.OrderText }));
        return requirement;
    }

    /// <summary>Which FHIR resource type carries the fact (the mapper's readers: Patient, Condition, Procedure, MedicationStatement, else Observation).</summary>
    public static FHIRAllTypes ResourceTypeFor(FactKind fact) => fact switch
    {
        FactKind.BirthDate => FHIRAllTypes.Patient,
        FactKind.LiverMetastases or FactKind.PrimarySite or FactKind.Condition => FHIRAllTypes.Condition,
        FactKind.PrimaryResection or FactKind.PlannedExenteration or FactKind.PriorTreatment => FHIRAllTypes.Procedure,
        FactKind.Medication => FHIRAllTypes.MedicationStatement,
        _ => FHIRAllTypes.Observation,
    };

    private static string Cited(EvidenceDocument e) => e.Section is null ? $"{e.Article} ({e.Citation})" : $"{e.Article} {e.Section} ({e.Citation})";

    private static string Urn(ReportDocument report, string therapy, string part) => $"urn:uuid:{Uuid(report, $"{therapy}/{part}")}";

    /// <summary>A name-based UUID: the same report gives the same Bundle (and so the same ETag-stable body).</summary>
    private static Guid Uuid(ReportDocument report, string part)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{report.Patient}|{report.EvaluatedAt:O}|{report.RulesVersion}|{part}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}

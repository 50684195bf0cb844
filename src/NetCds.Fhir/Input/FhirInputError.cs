using Hl7.Fhir.Model;

namespace NetCds.Fhir.Input;

/// <summary>One thing wrong with an input: the element it concerns (a FHIRPath-like location such as
/// <c>Observation.value.value</c>, or none when the whole input is at fault) and what is wrong.</summary>
public sealed record FhirInputIssue(string? Path, string Message)
{
    /// <summary>"message (path)", the form the NDJSON answer and a dead-letter reason give.</summary>
    public override string ToString() => Path is null ? Message : $"{Message} ({Path})";
}

/// <summary>
/// Why an input was refused (issue 19, deliverable 6): the issues (element path and message), the FHIR issue type
/// and the HTTP status to answer with. Every edge (HTTP, NDJSON line, bus message, CDS Hooks prefetch and FHIR server
/// reads) gets this one shape from <see cref="FhirInput.Parse(ReadOnlySpan{byte})"/> and renders it in its own form;
/// the OperationOutcome form is <see cref="ToOperationOutcome"/>, the only place one is built from an error.
/// </summary>
public sealed record FhirInputError(OperationOutcome.IssueType Type, IReadOnlyList<FhirInputIssue> Issues, int Status = FhirInputError.BadRequest)
{
    public const int BadRequest = 400;

    public FhirInputError(OperationOutcome.IssueType type, string message, string? path = null, int status = BadRequest)
        : this(type, [new FhirInputIssue(path, message)], status)
    {
    }

    /// <summary>The first issue's element path (null when the whole input is at fault).</summary>
    public string? Path => Issues[0].Path;

    /// <summary>The first issue's message.</summary>
    public string Message => Issues[0].Message;

    /// <summary>
    /// Where, without what: " (at path, ...)" for up to three paths, or "". For reasons that are logged or kept
    /// (CDS Hooks prefetch, reads from the EHR): the messages quote values, which could identify the patient.
    /// </summary>
    public string Locations =>
        Issues.Select(i => i.Path).OfType<string>().Distinct().Take(3).ToList() is { Count: > 0 } paths ? $" (at {string.Join(", ", paths)})" : "";

    /// <summary>Every issue as "message (path)", joined by "; ".</summary>
    public override string ToString() => string.Join("; ", Issues);

    /// <summary>The FHIR form: one error issue per <see cref="Issues"/> item, its path as the expression.</summary>
    public OperationOutcome ToOperationOutcome()
    {
        var outcome = new OperationOutcome();
        foreach (var issue in Issues)
        {
            outcome.Issue.Add(new OperationOutcome.IssueComponent
            {
                Severity = OperationOutcome.IssueSeverity.Error,
                Code = Type,
                Diagnostics = issue.Message,
                Expression = issue.Path is null ? [] : [issue.Path],
            });
        }

        return outcome;
    }
}

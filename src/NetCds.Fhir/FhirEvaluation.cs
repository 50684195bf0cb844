using Hl7.Fhir.Model;
using NetCds.Domain.Engine;
using NetCds.Domain.Policy;
using NetCds.Fhir.Input;
using NetCds.Fhir.Mapping;
using NetCds.Fhir.Reporting;
using NetCds.Fhir.Terminology;

namespace NetCds.Fhir;

/// <summary>The result of evaluating one patient's FHIR data: the engine's report and its JSON document.</summary>
public sealed class Evaluation(EligibilityReport report, FactMapping mapping, TerminologyMap terminology)
{
    public EligibilityReport Report { get; } = report;

    public FactMapping Mapping { get; } = mapping;

    public TerminologyMap Terminology { get; } = terminology;

    /// <summary>
    /// The report's JSON document, rendered when first asked for: a hook call's cards name the stored report and do
    /// not render one (issue 20). Rendering is deterministic, so two threads asking at once get equal documents.
    /// </summary>
    public ReportDocument Document => field ??= ReportDocument.From(Report, Mapping.Problems, Terminology);
}

/// <summary>FHIR resources in, eligibility out: map to facts, evaluate, render. Shared by the HTTP API and the CLI.</summary>
public sealed class FhirEvaluation(TerminologyMap terminology, EligibilityPolicy policy)
{
    public TerminologyMap Terminology { get; } = terminology;

    /// <summary>The mapping from resources to facts, also used to keep each stored resource's facts.</summary>
    public FactMapper Mapper { get; } = new(terminology);

    /// <summary>Evaluates the patient the resources are about (or <paramref name="patient"/> when given).</summary>
    /// <returns>Null when nothing in the input says which patient it is about.</returns>
    public Evaluation? Evaluate(Resource root, DateTimeOffset asOf, string? patient = null) =>
        Evaluate(FhirInput.Resources(root), asOf, patient);

    /// <summary>
    /// Evaluates resources gathered from several places (prefetch keys, fetched searchsets); <paramref name="setAside"/>
    /// are problems found before mapping (entries that could not be parsed), reported with the mapper's own.
    /// </summary>
    public Evaluation? Evaluate(IReadOnlyList<SourcedResource> resources, DateTimeOffset asOf, string? patient = null, IReadOnlyList<DataProblem>? setAside = null)
    {
        var mapping = Mapper.Map(resources, asOf, patient);
        if (setAside is { Count: > 0 })
        {
            mapping = mapping with { Problems = [.. setAside, .. mapping.Problems] };
        }

        return Evaluate(mapping, asOf);
    }

    /// <summary>Evaluates facts already mapped (a patient's kept fact state, <see cref="FactMapper.Merge"/>).</summary>
    /// <returns>Null when the facts name no patient.</returns>
    public Evaluation? Evaluate(FactMapping mapping, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        if (mapping.Facts.Patient is null)
        {
            return null;
        }

        var report = EligibilityEngine.Evaluate(mapping.Facts, asOf, policy);
        return new Evaluation(report, mapping, Terminology);
    }
}

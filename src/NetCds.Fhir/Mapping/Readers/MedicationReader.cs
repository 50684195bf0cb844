using Hl7.Fhir.Model;
using NetCds.Domain.Facts;
using NetCds.Fhir.Terminology;

namespace NetCds.Fhir.Mapping.Readers;

/// <summary>
/// MedicationStatement and MedicationRequest into courses of a drug: the fact's date is the course's start, and
/// <see cref="MedicationUse.End"/> is <c>MedicationStatement.effectivePeriod.end</c> when recorded (EVE-FAILED,
/// SUN-FAILED read progression between the two). A request's <c>dispenseRequest.validityPeriod</c> is how long the
/// prescription may be dispensed, not when the patient stopped the drug, so it gives no end.
/// </summary>
internal sealed class MedicationReader(ReadContext context)
{
    public void Read(MedicationStatement m, string source)
    {
        bool? active = m.Status switch
        {
            MedicationStatement.MedicationStatusCodes.Active or MedicationStatement.MedicationStatusCodes.Intended
                or MedicationStatement.MedicationStatusCodes.OnHold => true,
            MedicationStatement.MedicationStatusCodes.Completed or MedicationStatement.MedicationStatusCodes.Stopped => false,
            _ => null,
        };
        var end = m.Effective is Period period ? ReadContext.DateOf(period.EndElement) : null;
        Read(new Course(m.Medication, m.Subject, active, m.StatusElement?.JsonValue as string, ReadContext.DateOf(m.Effective) ?? ReadContext.DateOf(m.DateAssertedElement), end), source, "MedicationStatement");
    }

    public void Read(MedicationRequest m, string source)
    {
        bool? active = m.Status switch
        {
            MedicationRequest.MedicationrequestStatus.Active or MedicationRequest.MedicationrequestStatus.OnHold => true,
            MedicationRequest.MedicationrequestStatus.Completed or MedicationRequest.MedicationrequestStatus.Stopped => false,
            _ => null,
        };
        Read(new Course(m.Medication, m.Subject, active, m.StatusElement?.JsonValue as string, ReadContext.DateOf(m.AuthoredOnElement), null), source, "MedicationRequest");
    }

    private sealed record Course(DataType? Medication, ResourceReference? Subject, bool? Active, string? Status, DateTimeOffset? Start, DateTimeOffset? End);

    private void Read(Course course, string source, string type)
    {
        var concept = course.Medication switch
        {
            CodeableConcept c => c,
            ResourceReference r => Resolve(r),
            _ => null,
        };
        if (course.Medication is ResourceReference unresolved && concept is null)
        {
            // Could be any drug: say so rather than drop it.
            context.Problem(source, $"{type}.medication", DataProblemKind.UnusableValue, $"medication reference '{unresolved.Reference}' is not in the input: the drug cannot be identified");
            return;
        }

        var meanings = context.Meanings(CodeContext.Medication, concept);
        if (meanings.Count == 0 || !context.AboutThePatient(course.Subject, source, $"{type}.subject"))
        {
            return;
        }

        if (course.Active is not { } active)
        {
            context.Problem(source, $"{type}.status", DataProblemKind.NotUsable, $"status {course.Status?.ToLowerInvariant() ?? "missing"}: not used");
            return;
        }

        if (context.Dated(course.Start, source, type == "MedicationRequest" ? "MedicationRequest.authoredOn" : "MedicationStatement.effective") is not { } start)
        {
            return;
        }

        var end = course.End;
        if (end < start)
        {
            context.Problem(source, $"{type}.effective.end", DataProblemKind.UnusableValue, $"the course ends ({end:yyyy-MM-dd}) before it starts: its end is not used");
            end = null;
        }

        foreach (var meaning in meanings)
        {
            if (Enum.TryParse<MedicationKind>(meaning, out var kind))
            {
                context.Facts.Medications.Add(new Fact<MedicationUse>(new MedicationUse(kind, active, end, DrugName(concept)), start, source));
            }
        }
    }

    /// <summary>The drug as the record names it (text, else the first coding's display), so a card can name it (SSA-FAILED).</summary>
    private static string? DrugName(CodeableConcept? concept) =>
        concept is null ? null
        : !string.IsNullOrWhiteSpace(concept.Text) ? concept.Text.Trim()
        : concept.Coding.Select(c => c.Display).FirstOrDefault(d => !string.IsNullOrWhiteSpace(d))?.Trim();

    /// <summary>The code of the referenced Medication: the course's facts then depend on that resource too.</summary>
    private CodeableConcept? Resolve(ResourceReference reference)
    {
        context.DependsOnMoreThanTheResource();
        return Medication(reference)?.Code;
    }

    private Medication? Medication(ResourceReference reference) =>
        context.All.Select(r => r.Resource).OfType<Medication>().FirstOrDefault(m => reference.Reference == $"Medication/{m.Id}")
        ?? context.All.Where(r => r.FullUrl is not null && r.FullUrl == reference.Reference).Select(r => r.Resource).OfType<Medication>().FirstOrDefault();
}

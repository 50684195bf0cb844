using System.Globalization;
using Hl7.Fhir.Model;
using NetCds.Fhir.Terminology;

namespace NetCds.Fhir.Mapping.Readers;

/// <summary>
/// What every reader shares during one pass over one patient's resources: the terminology map, the facts being
/// gathered, the data problems, who the patient is and the evaluation instant.
/// </summary>
internal sealed class ReadContext(
    TerminologyMap terminology,
    ResourceFacts facts,
    PatientIdentity identity,
    DateTimeOffset asOf,
    IReadOnlyList<SourcedResource> all)
{
    public ResourceFacts Facts => facts;

    public PatientIdentity Identity => identity;

    public DateTimeOffset AsOf => asOf;

    public IReadOnlyList<SourcedResource> All => all;

    /// <summary>
    /// What was read depends on more than the resource (the evaluation instant, another resource): it must be read
    /// again at each evaluation rather than kept (<see cref="ResourceFacts.Live"/>).
    /// </summary>
    /// <summary>Marks what is being read as dependent on the evaluation instant or on another resource.</summary>
    public void DependsOnMoreThanTheResource() => facts.Live = true;

    public void Problem(string source, string? element, DataProblemKind kind, string message) =>
        facts.Problems.Add(new DataProblem(source, element, kind, message));

    public void UnknownUnit(string source, string element, string? unit, string accepted) =>
        Problem(source, element + ".unit", DataProblemKind.UnknownUnit, $"unit '{unit ?? "(none)"}' cannot be used: expected {accepted}");

    public IReadOnlyList<string> Meanings(CodeContext context, CodeableConcept? concept) =>
        concept?.Coding switch
        {
            null or [] => [],

            // One coding (the usual case): its meanings are already distinct.
            [var only] => terminology.Meanings(context, only.System, only.Code),
            var codings => [.. codings.SelectMany(c => terminology.Meanings(context, c.System, c.Code)).Distinct()],
        };

    public bool AboutThePatient(ResourceReference? subject, string source, string element)
    {
        if (identity.Matches(subject?.Reference))
        {
            return true;
        }

        Problem(source, element, DataProblemKind.OtherPatient,
            subject?.Reference is null ? "no subject: cannot tell which patient it is about" : "about another patient than the one evaluated");
        return false;
    }

    /// <summary>A usable date: present and not in the future. Reports what is wrong otherwise.</summary>
    public DateTimeOffset? Dated(DateTimeOffset? date, string source, string element, bool required = true)
    {
        if (date is null)
        {
            if (required)
            {
                Problem(source, element, DataProblemKind.MissingDate, "no effective date or time: not used");
            }

            return null;
        }

        if (date > asOf.AddMinutes(5))
        {
            // Usable once the evaluation instant passes it.
            DependsOnMoreThanTheResource();
            Problem(source, element, DataProblemKind.FutureDate, $"dated {date:yyyy-MM-dd}, after the evaluation time: not used");
            return null;
        }

        return date;
    }

    /// <summary>A dateTime, partial ones ("2026-10", "2026-10-01") at their first moment; without a zone, UTC.</summary>
    private static DateTimeOffset? DateTimeOf(FhirDateTime value)
    {
        try
        {
            return value.Value is null ? null : value.ToDateTimeOffset(TimeSpan.Zero);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The instant a FHIR date/time value stands for (a period by its start); partial dates at their first moment, UTC.</summary>
    public static DateTimeOffset? DateOf(DataType? value) => value switch
    {
        FhirDateTime dt => DateTimeOf(dt),
        Instant { Value: { } instant } => instant,
        Period p => DateOf(p.StartElement) ?? DateOf(p.EndElement),
        Date { Value: { } text } => DateOnly.TryParseExact(text, ["yyyy-MM-dd", "yyyy-MM", "yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
            : null,
        _ => null,
    };
}

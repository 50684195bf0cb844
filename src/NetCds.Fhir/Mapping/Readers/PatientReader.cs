using System.Globalization;
using Hl7.Fhir.Model;
using NetCds.Domain.Facts;

namespace NetCds.Fhir.Mapping.Readers;

/// <summary>The evaluated patient's birth date (LT-AGE).</summary>
internal sealed class PatientReader(ReadContext context)
{
    public void Read(Patient patient, string source)
    {
        var text = patient.BirthDate;
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        // A partial birth date (year, or year-month) is taken at its first day.
        string[] formats = ["yyyy-MM-dd", "yyyy-MM", "yyyy"];
        if (DateOnly.TryParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var born) && born <= DateOnly.FromDateTime(context.AsOf.UtcDateTime))
        {
            context.Facts.BirthDate = new Fact<DateOnly>(born, born.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), source);
        }
        else
        {
            context.DependsOnMoreThanTheResource();
            context.Problem(source, "Patient.birthDate", DataProblemKind.UnusableValue, $"birth date '{text}' is not a usable past date");
        }
    }
}

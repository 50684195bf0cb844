using Hl7.Fhir.Model;
using NetCds.Domain.Facts;
using NetCds.Fhir.Terminology;

namespace NetCds.Fhir.Mapping.Readers;

/// <summary>
/// Procedures: completed ones, and planned ones (preparation, in progress) for a planned exenteration (LT-EXENT).
/// A chemotherapy procedure is a past course of chemotherapy.
/// </summary>
internal sealed class ProcedureReader(ReadContext context)
{
    public void Read(Procedure p, string source)
    {
        var meanings = context.Meanings(CodeContext.Procedure, p.Code);
        if (meanings.Count == 0 || !context.AboutThePatient(p.Subject, source, "Procedure.subject"))
        {
            return;
        }

        foreach (var meaning in meanings)
        {
            var planned = meaning == nameof(ProcedureKind.PlannedExenteration);
            var usable = p.Status == EventStatus.Completed || (planned && p.Status is EventStatus.Preparation or EventStatus.InProgress);
            if (!usable)
            {
                context.Problem(source, "Procedure.status", DataProblemKind.NotUsable, $"status {p.StatusElement?.JsonValue ?? "missing"}: only completed procedures (or planned ones for a planned exenteration) count");
                continue;
            }

            // A planned procedure has no performed date yet: it is planned as of now.
            if (planned && p.Performed is null)
            {
                context.DependsOnMoreThanTheResource();
            }

            if (context.Dated(ReadContext.DateOf(p.Performed) ?? (planned ? context.AsOf : null), source, "Procedure.performed") is not { } performed)
            {
                continue;
            }

            if (meaning == nameof(MedicationKind.Chemotherapy))
            {
                var end = p.Performed is Period period ? ReadContext.DateOf(period.EndElement) : null;
                context.Facts.Medications.Add(new Fact<MedicationUse>(new MedicationUse(MedicationKind.Chemotherapy, false, end), performed, source));
            }
            else if (Enum.TryParse<ProcedureKind>(meaning, out var kind))
            {
                context.Facts.Procedures.Add(new Fact<ProcedureKind>(kind, performed, source));
            }
        }
    }
}

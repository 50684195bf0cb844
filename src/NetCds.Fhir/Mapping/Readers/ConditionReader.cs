using Hl7.Fhir.Model;
using NetCds.Domain.Facts;
using NetCds.Fhir.Terminology;

namespace NetCds.Fhir.Mapping.Readers;

/// <summary>
/// Conditions into diagnoses, primary sites and differentiation (also from the mCODE histology extension).
/// Only usable data counts (catalogue): refuted or entered-in-error verification never counts; a condition counts
/// when active, recurrence, relapse or without clinical status, except that the tumour's own diagnoses are history
/// and count when resolved, in remission or inactive too (a primary pNET resected years ago is still the primary).
/// </summary>
internal sealed class ConditionReader(ReadContext context)
{
    private const string HistologyExtension = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior";

    public void Read(Condition c, string source)
    {
        var meanings = context.Meanings(CodeContext.Condition, c.Code).ToList();
        var histology = c.Extension.Where(e => e.Url == HistologyExtension).Select(e => e.Value as CodeableConcept).ToList();
        meanings.AddRange(histology.SelectMany(h => context.Meanings(CodeContext.Condition, h)).Where(m => m.StartsWith("Differentiation.", StringComparison.Ordinal)));
        if (meanings.Count == 0 || !context.AboutThePatient(c.Subject, source, "Condition.subject"))
        {
            return;
        }

        var verification = c.VerificationStatus?.Coding.FirstOrDefault()?.Code;
        if (verification is "refuted" or "entered-in-error")
        {
            context.Problem(source, "Condition.verificationStatus", DataProblemKind.NotUsable, $"verification status {verification}: not used");
            return;
        }

        var clinical = c.ClinicalStatus?.Coding.FirstOrDefault()?.Code;
        if (clinical is not (null or "active" or "recurrence" or "relapse"))
        {
            // Historical: only the tumour's own diagnoses still count; anything else on it is reported, not used.
            var historical = clinical is "resolved" or "remission" or "inactive";
            var distinct = meanings.Distinct().ToList();
            var history = historical ? distinct.Where(IsTumourHistory).ToList() : [];
            if (history.Count < distinct.Count)
            {
                context.Problem(source, "Condition.clinicalStatus", DataProblemKind.NotUsable, history.Count == 0
                    ? $"clinical status {clinical}: only active, recurrence or relapse count"
                    : $"clinical status {clinical}: only the tumour's own diagnoses (primary, histology, MEN1) count as history; the rest is not used");
            }

            meanings = history;
            if (meanings.Count == 0)
            {
                return;
            }
        }

        // A diagnosis without onset or recorded date still counts; it sorts as the oldest fact.
        var stated = ReadContext.DateOf(c.Onset) ?? ReadContext.DateOf(c.RecordedDateElement);
        var date = context.Dated(stated, source, ReadContext.DateOf(c.Onset) is null ? "Condition.recordedDate" : "Condition.onset", required: false);
        if (date is null && stated is not null)
        {
            return;
        }

        var effective = date ?? DateTimeOffset.MinValue;
        foreach (var meaning in meanings.Distinct())
        {
            var (group, name) = Split(meaning);
            switch (group)
            {
                case "PrimarySite" when Enum.TryParse<PrimarySite>(name, out var site):
                    context.Facts.PrimarySites.Add(new Fact<PrimarySite>(site, effective, source));
                    break;
                case "Differentiation" when Enum.TryParse<Differentiation>(name, out var differentiation):
                    context.Facts.Differentiation.Add(new Fact<Differentiation>(differentiation, effective, source));
                    break;
                case "" when Enum.TryParse<ConditionKind>(name, out var kind):
                    context.Facts.Conditions.Add(new Fact<ConditionKind>(kind, effective, source));
                    break;
            }
        }
    }

    /// <summary>The tumour's own diagnoses (catalogue, "Only usable data counts"): primary NET and its site, NEC and histology, MEN1.</summary>
    private static bool IsTumourHistory(string meaning) =>
        meaning.StartsWith("PrimarySite.", StringComparison.Ordinal)
        || meaning.StartsWith("Differentiation.", StringComparison.Ordinal)
        || meaning is "NeuroendocrineTumour" or nameof(ConditionKind.Men1);

    private static (string Group, string Name) Split(string meaning)
    {
        var dot = meaning.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? ("", meaning) : (meaning[..dot], meaning[(dot + 1)..]);
    }
}

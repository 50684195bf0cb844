using Hl7.Fhir.Model;
using NetCds.Fhir.Terminology;
using NetCds.Service.Messaging;

namespace NetCds.Service.Ingestion;

internal static class UnknownCodes
{
    /// <summary>Throws <see cref="InvalidMessageException"/> naming the first Observation none of whose codes is mapped.</summary>
    public static void Check(IReadOnlyList<IngestEntry> entries, TerminologyMap terminology)
    {
        foreach (var observation in entries.Select(e => e.Resource).OfType<Observation>())
        {
            var codings = observation.Code?.Coding ?? [];
            if (!codings.Any(c => terminology.Meanings(CodeContext.Observation, c.System, c.Code).Count > 0))
            {
                var codes = string.Join(", ", codings.Select(c => $"{c.System}|{c.Code}"));
                throw new InvalidMessageException($"Observation/{observation.Id}: no code known to the terminology map ({codes}). Add it to the site's map (Fhir:TerminologyMapPath), restart, then replay.");
            }
        }
    }
}

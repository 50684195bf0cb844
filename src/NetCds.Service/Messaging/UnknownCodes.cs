using Hl7.Fhir.Model;
using NetCds.Fhir.Terminology;
using NetCds.Service.Ingestion;

namespace NetCds.Service.Messaging;

/// <summary>What to do with an Observation on the bus whose code the terminology map does not know (<c>Ingestion:UnknownObservationCodes</c>).</summary>
public enum UnknownCodePolicy
{
    /// <summary>Store it like any other resource (it supplies no fact until its code is mapped).</summary>
    Store,

    /// <summary>Refuse the whole message: it goes to the error queue naming the code, to be replayed once the site maps it.</summary>
    DeadLetter,
}

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

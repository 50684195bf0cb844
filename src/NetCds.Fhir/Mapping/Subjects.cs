using Hl7.Fhir.Model;

namespace NetCds.Fhir.Mapping;

/// <summary>Who a resource is about, for the resource types the mapper reads: one place for the mapper and for storage.</summary>
public static class Subjects
{
    /// <summary>The subject reference as written (null for a type without one the mapper reads).</summary>
    public static string? Of(Resource resource) => resource switch
    {
        Observation o => o.Subject?.Reference,
        Condition c => c.Subject?.Reference,
        Procedure p => p.Subject?.Reference,
        MedicationStatement m => m.Subject?.Reference,
        MedicationRequest m => m.Subject?.Reference,
        _ => null,
    };
}

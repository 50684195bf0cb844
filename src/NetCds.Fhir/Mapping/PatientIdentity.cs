using Hl7.Fhir.Model;

namespace NetCds.Fhir.Mapping;

/// <summary>
/// Which patient the resources are about: the one named by the caller, else the Patient resource given, else
/// the subject most resources name. References to it may be relative (<c>Patient/1</c>), absolute
/// (<c>https://ehr/fhir/Patient/1</c>) or the Patient entry's <c>urn:uuid</c> fullUrl.
/// </summary>
internal sealed class PatientIdentity
{
    private readonly HashSet<string> _aliases;

    private PatientIdentity(string? reference, IEnumerable<string> aliases)
    {
        Reference = reference;
        _aliases = [.. aliases.Where(a => !string.IsNullOrEmpty(a))];
    }

    /// <summary>Relative reference, <c>Patient/{id}</c>; null when nothing says who the patient is.</summary>
    public string? Reference { get; }

    public static PatientIdentity Resolve(IReadOnlyList<SourcedResource> resources, string? requested)
    {
        var patients = resources.Where(r => r.Resource is Patient).ToList();
        if (!string.IsNullOrEmpty(requested))
        {
            var reference = requested.Contains('/', StringComparison.Ordinal) ? requested : $"Patient/{requested}";
            var entry = patients.FirstOrDefault(p => p.Reference == reference);
            return new PatientIdentity(reference, [reference, entry?.FullUrl ?? ""]);
        }

        if (patients.Count > 0)
        {
            return new PatientIdentity(patients[0].Reference, [patients[0].Reference, patients[0].FullUrl ?? ""]);
        }

        var subject = resources.Select(r => Subjects.Of(r.Resource)).Where(s => s is not null).GroupBy(s => s!)
            .OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault();
        return new PatientIdentity(subject is null ? null : Relative(subject), subject is null ? [] : [subject, Relative(subject)]);
    }

    public bool Is(SourcedResource item) => _aliases.Contains(item.Reference) || (item.FullUrl is not null && _aliases.Contains(item.FullUrl));

    public bool Matches(string? reference) =>
        reference is not null && (_aliases.Contains(reference) || _aliases.Contains(Relative(reference)));

    /// <summary><c>https://ehr/fhir/Patient/1/_history/2</c> → <c>Patient/1</c>.</summary>
    private static string Relative(string reference)
    {
        var history = reference.IndexOf("/_history", StringComparison.Ordinal);
        var path = history >= 0 ? reference[..history] : reference;
        var parts = path.Split('/');
        return parts.Length >= 2 && parts[^2] == "Patient" ? $"Patient/{parts[^1]}" : path;
    }
}

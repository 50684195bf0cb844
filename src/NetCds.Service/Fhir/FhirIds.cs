using System.Text.RegularExpressions;
using Hl7.Fhir.Model;

namespace NetCds.Service.Fhir;

/// <summary>FHIR R4 logical ids (<c>[A-Za-z0-9\-\.]{1,64}</c>) and resource type names, checked wherever they come from.</summary>
public static partial class FhirIds
{
    /// <remarks><c>.</c> and <c>..</c> match the pattern but are URL dot segments, so no such resource could ever be addressed (issue 20).</remarks>
    public static bool IsValidId(string? id) => id is not null and not ("." or "..") && IdPattern().IsMatch(id);

    /// <summary>A concrete R4 resource type (not <c>Resource</c> or <c>DomainResource</c>).</summary>
    public static bool IsKnownType(string? type) =>
        type is not null && type is not ("Resource" or "DomainResource") && ModelInfo.IsKnownResource(type);

    /// <summary>Null when both are valid; otherwise what is wrong, without echoing the value (it may be anything).</summary>
    public static string? Check(string? type, string? id)
    {
        if (!IsKnownType(type))
        {
            return "not a FHIR R4 resource type";
        }

        return id is null || IsValidId(id) ? null : "an id must be 1-64 characters from A-Z, a-z, 0-9, '-' and '.' (not '.' or '..')";
    }

    [GeneratedRegex(@"^[A-Za-z0-9\-\.]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}

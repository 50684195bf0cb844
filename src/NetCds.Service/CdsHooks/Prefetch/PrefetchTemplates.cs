using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.RegularExpressions;
using NetCds.Fhir.Terminology;

namespace NetCds.Service.CdsHooks.Prefetch;

/// <summary>
/// The prefetch templates the discovery document declares (CDS Hooks 2.0 prefetch tokens), and how one is
/// rendered into a relative FHIR query for a request's context.
/// </summary>
public static partial class PrefetchTemplates
{
    public const string Patient = "patient";
    public const string Conditions = "conditions";
    public const string Observations = "observations";
    public const string Procedures = "procedures";
    public const string MedicationStatements = "medicationStatements";
    public const string MedicationRequests = "medicationRequests";

    /// <summary>Without this key's data the service cannot evaluate (the caller answers 412).</summary>
    public static IReadOnlySet<string> RequiredKeys { get; } = new HashSet<string>(StringComparer.Ordinal) { Patient };

    /// <summary>
    /// Every observation code of <see cref="TerminologyMap.Default"/>, each <c>system|code</c> percent-encoded,
    /// joined by the unencoded comma that FHIR search reads as "or". Prefix entries (<c>*</c>) cannot be searched and are left out.
    /// </summary>
    public static string ObservationCodes { get; } = string.Join(',', ObservationCodesOf(TerminologyMap.Default).Select(Uri.EscapeDataString));

    /// <summary>Key → query template, in the order keys are resolved and their resources listed.</summary>
    public static IReadOnlyDictionary<string, string> All { get; } = new ReadOnlyDictionary<string, string>(new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Patient] = "Patient/{{context.patientId}}",
        [Conditions] = "Condition?patient={{context.patientId}}",
        [Observations] = $"Observation?patient={{{{context.patientId}}}}&code={ObservationCodes}",
        [Procedures] = "Procedure?patient={{context.patientId}}",
        [MedicationStatements] = "MedicationStatement?patient={{context.patientId}}",
        [MedicationRequests] = "MedicationRequest?patient={{context.patientId}}",
    });

    /// <summary>
    /// Replaces the tokens the template uses: <c>{{context.name}}</c> by the context's string field, and
    /// <c>{{userPractitionerId}}</c>, <c>{{userPractitionerRoleId}}</c>, <c>{{userPatientId}}</c>,
    /// <c>{{userRelatedPersonId}}</c> by the id in <c>context.userId</c> when it names that resource type.
    /// Values are percent-encoded. An unknown token, or one without a value, means the template cannot be fetched.
    /// </summary>
    public static bool TryRender(
        string template,
        IReadOnlyDictionary<string, JsonElement>? context,
        [NotNullWhen(true)] out string? query,
        [NotNullWhen(false)] out string? unresolvedToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        string? missing = null;
        var rendered = TokenPattern().Replace(template, match =>
        {
            var token = match.Groups[1].Value;
            var value = ValueOf(token, context);
            if (value is null)
            {
                missing ??= token;
                return "";
            }

            return Uri.EscapeDataString(value);
        });

        if (missing is not null)
        {
            query = null;
            unresolvedToken = missing;
            return false;
        }

        query = rendered;
        unresolvedToken = null;
        return true;
    }

    /// <summary>The searchable observation codes of a terminology map (<c>system|code</c>, unencoded).</summary>
    public static IReadOnlyList<string> ObservationCodesOf(TerminologyMap terminology)
    {
        ArgumentNullException.ThrowIfNull(terminology);
        return [.. terminology.MeaningsOf(CodeContext.Observation)
            .SelectMany(meaning => terminology.CodesFor(CodeContext.Observation, meaning))
            .Where(code => !code.EndsWith('*'))
            .Distinct(StringComparer.Ordinal)];
    }

    private static string? ValueOf(string token, IReadOnlyDictionary<string, JsonElement>? context)
    {
        if (context is null)
        {
            return null;
        }

        if (token.StartsWith("context.", StringComparison.Ordinal))
        {
            return StringField(context, token["context.".Length..]);
        }

        var userType = token switch
        {
            "userPractitionerId" => "Practitioner",
            "userPractitionerRoleId" => "PractitionerRole",
            "userPatientId" => "Patient",
            "userRelatedPersonId" => "RelatedPerson",
            _ => null,
        };
        var userId = userType is null ? null : StringField(context, "userId");
        var slash = userId?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        return slash > 0 && userId![..slash] == userType && slash < userId.Length - 1 ? userId[(slash + 1)..] : null;
    }

    private static string? StringField(IReadOnlyDictionary<string, JsonElement> context, string name) =>
        context.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()
            : null;

    [GeneratedRegex(@"\{\{\s*([^{}\s]+)\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();
}

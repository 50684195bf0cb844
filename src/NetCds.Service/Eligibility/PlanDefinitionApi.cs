using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NetCds.Domain.Policy;
using NetCds.Fhir.Knowledge;
using NetCds.Service.Fhir;
using NetCds.Service.Security;

namespace NetCds.Service.Eligibility;

/// <summary>
/// The rule catalogue as FHIR knowledge (issue 21): <c>GET /fhir/PlanDefinition</c> (a searchset Bundle) and
/// <c>GET /fhir/PlanDefinition/{id}</c>, one eca-rule PlanDefinition per therapy generated from the code and the
/// thresholds this service runs with. Not patient data, but the site's configuration: a token allowing
/// PlanDefinition reads (system/PlanDefinition.read or .rs), see docs/security.md.
/// </summary>
public static class PlanDefinitionApi
{
    /// <summary>Search parameters understood; any other is refused rather than silently ignored.</summary>
    private static readonly string[] SearchParameters = ["_id", "url", "version"];

    public static IEndpointRouteBuilder MapPlanDefinitionApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/fhir/PlanDefinition").WithTags("Knowledge").RequireKnowledgeRead();
        group.MapGet("", Search).ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest);
        group.MapGet("/{id}", Read).ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        return app;
    }

    private static ContentHttpResult Search(HttpRequest request, EligibilityPolicy policy, IOptions<ServiceOptions> service)
    {
        if (request.Query.Keys.FirstOrDefault(k => !SearchParameters.Contains(k, StringComparer.Ordinal)) is { } unknown)
        {
            return FhirResults.Problem(OperationOutcome.IssueType.NotSupported,
                $"Search parameter '{unknown}' is not supported on PlanDefinition; supported: {string.Join(", ", SearchParameters)}.", StatusCodes.Status400BadRequest, unknown);
        }

        var matches = PlanDefinitions.All(policy)
            .Where(p => Matches(request, "_id", p.Id) && Matches(request, "url", p.Url) && Matches(request, "version", p.Version))
            .ToList();
        var baseUrl = service.Value.BaseUrl.TrimEnd('/');
        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Searchset,
            Total = matches.Count,
            Link = [new Bundle.LinkComponent { Relation = "self", Url = $"{baseUrl}/fhir/PlanDefinition{request.QueryString}" }],
            Entry = [.. matches.Select(p => new Bundle.EntryComponent
            {
                FullUrl = $"{baseUrl}/fhir/PlanDefinition/{p.Id}",
                Resource = p,
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
            })],
        };
        return FhirResults.Resource(bundle, StatusCodes.Status200OK);
    }

    private static ContentHttpResult Read(string id, EligibilityPolicy policy)
    {
        if (!FhirIds.IsValidId(id))
        {
            return FhirResults.Problem(OperationOutcome.IssueType.Invalid, "A PlanDefinition id must be 1-64 characters from A-Z, a-z, 0-9, '-' and '.'.", StatusCodes.Status400BadRequest, "id");
        }

        return PlanDefinitions.Find(id, policy) is { } plan
            ? FhirResults.Resource(plan, StatusCodes.Status200OK)
            : FhirResults.Problem(OperationOutcome.IssueType.NotFound,
                $"No PlanDefinition '{id}': there is one per therapy, {string.Join(", ", PlanDefinitions.All(policy).Select(p => p.Id))}.", StatusCodes.Status404NotFound, "id");
    }

    /// <summary>A token search parameter, comma meaning "or"; absent matches everything.</summary>
    private static bool Matches(HttpRequest request, string parameter, string? value) =>
        !request.Query.TryGetValue(parameter, out var wanted)
        || wanted.SelectMany(w => (w ?? "").Split(',')).Any(w => string.Equals(w, value, StringComparison.Ordinal));
}

using System.Net;
using System.Net.Http.Headers;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Mvc.Testing;
using NetCds.Domain.Engine;
using NetCds.Domain.Rules;
using NetCds.Fhir.Input;
using NetCds.Fhir.Knowledge;
using NetCds.Service.Tests.Support;
using Task = System.Threading.Tasks.Task;

namespace NetCds.Service.Tests.Knowledge;

/// <summary>
/// Issue 21, deliverable 2: the rule catalogue as FHIR knowledge, generated from the code and the thresholds this
/// service is configured with, readable with a PlanDefinition read scope.
/// </summary>
public sealed class PlanDefinitionApiTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(HttpStatusCode Status, Resource? Resource)> GetAsync(WebApplicationFactory<Program> host, string path, string scope = "system/PlanDefinition.read")
    {
        using var client = host.CreateApiClient(scope);
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), Ct);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/fhir+json");
        return (response.StatusCode, FhirInput.Parse(await response.Content.ReadAsStringAsync(Ct)).Resource);
    }

    private static string Threshold(PlanDefinition plan, string rule, string setting) =>
        plan.Action.Single(a => a.Title == rule).GetExtensions(NetCdsCanonicals.SiteThreshold)!
            .Single(e => ((FhirString)e.GetExtension("setting")!.Value!).Value == setting)
            .GetExtension("value")!.Value!.ToString()!;

    [Fact]
    public async Task The_search_answers_a_searchset_with_one_eca_rule_per_therapy_at_the_rules_version()
    {
        var (status, resource) = await GetAsync(factory, "/fhir/PlanDefinition");

        status.Should().Be(HttpStatusCode.OK);
        var bundle = (Bundle)resource!;
        bundle.Type.Should().Be(Bundle.BundleType.Searchset);
        bundle.Total.Should().Be(12);
        var plans = bundle.Entry.Select(e => (PlanDefinition)e.Resource!).ToList();
        plans.Select(p => p.Id).Should().Equal(Enum.GetValues<TherapyId>().Select(PlanDefinitions.IdFor));
        plans.Should().OnlyContain(p => p.Version == EligibilityEngine.RulesVersion && p.Type!.Coding[0].Code == "eca-rule" && p.Status == PublicationStatus.Active);
        bundle.Entry.Should().OnlyContain(e => e.FullUrl!.EndsWith($"/fhir/PlanDefinition/{e.Resource!.Id}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_rule_id_of_the_catalogue_is_an_action_with_words_yields_and_citations()
    {
        var (_, resource) = await GetAsync(factory, "/fhir/PlanDefinition");
        var plans = ((Bundle)resource!).Entry.Select(e => (PlanDefinition)e.Resource!).ToDictionary(p => p.Id!);

        foreach (var therapy in RuleCatalogue.Therapies)
        {
            var plan = plans[PlanDefinitions.IdFor(therapy.Therapy)];
            plan.Action!.Select(a => a.Title).Should().Equal(therapy.Rules.Select(r => r.Id), therapy.Therapy.Code());
            plan.Action.Should().OnlyContain(a => !string.IsNullOrWhiteSpace(a.Description)
                && a.Documentation.Count > 0 && a.Documentation.All(d => d.Type == RelatedArtifact.RelatedArtifactType.Citation)
                && a.GetExtensions(NetCdsCanonicals.RuleYields).Any());
        }

        var emb = plans["netcds-emb"];
        emb.Action!.Single(a => a.Title == "EMB-LIVER").Documentation!.Select(d => d.Label).Should().Contain("000 §4");
        emb.Action!.Single(a => a.Title == "EMB-PV").GetExtensions(NetCdsCanonicals.RuleYields)!.Select(e => ((Coding)e.Value!).Code).Should().Contain("contraindicated");
    }

    [Fact]
    public async Task A_configured_threshold_changes_the_plan_definition()
    {
        using var configured = factory.WithWebHostBuilder(b => b.UseSetting("Eligibility:Embolization:BilirubinContraindicatedAboveMgDl", "2.5"));

        var (_, byDefault) = await GetAsync(factory, "/fhir/PlanDefinition/netcds-emb");
        var (status, atThisSite) = await GetAsync(configured, "/fhir/PlanDefinition/netcds-emb");

        status.Should().Be(HttpStatusCode.OK);
        const string setting = "Eligibility:Embolization:BilirubinContraindicatedAboveMgDl";
        Threshold((PlanDefinition)byDefault!, "EMB-LIVER", setting).Should().Be("3");
        Threshold((PlanDefinition)atThisSite!, "EMB-LIVER", setting).Should().Be("2.5");
        ((PlanDefinition)atThisSite!).Action.Single(a => a.Title == "EMB-LIVER").Description.Should().Contain("> 2.5 mg/dL");
        Threshold((PlanDefinition)atThisSite!, "EMB-LIVER", "Eligibility:Embolization:BilirubinConsiderFromMgDl").Should().Be("2");
    }

    [Fact]
    public async Task An_unknown_id_is_a_404_operation_outcome_and_an_unknown_search_parameter_a_400()
    {
        var (missing, outcome) = await GetAsync(factory, "/fhir/PlanDefinition/netcds-nope");
        var (bad, badOutcome) = await GetAsync(factory, "/fhir/PlanDefinition?title=RES");
        var (_, byUrl) = await GetAsync(factory, $"/fhir/PlanDefinition?url={NetCdsCanonicals.PlanDefinitionUrl("netcds-sirt")}");

        missing.Should().Be(HttpStatusCode.NotFound);
        ((OperationOutcome)outcome!).Issue[0].Code.Should().Be(OperationOutcome.IssueType.NotFound);
        bad.Should().Be(HttpStatusCode.BadRequest);
        ((OperationOutcome)badOutcome!).Issue[0].Expression.Should().Contain("title");
        ((Bundle)byUrl!).Entry.Select(e => e.Resource!.Id).Should().Equal("netcds-sirt");
    }

    [Theory]
    [InlineData("system/PlanDefinition.read", HttpStatusCode.OK)]
    [InlineData("system/PlanDefinition.rs", HttpStatusCode.OK)]
    [InlineData("system/*.read", HttpStatusCode.OK)]
    [InlineData("system/Patient.read", HttpStatusCode.Forbidden)]
    [InlineData("system/PlanDefinition.write", HttpStatusCode.Forbidden)]
    public async Task Reading_needs_a_plan_definition_read_scope(string scope, HttpStatusCode expected)
    {
        using var client = factory.CreateApiClient(scope);
        using var response = await client.GetAsync(new Uri("/fhir/PlanDefinition/netcds-res", UriKind.Relative), Ct);

        response.StatusCode.Should().Be(expected);
    }

    [Fact]
    public async Task Without_a_token_it_is_401()
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync(new Uri("/fhir/PlanDefinition", UriKind.Relative), Ct);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_capability_statement_lists_plan_definition_and_guidance_response()
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/fhir/metadata");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+json"));
        using var response = await client.SendAsync(request, Ct);
        var statement = (CapabilityStatement)FhirInput.Parse(await response.Content.ReadAsStringAsync(Ct)).Resource!;

        var server = statement.Rest.Single(r => r.Mode == CapabilityStatement.RestfulCapabilityMode.Server);
        var plan = server.Resource.Single(r => r.Type == "PlanDefinition");
        plan.Interaction.Select(i => i.Code).Should().BeEquivalentTo([CapabilityStatement.TypeRestfulInteraction.Read, CapabilityStatement.TypeRestfulInteraction.SearchType]);
        plan.SupportedProfile.Should().Contain(NetCdsCanonicals.PlanDefinitionProfile);
        server.Resource.Single(r => r.Type == "GuidanceResponse").SupportedProfile.Should().Contain(NetCdsCanonicals.GuidanceResponseProfile);
    }
}

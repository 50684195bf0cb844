using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using NetCds.Service.Tests.CdsHooks.Support;
using NetCds.Service.Tests.Support;
using Task = System.Threading.Tasks.Task;

namespace NetCds.Service.Tests.Subscriptions;

/// <summary>
/// Being a subscriber: the Subscription created on the EHR has the IG's R4 profile shape (IG 1.1,
/// StructureDefinition backport-subscription), is checked and deleted there; and <c>GET /fhir/metadata</c> says what
/// the service accepts, to anyone.
/// </summary>
public sealed class SubscriptionAdminTests(SubscriptionFixture fixture) : IClassFixture<SubscriptionFixture>
{
    private const string Name = "ehr13";
    private const string Ig = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private HttpClient Admin()
    {
        var client = fixture.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AuthorizationServer.Token("system/*.read netcds.admin"));
        return client;
    }

    [Fact]
    public async Task The_created_subscription_has_the_backport_profile_shape_and_is_checked_and_deleted_on_the_EHR()
    {
        var created = new Subscription { Id = "sub-13", Status = Subscription.SubscriptionStatus.Requested, Criteria = SubscriptionFixture.Topic, Reason = "x", Channel = new() { Type = Subscription.SubscriptionChannelType.RestHook } };
        fixture.Ehr.On(r => r.Method == "POST" && r.Path == "Subscription" && r.Body.Contains($"/subscriptions/{Name}/", StringComparison.Ordinal), FakeReply.Ok(new FhirJsonSerializer().SerializeToString(created)) with { Status = 201 });
        created.Status = Subscription.SubscriptionStatus.Active;
        fixture.Ehr.On(r => r.Method == "GET" && r.Path == "Subscription/sub-13", FakeReply.Ok(new FhirJsonSerializer().SerializeToString(created)));
        fixture.Ehr.On(r => r.Method == "DELETE" && r.Path == "Subscription/sub-13", new FakeReply(204));
        using var admin = Admin();

        using var create = await admin.PostAsync(new Uri($"/admin/subscriptions/{Name}", UriKind.Relative), null, Token);

        create.StatusCode.Should().Be(HttpStatusCode.OK);
        var posted = fixture.Ehr.Requests.Single(r => r.Method == "POST" && r.Path == "Subscription" && r.Body.Contains($"/subscriptions/{Name}/", StringComparison.Ordinal));
        posted.Authorization.Should().Be($"Bearer {SubscriptionFixture.AccessToken}");
        var subscription = (Subscription)NetCds.Fhir.Input.FhirInput.Parse(posted.Body).Resource!;
        subscription.Meta!.Profile.Should().Equal(Ig + "backport-subscription");
        subscription.Status.Should().Be(Subscription.SubscriptionStatus.Requested);
        subscription.Reason.Should().NotBeNullOrEmpty();
        subscription.Criteria.Should().Be(SubscriptionFixture.Topic, "the R4 backport puts the topic canonical in criteria");
        subscription.CriteriaElement.Extension.Should().ContainSingle(e => e.Url == Ig + "backport-filter-criteria")
            .Which.Value.Should().BeOfType<FhirString>().Which.Value.Should().Be(SubscriptionFixture.Filter);
        subscription.Channel.Type.Should().Be(Subscription.SubscriptionChannelType.RestHook);
        subscription.Channel.Endpoint.Should().Be($"{AuthorizationServer.Audience}/subscriptions/{Name}/notifications");
        subscription.Channel.Payload.Should().Be("application/fhir+json");
        subscription.Channel.PayloadElement!.Extension.Should().ContainSingle(e => e.Url == Ig + "backport-payload-content")
            .Which.Value.Should().BeOfType<Code>().Which.Value.Should().Be("id-only");
        subscription.Channel.Header.Should().Equal($"{SubscriptionFixture.Header}: {fixture.NotificationToken}");
        subscription.Channel.Extension.Should().ContainSingle(e => e.Url == Ig + "backport-heartbeat-period")
            .Which.Value.Should().BeOfType<UnsignedInt>().Which.Value.Should().Be(300);

        using var check = await admin.GetAsync(new Uri($"/admin/subscriptions/{Name}", UriKind.Relative), Token);
        var report = JsonDocument.Parse(await check.Content.ReadAsStringAsync(Token)).RootElement;
        check.StatusCode.Should().Be(HttpStatusCode.OK);
        report.GetProperty("subscriptionUrl").GetString().Should().Be($"{fixture.Ehr.BaseUri}/Subscription/sub-13");
        report.GetProperty("serverStatus").GetString().Should().Be("active");
        report.GetRawText().Should().NotContain(fixture.NotificationToken, "the report holds no secret");

        using var delete = await admin.DeleteAsync(new Uri($"/admin/subscriptions/{Name}", UriKind.Relative), Token);
        delete.StatusCode.Should().Be(HttpStatusCode.OK);
        fixture.Ehr.Requests.Should().ContainSingle(r => r.Method == "DELETE" && r.Path == "Subscription/sub-13");
        (await fixture.StateAsync(Name))!.Status.Should().Be("off");
    }

    [Fact]
    public async Task The_cli_creates_checks_and_deletes_through_the_admin_api()
    {
        var created = new Subscription { Id = "sub-cli", Status = Subscription.SubscriptionStatus.Requested, Criteria = SubscriptionFixture.Topic, Reason = "x", Channel = new() { Type = Subscription.SubscriptionChannelType.RestHook } };
        fixture.Ehr.On(r => r.Method == "POST" && r.Path == "Subscription" && r.Body.Contains("/subscriptions/ehr0/", StringComparison.Ordinal), FakeReply.Ok(new FhirJsonSerializer().SerializeToString(created)) with { Status = 201 });
        fixture.Ehr.On(r => r.Method == "GET" && r.Path == "Subscription/sub-cli", FakeReply.Ok(new FhirJsonSerializer().SerializeToString(created)));
        fixture.Ehr.On(r => r.Method == "DELETE" && r.Path == "Subscription/sub-cli", new FakeReply(204));
        using var admin = Admin();

        var (code, output, _) = await CliAsync(admin, "create", "ehr0");
        code.Should().Be(0);
        output.Should().Contain("\"subscriptionUrl\"").And.Contain("Subscription/sub-cli");
        (code, output, _) = await CliAsync(admin, "check", "ehr0");
        code.Should().Be(0);
        output.Should().Contain("\"serverStatus\": \"requested\"");
        (code, _, _) = await CliAsync(admin, "delete", "ehr0");
        code.Should().Be(0);
        fixture.Ehr.Requests.Should().ContainSingle(r => r.Method == "DELETE" && r.Path == "Subscription/sub-cli");

        (code, _, var error) = await CliAsync(admin, "create", "nobody");
        code.Should().Be(1);
        error.Should().Contain("HTTP 404").And.Contain("No subscription named 'nobody'");
        (code, _, _) = await CliAsync(admin, "create");
        code.Should().Be(2, "create needs a name");
    }

    private static async Task<(int Code, string Output, string Error)> CliAsync(HttpClient http, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await NetCds.Cli.SubscriptionCommands.RunAsync(args, http, output, error, Token);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task The_admin_routes_need_the_admin_scope_and_name_a_configured_subscription()
    {
        using var anonymous = fixture.CreateClient();
        (await anonymous.GetAsync(new Uri("/admin/subscriptions", UriKind.Relative), Token)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        using var writer = fixture.CreateApiClient();
        (await writer.GetAsync(new Uri("/admin/subscriptions", UriKind.Relative), Token)).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        using var admin = Admin();
        using var list = await admin.GetAsync(new Uri("/admin/subscriptions", UriKind.Relative), Token);
        list.StatusCode.Should().Be(HttpStatusCode.OK);
        JsonDocument.Parse(await list.Content.ReadAsStringAsync(Token)).RootElement.GetArrayLength().Should().Be(SubscriptionFixture.Count);
        using var unknown = await admin.PostAsync(new Uri("/admin/subscriptions/nobody", UriKind.Relative), null, Token);
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await unknown.Content.ReadAsStringAsync(Token)).Should().Contain("OperationOutcome");
    }

    [Fact]
    public async Task Metadata_is_public_and_states_types_interactions_formats_security_and_subscriptions_support()
    {
        using var anonymous = fixture.CreateClient();

        using var response = await anonymous.GetAsync(new Uri("/fhir/metadata", UriKind.Relative), Token);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/fhir+json");
        var capability = (CapabilityStatement)NetCds.Fhir.Input.FhirInput.Parse(await response.Content.ReadAsStringAsync(Token)).Resource!;
        capability.FhirVersion.Should().Be(FHIRVersion.N4_0_1);
        capability.Kind.Should().Be(CapabilityStatementKind.Instance);
        capability.Format.Should().Contain("application/fhir+json");
        capability.ImplementationGuide.Should().Contain("http://hl7.org/fhir/uv/subscriptions-backport/ImplementationGuide/hl7.fhir.uv.subscriptions-backport");
        var server = capability.Rest.Single(r => r.Mode == CapabilityStatement.RestfulCapabilityMode.Server);
        server.Interaction.Select(i => i.Code).Should().BeEquivalentTo([CapabilityStatement.SystemRestfulInteraction.Transaction, CapabilityStatement.SystemRestfulInteraction.Batch]);
        var observation = server.Resource.Single(r => r.Type == "Observation");
        observation.Interaction.Select(i => i.Code).Should().BeEquivalentTo([CapabilityStatement.TypeRestfulInteraction.Create, CapabilityStatement.TypeRestfulInteraction.Update, CapabilityStatement.TypeRestfulInteraction.Delete]);
        server.Resource.Select(r => r.Type).Should().Contain(["Patient", "Condition", "Procedure", "MedicationStatement", "MedicationRequest"]);
        server.Security!.Service.SelectMany(s => s.Coding).Select(c => c.Code).Should().Contain("SMART-on-FHIR");
        server.Security!.Description.Should().Contain("system/[type].read").And.Contain("cruds");
        server.Documentation.Should().Contain("history").And.Contain("transaction");
        var client = capability.Rest.Single(r => r.Mode == CapabilityStatement.RestfulCapabilityMode.Client);
        client.Resource.Single(r => r.Type == "Subscription").SupportedProfile.Should().Contain(Ig + "backport-subscription");
    }
}

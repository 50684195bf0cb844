using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NetCds.Domain.Engine;
using NetCds.Domain.Policy;
using NetCds.Service.Ops;

namespace NetCds.Service.Tests;

public sealed class HostTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    [Fact]
    public async Task Liveness_answers_ok()
    {
        using var client = factory.CreateClient();

        var response = await client.GetAsync(new Uri("/health/live", UriKind.Relative), TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Version_names_the_rules_version()
    {
        using var client = factory.CreateClient();

        var info = await client.GetFromJsonAsync<VersionInfo>(new Uri("/version", UriKind.Relative), TestContext.Current.CancellationToken);

        info.Should().NotBeNull();
        info!.Service.Should().Be("NetCds");
        info.RulesVersion.Should().Be(EligibilityEngine.RulesVersion);
        info.Version.Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Policy_defaults_are_the_catalogue_defaults_when_nothing_is_configured()
    {
        var policy = factory.Services.GetRequiredService<EligibilityPolicy>();

        policy.Embolization.BilirubinContraindicatedAboveMgDl.Should().Be(3m);
        policy.Resection.ResectableFractionAtLeastPercent.Should().Be(90m);
        policy.Transplant.AgeBelow.Should().Be(55);
    }

    [Fact]
    public void Site_policy_thresholds_bind_from_configuration()
    {
        using var configured = factory.WithWebHostBuilder(b => b
            .UseSetting("Eligibility:Embolization:BilirubinContraindicatedAboveMgDl", "2.5")
            .UseSetting("Eligibility:Resection:ResectableFractionAtLeastPercent", "80")
            .UseSetting("Eligibility:Everolimus:Line", "AfterChemotherapy")
            .UseSetting("Eligibility:DiseaseCourse:Criteria", "Recist11")
            .UseSetting("Eligibility:Fitness:EcogPoorFrom", "4")
            .UseSetting("Eligibility:Transplant:AfterOtherTreatment", "false"));

        var policy = configured.Services.GetRequiredService<EligibilityPolicy>();

        policy.Embolization.BilirubinContraindicatedAboveMgDl.Should().Be(2.5m);
        policy.Resection.ResectableFractionAtLeastPercent.Should().Be(80m);
        policy.Everolimus.Line.Should().Be(EverolimusLinePolicy.AfterChemotherapy);
        policy.DiseaseCourse.Criteria.Should().Be(ResponseCriteria.Recist11);
        policy.Fitness.EcogPoorFrom.Should().Be(4);
        policy.Transplant.AfterOtherTreatment.Should().BeFalse();
        policy.SitePolicySettings().Should().Contain(new PolicySetting("Eligibility:Embolization:BilirubinContraindicatedAboveMgDl", "2.5"));
    }

    [Theory]
    [InlineData("Eligibility:Resection:ResectableFractionAtLeastPercent", "120", "Eligibility:Resection:ResectableFractionAtLeastPercent")]
    [InlineData("Eligibility:Ablation:SizeEligibleBelowCm", "9", "Eligibility:Ablation:SizeEligibleBelowCm")]
    [InlineData("Eligibility:Embolization:EcogContraindicatedFrom", "7", "Eligibility:Embolization:EcogContraindicatedFrom")]
    [InlineData("Eligibility:Fitness:EcogPoorFrom", "6", "Eligibility:Fitness:EcogPoorFrom")]
    [InlineData("Eligibility:Fitness:KarnofskyPoorAtMost", "140", "Eligibility:Fitness:KarnofskyPoorAtMost")]
    public void An_impossible_threshold_stops_the_host_and_names_the_key(string key, string value, string named)
    {
        using var configured = factory.WithWebHostBuilder(b => b.UseSetting(key, value));

        var start = () => configured.Services.GetRequiredService<IOptions<EligibilityPolicy>>().Value;

        start.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain(named);
    }
}

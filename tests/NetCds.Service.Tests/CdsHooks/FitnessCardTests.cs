using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Fhir;
using NetCds.Fhir.Input;
using NetCds.Service.Cards;
using NetCds.Service.Tests.CdsHooks.Support;

namespace NetCds.Service.Tests.CdsHooks;

/// <summary>
/// FIT-PS on the cards (issue 22): a missing performance status is listed for every therapy (the work-up card orders
/// it), but it is missing safety data only where a rule needs it (EMB-PS), so it alone does not raise the summary.
/// </summary>
public sealed class FitnessCardTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private static readonly DateTimeOffset SeedInstant = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private const string NecSeed = "05-pancreatic-nec-ki67-60";

    private static string WithoutPerformanceStatus(string bundle)
    {
        var root = JsonNode.Parse(bundle)!;
        var entries = root["entry"]!.AsArray();
        foreach (var entry in entries.Where(e => e!["resource"]!["code"]?.ToJsonString().Contains("89247-1", StringComparison.Ordinal) == true).ToList())
        {
            entries.Remove(entry);
        }

        return root.ToJsonString();
    }

    private Evaluation Evaluate(string bundle) =>
        factory.Services.GetRequiredService<FhirEvaluation>().Evaluate(FhirInput.Parse(bundle).Resource!, SeedInstant)!;

    private Card Summary(Evaluation evaluation) =>
        factory.Services.GetRequiredService<CardBuilder>().PatientView(evaluation, new CardLinks("https://netcds.example/cds-services", "https://netcds.example"))[0];

    [Fact]
    public void A_missing_performance_status_is_listed_but_raises_the_summary_only_where_a_rule_needs_it()
    {
        var seed = HookCalls.Seed(NecSeed);
        var with = Evaluate(seed);
        var without = Evaluate(WithoutPerformanceStatus(seed));

        with.Report.Facts.Ecog.Should().NotBeNull("the seed records an ECOG");
        without.Report.Facts.Ecog.Should().BeNull();
        var mibg = without.Report[TherapyId.Mibg];
        mibg.Status.Should().Be(EligibilityStatus.InsufficientData, "no MIBG scan");
        mibg.Missing.Should().Contain(m => m.Fact == FactKind.Ecog && m.Rule == "FIT-PS");
        without.Report.Assessments.Select(a => a.Status).Should().Equal(with.Report.Assessments.Select(a => a.Status), "FIT-PS changes no status when performance status is missing");
        Summary(without).Indicator.Should().Be(Summary(with).Indicator);
    }
}

using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Rules;

/// <summary>MIBG-IND: I-131 MIBG therapy only with positive MIBG uptake, and then consider.</summary>
public sealed class MibgTests
{
    private static Patient Candidate() => Patient.UnresectableCandidate().Without(FactKind.MibgUptake);

    [Fact]
    public void MIBG_IND_positive_uptake_scan_is_consider()
    {
        Candidate().Mibg(true).Assess(TherapyId.Mibg)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("MIBG-IND", FindingEffect.Consider);
    }

    [Fact]
    public void MIBG_IND_negative_uptake_scan_is_not_indicated()
    {
        Candidate().Mibg(false).Assess(TherapyId.Mibg)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("MIBG-IND", FindingEffect.NotIndicated);
    }

    [Fact]
    public void MIBG_IND_no_uptake_scan_asks_for_MIBG_scintigraphy()
    {
        var mibg = Candidate().Assess(TherapyId.Mibg)
            .ShouldBe(EligibilityStatus.InsufficientData)
            .ShouldHaveFired("MIBG-IND", FindingEffect.InsufficientData)
            .ShouldMiss(FactKind.MibgUptake);
        mibg.Missing.Single(m => m.Fact == FactKind.MibgUptake).Order.Should().Be(ClinicalOrder.MibgScintigraphy);
    }

    [Fact]
    public void MIBG_IND_newest_scan_wins()
    {
        Candidate().Mibg(false, Ago.Months(12)).Mibg(true, Ago.Months(2)).Assess(TherapyId.Mibg)
            .ShouldBe(EligibilityStatus.Consider)
            .ShouldHaveFired("MIBG-IND", FindingEffect.Consider);
    }

    [Fact]
    public void MIBG_IND_no_liver_metastases_on_imaging_is_not_indicated()
    {
        Candidate().Mibg(true).Without(FactKind.LiverMetastases).LesionCount(0).Assess(TherapyId.Mibg)
            .ShouldBe(EligibilityStatus.NotIndicated)
            .ShouldHaveFired("MIBG-IND", FindingEffect.NotIndicated);
    }
}

using NetCds.Domain.Derived;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Derived;

/// <summary>Catalogue "Resectability of the liver disease": RES-CUR threshold, RES-IDEAL pattern, likely-unresectable (site policy).</summary>
public sealed class ResectabilityTests
{
    private static Resectability ResectabilityOf(Patient patient, EligibilityPolicy? policy = null) =>
        DerivedFacts.From(patient.Build(), Ago.AsOf, policy ?? EligibilityPolicy.Default).Resectability;

    [Fact]
    public void A_surgical_assessment_of_90_percent_is_resectable()
    {
        var resectability = ResectabilityOf(Patient.New().ResectableFraction(90m));

        resectability.Kind.Should().Be(ResectabilityKind.Resectable);
        resectability.FromSurgicalAssessment.Should().BeTrue();
        resectability.Inputs.Should().ContainSingle(i => i.Fact == FactKind.ResectableFraction);
    }

    [Fact]
    public void A_surgical_assessment_of_89_9_percent_is_unresectable()
    {
        var resectability = ResectabilityOf(Patient.New().ResectableFraction(89.9m));

        resectability.Kind.Should().Be(ResectabilityKind.Unresectable);
        resectability.Code.Should().Be("unresectable");
    }

    [Fact]
    public void The_resectable_fraction_threshold_is_configurable()
    {
        var policy = new EligibilityPolicy { Resection = new ResectionPolicy { ResectableFractionAtLeastPercent = 80m } };

        ResectabilityOf(Patient.New().ResectableFraction(85m), policy).Kind.Should().Be(ResectabilityKind.Resectable);
        ResectabilityOf(Patient.New().ResectableFraction(79.9m), policy).Kind.Should().Be(ResectabilityKind.Unresectable);
    }

    [Fact]
    public void The_newest_surgical_assessment_decides()
    {
        var resectability = ResectabilityOf(Patient.New().ResectableFraction(100m, Ago.Months(8)).ResectableFraction(60m, Ago.Months(1)));

        resectability.Kind.Should().Be(ResectabilityKind.Unresectable);
    }

    [Fact]
    public void A_surgical_assessment_outranks_imaging_that_fits_the_ideal_pattern()
    {
        var resectability = ResectabilityOf(Patient.New().Lesions(2, 2m, LesionDistribution.Unilobar).ResectableFraction(50m));

        resectability.Kind.Should().Be(ResectabilityKind.Unresectable);
        resectability.FitsIdeal.Should().BeTrue();
    }

    [Fact]
    public void Without_an_assessment_unilobar_disease_is_resectable()
    {
        var resectability = ResectabilityOf(Patient.New().Lesions(8, 6m, LesionDistribution.Unilobar));

        resectability.Kind.Should().Be(ResectabilityKind.Resectable);
        resectability.FromSurgicalAssessment.Should().BeFalse();
        resectability.FitsIdeal.Should().BeTrue();
    }

    [Fact]
    public void Without_an_assessment_four_bilobar_lesions_under_3_cm_are_resectable()
    {
        var resectability = ResectabilityOf(Patient.New().Lesions(4, 2.9m, LesionDistribution.Bilobar));

        resectability.Kind.Should().Be(ResectabilityKind.Resectable);
    }

    [Fact]
    public void Without_an_assessment_four_oligonodular_lesions_under_5_cm_are_resectable()
    {
        ResectabilityOf(Patient.New().Lesions(4, 4.9m, LesionDistribution.Bilobar)).Kind.Should().Be(ResectabilityKind.Resectable);
    }

    [Theory]
    [InlineData(5, 2)]
    [InlineData(4, 5)]
    public void Without_an_assessment_bilobar_disease_outside_the_ideal_pattern_is_unknown(int lesions, int largestCm)
    {
        var resectability = ResectabilityOf(Patient.New().Lesions(lesions, largestCm, LesionDistribution.Bilobar).Burden(20m));

        resectability.Kind.Should().Be(ResectabilityKind.Unknown);
        resectability.FitsIdeal.Should().BeFalse();
    }

    [Fact]
    public void Bilobar_disease_with_11_lesions_is_likely_unresectable()
    {
        var resectability = ResectabilityOf(Patient.New().Lesions(11, 2m, LesionDistribution.Bilobar));

        resectability.Kind.Should().Be(ResectabilityKind.LikelyUnresectable);
        resectability.Code.Should().Be("likely-unresectable");
    }

    [Fact]
    public void Bilobar_disease_with_10_lesions_and_50_percent_burden_is_unknown()
    {
        ResectabilityOf(Patient.New().Lesions(10, 2m, LesionDistribution.Bilobar).Burden(50m)).Kind.Should().Be(ResectabilityKind.Unknown);
    }

    [Fact]
    public void Bilobar_disease_with_50_1_percent_burden_is_likely_unresectable()
    {
        ResectabilityOf(Patient.New().Lesions(10, 2m, LesionDistribution.Bilobar).Burden(50.1m)).Kind.Should().Be(ResectabilityKind.LikelyUnresectable);
    }

    [Fact]
    public void Many_lesions_without_a_known_distribution_are_unknown_not_likely_unresectable()
    {
        ResectabilityOf(Patient.New().Lesions(20, 2m).Burden(60m)).Kind.Should().Be(ResectabilityKind.Unknown);
    }

    [Fact]
    public void Nothing_known_is_unknown()
    {
        var resectability = ResectabilityOf(Patient.New());

        resectability.Kind.Should().Be(ResectabilityKind.Unknown);
        resectability.Code.Should().Be("unknown");
        resectability.FitsIdeal.Should().BeNull();
    }
}

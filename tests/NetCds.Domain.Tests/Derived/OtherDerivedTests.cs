using NetCds.Domain.Derived;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Derived;

/// <summary>Catalogue "Derived facts": portal-venous primary, functioning tumour, age, performance status, liver metastases, portal vein.</summary>
public sealed class OtherDerivedTests
{
    private static DerivedFacts DerivedOf(Patient patient) => DerivedFacts.From(patient.Build(), Ago.AsOf, EligibilityPolicy.Default);

    private static readonly (PrimarySite Site, bool? PortalVenous)[] PortalVenousRows =
    [
        (PrimarySite.Pancreas, true),
        (PrimarySite.Stomach, true),
        (PrimarySite.Duodenum, true),
        (PrimarySite.SmallIntestine, true),
        (PrimarySite.Appendix, true),
        (PrimarySite.Colon, true),
        (PrimarySite.Lung, false),
        (PrimarySite.OtherExtraAbdominal, false),
        (PrimarySite.Rectum, null),
        (PrimarySite.UnknownPrimary, null),
    ];

    public static TheoryData<PrimarySite, bool?> PortalVenousTable => new(PortalVenousRows);

    [Theory]
    [MemberData(nameof(PortalVenousTable))]
    public void Portal_venous_drainage_follows_002_table_2(PrimarySite site, bool? portalVenous)
    {
        DerivedOf(Patient.New().Primary(site)).PortalVenousPrimary.Should().Be(portalVenous);
    }

    [Fact]
    public void Every_primary_site_has_a_row_in_the_portal_venous_table()
    {
        PortalVenousRows.Select(row => row.Site).Should().BeEquivalentTo(Enum.GetValues<PrimarySite>());
    }

    [Fact]
    public void Portal_venous_drainage_is_unknown_when_no_primary_is_recorded()
    {
        var derived = DerivedOf(Patient.New());

        derived.PrimarySite.Should().BeNull();
        derived.PortalVenousPrimary.Should().BeNull();
    }

    [Fact]
    public void The_newest_primary_site_is_used()
    {
        DerivedOf(Patient.New().Primary(PrimarySite.UnknownPrimary, Ago.Months(6)).Primary(PrimarySite.SmallIntestine, Ago.Months(1)))
            .PortalVenousPrimary.Should().BeTrue();
    }

    [Theory]
    [InlineData(ConditionKind.CarcinoidSyndrome)]
    [InlineData(ConditionKind.CarcinoidHeartDisease)]
    [InlineData(ConditionKind.Insulinoma)]
    [InlineData(ConditionKind.ZollingerEllison)]
    [InlineData(ConditionKind.Vipoma)]
    [InlineData(ConditionKind.Glucagonoma)]
    [InlineData(ConditionKind.OtherHormonalSyndrome)]
    public void A_hormonal_syndrome_makes_the_tumour_functioning(ConditionKind syndrome)
    {
        var derived = DerivedOf(Patient.New().Condition(syndrome));

        derived.IsFunctioning.Should().BeTrue();
        derived.Syndromes.Should().ContainSingle(s => s.Value == syndrome);
    }

    [Theory]
    [InlineData(ConditionKind.Men1)]
    [InlineData(ConditionKind.LiverMetastases)]
    [InlineData(ConditionKind.Cirrhosis)]
    [InlineData(ConditionKind.AtrophicGastritis)]
    public void Other_conditions_do_not_make_the_tumour_functioning(ConditionKind condition)
    {
        DerivedOf(Patient.New().Condition(condition)).IsFunctioning.Should().BeFalse();
    }

    [Fact]
    public void No_syndrome_recorded_is_non_functioning()
    {
        DerivedOf(Patient.New()).IsFunctioning.Should().BeFalse();
    }

    [Fact]
    public void Age_is_counted_in_whole_years_on_the_birthday()
    {
        DerivedOf(Patient.New().BornYearsAgo(50)).Age!.Value.Should().Be(50);
    }

    [Fact]
    public void Age_does_not_turn_over_until_the_birthday()
    {
        // Born one day later: the 50th birthday is tomorrow.
        DerivedOf(Patient.New().BornYearsAgo(50, extraDays: -1)).Age!.Value.Should().Be(49);
    }

    [Fact]
    public void Age_is_unknown_without_a_birth_date()
    {
        DerivedOf(Patient.New()).Age.Should().BeNull();
    }

    [Theory]
    [InlineData(100, 0)]
    [InlineData(90, 0)]
    [InlineData(80, 1)]
    [InlineData(70, 1)]
    [InlineData(60, 2)]
    [InlineData(50, 2)]
    [InlineData(40, 3)]
    [InlineData(30, 3)]
    [InlineData(20, 4)]
    [InlineData(10, 4)]
    [InlineData(0, 5)]
    public void Karnofsky_newer_than_ecog_is_converted_to_ecog(int karnofsky, int ecog)
    {
        var derived = DerivedOf(Patient.New().Ecog(0, Ago.Months(3)).Karnofsky(karnofsky, Ago.Months(1)));

        derived.Ecog!.Value.Should().Be(ecog);
        derived.Ecog.Effective.Should().Be(Ago.Months(1));
    }

    [Fact]
    public void Ecog_newer_than_karnofsky_is_used_as_recorded()
    {
        DerivedOf(Patient.New().Karnofsky(40, Ago.Months(3)).Ecog(1, Ago.Months(1))).Ecog!.Value.Should().Be(1);
    }

    [Fact]
    public void Karnofsky_alone_gives_an_ecog()
    {
        DerivedOf(Patient.New().Karnofsky(60)).Ecog!.Value.Should().Be(2);
    }

    [Fact]
    public void No_performance_status_is_unknown()
    {
        DerivedOf(Patient.New()).Ecog.Should().BeNull();
    }

    [Fact]
    public void A_liver_metastases_diagnosis_means_liver_metastases()
    {
        var derived = DerivedOf(Patient.New().Condition(ConditionKind.LiverMetastases));

        derived.LiverMetastases.Should().BeTrue();
        derived.LiverMetastasesInputs.Should().ContainSingle(i => i.Fact == FactKind.LiverMetastases);
    }

    [Fact]
    public void Lesions_on_imaging_mean_liver_metastases()
    {
        DerivedOf(Patient.New().LesionCount(3)).LiverMetastases.Should().BeTrue();
    }

    [Fact]
    public void Imaging_with_no_lesion_and_no_diagnosis_means_no_liver_metastases()
    {
        var derived = DerivedOf(Patient.New().LesionCount(0));

        derived.LiverMetastases.Should().BeFalse();
        derived.LiverMetastasesInputs.Should().ContainSingle(i => i.Fact == FactKind.LesionCount);
    }

    [Fact]
    public void A_diagnosis_outweighs_imaging_with_no_lesion()
    {
        DerivedOf(Patient.New().LesionCount(0).Condition(ConditionKind.LiverMetastases)).LiverMetastases.Should().BeTrue();
    }

    [Fact]
    public void Nothing_known_about_the_liver_is_unknown_not_false()
    {
        var derived = DerivedOf(Patient.New());

        derived.LiverMetastases.Should().BeNull();
        derived.LiverMetastasesInputs.Should().BeEmpty();
    }

    [Fact]
    public void A_portal_vein_thrombosis_diagnosis_without_imaging_has_unknown_extent()
    {
        DerivedOf(Patient.New().Condition(ConditionKind.PortalVeinThrombosis)).Imaging.PortalVein!.Value
            .Should().Be(PortalVeinStatus.ThrombosisExtentUnknown);
    }

    [Fact]
    public void A_thrombosis_diagnosis_newer_than_patent_imaging_has_unknown_extent()
    {
        var derived = DerivedOf(Patient.New()
            .PortalVein(PortalVeinStatus.Patent, Ago.Months(4))
            .Condition(ConditionKind.PortalVeinThrombosis, Ago.Months(1)));

        derived.Imaging.PortalVein!.Value.Should().Be(PortalVeinStatus.ThrombosisExtentUnknown);
        derived.Imaging.PortalVein.Effective.Should().Be(Ago.Months(1));
    }

    [Theory]
    [InlineData(PortalVeinStatus.Patent)]
    [InlineData(PortalVeinStatus.PartialThrombosis)]
    [InlineData(PortalVeinStatus.CompleteThrombosis)]
    public void Imaging_newer_than_a_thrombosis_diagnosis_wins(PortalVeinStatus imaged)
    {
        DerivedOf(Patient.New()
            .Condition(ConditionKind.PortalVeinThrombosis, Ago.Months(4))
            .PortalVein(imaged, Ago.Months(1))).Imaging.PortalVein!.Value.Should().Be(imaged);
    }

    [Fact]
    public void Imaging_that_shows_the_thrombosis_keeps_its_extent_even_when_the_diagnosis_is_newer()
    {
        DerivedOf(Patient.New()
            .PortalVein(PortalVeinStatus.PartialThrombosis, Ago.Months(4))
            .Condition(ConditionKind.PortalVeinThrombosis, Ago.Months(1))).Imaging.PortalVein!.Value.Should().Be(PortalVeinStatus.PartialThrombosis);
    }

    [Fact]
    public void Portal_vein_is_unknown_when_nothing_is_recorded()
    {
        DerivedOf(Patient.New()).Imaging.PortalVein.Should().BeNull();
    }

    [Fact]
    public void The_newest_value_of_a_repeated_observation_wins()
    {
        var derived = DerivedOf(Patient.New().Bilirubin(3.5m, Ago.Months(6)).Bilirubin(0.9m, Ago.Months(1)).Bilirubin(2.0m, Ago.Months(3)));

        derived.Bilirubin!.Value.Exact.Should().Be(0.9m);
    }
}

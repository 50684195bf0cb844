using NetCds.Domain.Facts;
using NetCds.Fhir.Mapping;
using static NetCds.Fhir.Tests.Support.FhirBuilder;

namespace NetCds.Fhir.Tests;

/// <summary>Exact conversions into canonical units; nothing guessed, chromogranin A never converted across families.</summary>
public sealed class UnitConversionTests
{
    private static Fact<Interval> Single(Func<PatientFacts, IReadOnlyList<Fact<Interval>>> select, string code, decimal value, string unit)
    {
        var mapping = Map(Obs("o1", Loinc, code, Qty(value, unit)));
        mapping.Problems.Should().BeEmpty();
        return select(mapping.Facts).Should().ContainSingle().Subject;
    }

    [Theory]
    [InlineData(17.1, 1)]
    [InlineData(34.2, 2)]
    [InlineData(8.55, 0.5)]
    public void Bilirubin_umol_per_L_to_mg_per_dL_at_17_1(double umol, double mgDl)
    {
        var fact = Single(f => f.Bilirubin, "14631-6", (decimal)umol, "umol/L");

        fact.Value.Exact.Should().Be((decimal)mgDl);
        fact.Unit.Should().Be("mg/dL");
    }

    [Fact]
    public void Bilirubin_written_with_a_micro_sign()
    {
        Single(f => f.Bilirubin, "14631-6", 34.2m, "µmol/L").Value.Exact.Should().Be(2m);
    }

    [Fact]
    public void Bilirubin_in_mmol_per_L_goes_through_umol()
    {
        Single(f => f.Bilirubin, "14631-6", 0.0342m, "mmol/L").Value.Exact.Should().Be(2m);
    }

    [Fact]
    public void Bilirubin_in_mg_per_L_is_a_dimensional_conversion()
    {
        Single(f => f.Bilirubin, "1975-2", 12m, "mg/L").Value.Exact.Should().Be(1.2m);
    }

    [Theory]
    [InlineData(88.4, 1)]
    [InlineData(176.8, 2)]
    public void Creatinine_umol_per_L_to_mg_per_dL_at_88_4(double umol, double mgDl)
    {
        var fact = Single(f => f.Creatinine, "14682-9", (decimal)umol, "umol/L");

        fact.Value.Exact.Should().Be((decimal)mgDl);
        fact.Unit.Should().Be("mg/dL");
    }

    [Fact]
    public void Albumin_g_per_L_to_g_per_dL()
    {
        var fact = Single(f => f.Albumin, "61151-7", 35m, "g/L");

        fact.Value.Exact.Should().Be(3.5m);
        fact.Unit.Should().Be("g/dL");
    }

    [Fact]
    public void Haemoglobin_g_per_L_to_g_per_dL()
    {
        var fact = Single(f => f.Haemoglobin, "718-7", 130m, "g/L");

        fact.Value.Exact.Should().Be(13m);
        fact.Unit.Should().Be("g/dL");
    }

    [Theory]
    [InlineData("10*3/uL")]
    [InlineData("10*9/L")]
    [InlineData("/nL")]
    public void Platelets_per_uL_thousands_equal_10_9_per_L(string unit)
    {
        var fact = Single(f => f.Platelets, "777-3", 250m, unit);

        fact.Value.Exact.Should().Be(250m);
        fact.Unit.Should().Be("10*9/L");
    }

    [Fact]
    public void Neutrophils_per_uL_thousands_equal_10_9_per_L()
    {
        Single(f => f.Neutrophils, "751-8", 1.5m, "10*3/uL").Value.Exact.Should().Be(1.5m);
    }

    [Fact]
    public void Millimetres_to_centimetres()
    {
        var fact = Single(f => f.LargestLesion, "33728-7", 25m, "mm");

        fact.Value.Exact.Should().Be(2.5m);
        fact.Unit.Should().Be("cm");
    }

    [Fact]
    public void Chromogranin_A_in_U_per_L_stays_arbitrary_units()
    {
        var mapping = Map(Obs("cga", Loinc, "30169-7", Qty(85, "U/L")));

        mapping.Problems.Should().BeEmpty();
        var cga = mapping.Facts.ChromograninA.Should().ContainSingle().Subject;
        cga.Value.Exact.Should().Be(85m);
        cga.Unit.Should().Be(ChromograninUnit.ArbitraryUnits);
    }

    [Theory]
    [InlineData("U/L")]
    [InlineData("kU/L")]
    [InlineData("nmol/L")]
    public void Chromogranin_A_mass_code_in_another_family_is_an_unknown_unit_not_a_conversion(string unit)
    {
        var mapping = Map(Obs("cga", Loinc, "9811-1", Qty(85, unit)));

        mapping.Facts.ChromograninA.Should().BeEmpty();
        mapping.Problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            Resource = "Observation/cga",
            Element = "Observation.value.unit",
            Kind = DataProblemKind.UnknownUnit,
        });
    }

    [Theory]
    [InlineData("ng/mL")]
    [InlineData("ug/L")]
    public void Chromogranin_A_units_code_in_mass_units_is_an_unknown_unit(string unit)
    {
        var mapping = Map(Obs("cga", Loinc, "30169-7", Qty(85, unit)));

        mapping.Facts.ChromograninA.Should().BeEmpty();
        mapping.Problems.Should().ContainSingle().Which.Kind.Should().Be(DataProblemKind.UnknownUnit);
    }

    [Fact]
    public void Chromogranin_A_ULN_in_another_unit_family_is_not_used_and_reported()
    {
        var cga = Obs("cga", Loinc, "9811-1", Qty(340, "ng/mL"));
        cga.ReferenceRange.Add(new Hl7.Fhir.Model.Observation.ReferenceRangeComponent { High = Qty(18, "U/L") });

        var mapping = Map(cga);

        mapping.Facts.ChromograninA.Should().ContainSingle().Which.UpperReferenceLimit.Should().BeNull();
        mapping.Problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            Resource = "Observation/cga",
            Element = "Observation.referenceRange.high.unit",
            Kind = DataProblemKind.UnknownUnit,
        });
    }

    [Theory]
    [InlineData("1975-2", "furlongs")]
    [InlineData("1975-2", "mg")]
    [InlineData("2160-0", "furlongs")]
    [InlineData("1751-7", "mmol/L")]
    [InlineData("718-7", "furlongs")]
    [InlineData("777-3", "furlongs")]
    [InlineData("33728-7", "furlongs")]
    [InlineData("33728-7", "g")]
    [InlineData("14573-0", "furlongs")]
    [InlineData("2164-2", "furlongs")]
    [InlineData("29593-1", "furlongs")]
    [InlineData("6301-6", "furlongs")]
    public void An_unknown_unit_is_a_data_problem_and_the_value_is_not_used(string code, string unit)
    {
        var mapping = Map(Obs("o1", Loinc, code, Qty(2, unit)));

        mapping.Facts.Should().BeEquivalentTo(PatientFacts.Empty with { Patient = PatientRef }, "no fact may be read from a value in an unknown unit");
        var problem = mapping.Problems.Should().ContainSingle().Subject;
        problem.Kind.Should().Be(DataProblemKind.UnknownUnit);
        problem.Resource.Should().Be("Observation/o1");
        problem.Element.Should().EndWith(".unit").And.Be("Observation.value.unit");
        problem.Message.Should().Contain($"'{unit}'");
    }

    [Fact]
    public void A_quantity_without_unit_is_an_unknown_unit_where_a_unit_is_needed()
    {
        var mapping = Map(Obs("o1", Loinc, "1975-2", new Hl7.Fhir.Model.Quantity { Value = 1.2m }));

        mapping.Facts.Bilirubin.Should().BeEmpty();
        mapping.Problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Element = "Observation.value.unit", Kind = DataProblemKind.UnknownUnit });
    }

    [Fact]
    public void Mitotic_count_in_an_unknown_unit_is_reported()
    {
        var mapping = Map(Obs("mit", Findings, "mitotic-count", Qty(4, "/mm2")));

        mapping.Facts.MitoticCount.Should().BeEmpty();
        mapping.Problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Resource = "Observation/mit", Element = "Observation.value.unit", Kind = DataProblemKind.UnknownUnit });
    }

    [Fact]
    public void An_unknown_unit_inside_the_panel_names_the_component()
    {
        var panel = Obs("panel", Findings, "liver-imaging-panel", null);
        panel.Component.Add(Component(Loinc, "33728-7", Qty(4, "cm")));
        panel.Component.Add(Component(Findings, "liver-lesion-diameter-sum", Qty(4, "furlongs")));

        var mapping = Map(panel);

        mapping.Facts.LargestLesion.Should().ContainSingle().Which.Value.Exact.Should().Be(4m);
        mapping.Facts.LesionDiameterSum.Should().BeEmpty();
        mapping.Problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Resource = "Observation/panel", Element = "Observation.component[1].value.unit", Kind = DataProblemKind.UnknownUnit });
    }
}

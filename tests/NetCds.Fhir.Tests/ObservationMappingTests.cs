using Hl7.Fhir.Model;
using NetCds.Domain.Facts;
using NetCds.Fhir.Mapping;
using static NetCds.Fhir.Tests.Support.FhirBuilder;

namespace NetCds.Fhir.Tests;

/// <summary>One Observation per fact kind through <see cref="FactMapper"/>: value, unit, date and source.</summary>
public sealed class ObservationMappingTests
{
    private static PatientFacts Facts(params Resource[] resources)
    {
        var mapping = Map(resources);
        mapping.Problems.Should().BeEmpty();
        return mapping.Facts;
    }

    [Fact]
    public void Ki67_carries_value_date_source_and_specimen()
    {
        var ki67 = Obs("ki67", Loinc, "29593-1", Qty(12, "%"));
        ki67.Specimen = new ResourceReference("Specimen/s1");

        Facts(ki67).Ki67.Should().Equal(new PathologyValue(12m, Oct1, "Observation/ki67", "Specimen/s1"));
    }

    [Fact]
    public void Ki67_without_specimen_has_none()
    {
        Facts(Obs("ki67", Loinc, "29593-1", Qty(2.5m, "%"))).Ki67.Should().Equal(new PathologyValue(2.5m, Oct1, "Observation/ki67"));
    }

    [Theory]
    [InlineData("/10.HPF")]
    [InlineData("/2.mm2")]
    public void Mitotic_count_per_10_HPF_or_per_2_mm2(string unit)
    {
        var mitoses = Obs("mit", Findings, "mitotic-count", Qty(4, unit));
        mitoses.Specimen = new ResourceReference("Specimen/s1");

        Facts(mitoses).MitoticCount.Should().Equal(new PathologyValue(4m, Oct1, "Observation/mit", "Specimen/s1"));
    }

    [Theory]
    [InlineData("well-differentiated", Differentiation.Well)]
    [InlineData("poorly-differentiated", Differentiation.Poorly)]
    public void Differentiation_from_its_coded_value(string code, Differentiation expected)
    {
        Facts(Obs("diff", Findings, "tumor-differentiation", Concept(Findings, code)))
            .Differentiation.Should().Equal(new Fact<Differentiation>(expected, Oct1, "Observation/diff"));
    }

    [Theory]
    [InlineData("9811-1", "ng/mL", 340, 100, ChromograninUnit.MassConcentration)]
    [InlineData("9811-1", "ug/L", 340, 100, ChromograninUnit.MassConcentration)]
    [InlineData("25587-7", "nmol/L", 4.5, 3, ChromograninUnit.SubstanceConcentration)]
    [InlineData("30169-7", "U/L", 85, 18, ChromograninUnit.ArbitraryUnits)]
    public void Chromogranin_A_keeps_its_unit_family_with_ULN_and_assay(string code, string unit, double value, double high, ChromograninUnit family)
    {
        var cga = Obs("cga", Loinc, code, Qty((decimal)value, unit));
        cga.ReferenceRange.Add(new Observation.ReferenceRangeComponent { High = Qty((decimal)high, unit) });
        cga.Method = new CodeableConcept { Text = "Thermo Fisher KRYPTOR" };

        Facts(cga).ChromograninA.Should().Equal(new ChromograninMeasurement((decimal)value, family, (decimal)high, Oct1, "Observation/cga", "Thermo Fisher KRYPTOR"));
    }

    [Fact]
    public void Chromogranin_A_without_reference_range_or_method_has_neither()
    {
        Facts(Obs("cga", Loinc, "9811-1", Qty(340, "ng/mL")))
            .ChromograninA.Should().Equal(new ChromograninMeasurement(340m, ChromograninUnit.MassConcentration, null, Oct1, "Observation/cga"));
    }

    [Fact]
    public void Chromogranin_A_assay_from_a_coded_method()
    {
        var cga = Obs("cga", Loinc, "9811-1", Qty(340, "ng/mL"));
        cga.Method = Concept("http://hospital.example/assays", "CGA-ELISA");

        Facts(cga).ChromograninA.Should().ContainSingle().Which.Assay.Should().Be("CGA-ELISA");
    }

    [Fact]
    public void Urinary_5_HIAA_in_umol_per_24_h()
    {
        Facts(Obs("hiaa", Loinc, "14573-0", Qty(52, "umol/(24.h)")))
            .Urinary5Hiaa.Should().Equal(new Fact<Interval>(52m, Oct1, "Observation/hiaa", "umol/24h"));
    }

    [Theory]
    [InlineData("umol/24h")]
    [InlineData("µmol/24h")]
    [InlineData("umol/d")]
    public void Urinary_5_HIAA_in_umol_per_day_as_written_in_the_wild(string unit)
    {
        Facts(Obs("hiaa", Loinc, "31203-3", Qty(52, unit)))
            .Urinary5Hiaa.Should().Equal(new Fact<Interval>(52m, Oct1, "Observation/hiaa", "umol/24h"));
    }

    [Fact]
    public void Urinary_5_HIAA_in_mg_per_24_h_is_converted_with_its_molar_mass()
    {
        // 10 mg / 191.18 g/mol = 52.3 µmol.
        Facts(Obs("hiaa", Loinc, "1695-6", Qty(10, "mg/(24.h)")))
            .Urinary5Hiaa.Should().Equal(new Fact<Interval>(52.3m, Oct1, "Observation/hiaa", "umol/24h"));
    }

    [Fact]
    public void Urinary_5_HIAA_in_mg_per_24h_as_written_in_the_wild()
    {
        Facts(Obs("hiaa", Loinc, "1695-6", Qty(10, "mg/24h")))
            .Urinary5Hiaa.Should().Equal(new Fact<Interval>(52.3m, Oct1, "Observation/hiaa", "umol/24h"));
    }

    [Fact]
    public void Bilirubin_in_mg_per_dL()
    {
        Facts(Obs("bili", Loinc, "1975-2", Qty(1.2m, "mg/dL")))
            .Bilirubin.Should().Equal(new Fact<Interval>(1.2m, Oct1, "Observation/bili", "mg/dL"));
    }

    [Fact]
    public void Albumin_in_g_per_dL()
    {
        Facts(Obs("alb", Loinc, "1751-7", Qty(3.8m, "g/dL")))
            .Albumin.Should().Equal(new Fact<Interval>(3.8m, Oct1, "Observation/alb", "g/dL"));
    }

    [Theory]
    [InlineData("6301-6", "{INR}")]
    [InlineData("34714-6", "1")]
    [InlineData("6301-6", null)]
    public void Inr_is_a_ratio_without_unit(string code, string? unit)
    {
        var value = unit is null ? new Quantity { Value = 1.1m } : Qty(1.1m, unit);

        Facts(Obs("inr", Loinc, code, value)).Inr.Should().Equal(new Fact<Interval>(1.1m, Oct1, "Observation/inr"));
    }

    [Fact]
    public void Creatinine_in_mg_per_dL()
    {
        Facts(Obs("crea", Loinc, "2160-0", Qty(0.9m, "mg/dL")))
            .Creatinine.Should().Equal(new Fact<Interval>(0.9m, Oct1, "Observation/crea", "mg/dL"));
    }

    [Theory]
    [InlineData("2164-2", "mL/min")]
    [InlineData("35591-7", "mL/min")]
    [InlineData("98979-8", "mL/min/{1.73_m2}")]
    [InlineData("33914-3", "mL/min/{1.73_m2}")]
    public void Creatinine_clearance_or_eGFR_in_mL_per_min(string code, string unit)
    {
        Facts(Obs("gfr", Loinc, code, Qty(85, unit)))
            .CreatinineClearance.Should().Equal(new Fact<Interval>(85m, Oct1, "Observation/gfr", "mL/min"));
    }

    [Fact]
    public void Platelets_in_10_9_per_L()
    {
        Facts(Obs("plt", Loinc, "777-3", Qty(250, "10*9/L")))
            .Platelets.Should().Equal(new Fact<Interval>(250m, Oct1, "Observation/plt", "10*9/L"));
    }

    [Fact]
    public void Neutrophils_in_10_9_per_L()
    {
        Facts(Obs("neut", Loinc, "751-8", Qty(3.2m, "10*9/L")))
            .Neutrophils.Should().Equal(new Fact<Interval>(3.2m, Oct1, "Observation/neut", "10*9/L"));
    }

    [Fact]
    public void Haemoglobin_in_g_per_dL()
    {
        Facts(Obs("hb", Loinc, "718-7", Qty(13.5m, "g/dL")))
            .Haemoglobin.Should().Equal(new Fact<Interval>(13.5m, Oct1, "Observation/hb", "g/dL"));
    }

    [Fact]
    public void White_cell_count_in_10_9_per_L()
    {
        Facts(Obs("wbc", Loinc, "6690-2", Qty(6.1m, "10*3/uL")))
            .WhiteCellCount.Should().Equal(new Fact<Interval>(6.1m, Oct1, "Observation/wbc", "10*9/L"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    public void Ecog_is_a_whole_number_from_0_to_5(int ecog)
    {
        Facts(Obs("ecog", Loinc, "89247-1", new Integer(ecog)))
            .Ecog.Should().Equal(new Fact<int>(ecog, Oct1, "Observation/ecog"));
    }

    [Fact]
    public void Karnofsky_is_a_whole_number()
    {
        Facts(Obs("kps", Loinc, "89243-0", new Integer(80)))
            .Karnofsky.Should().Equal(new Fact<int>(80, Oct1, "Observation/kps"));
    }

    [Theory]
    [InlineData("268910001", DiseaseStatus.Improved)]
    [InlineData("359746009", DiseaseStatus.Stable)]
    [InlineData("271299001", DiseaseStatus.Worsened)]
    [InlineData("709137006", DiseaseStatus.Undetermined)]
    public void Disease_status_from_its_SNOMED_code(string code, DiseaseStatus expected)
    {
        Facts(Obs("status", Loinc, "97509-4", Concept(Snomed, code)))
            .DiseaseStatus.Should().Equal(new Fact<DiseaseStatus>(expected, Oct1, "Observation/status"));
    }

    [Fact]
    public void Serotonin_is_recognised_but_read_into_no_fact_and_no_problem()
    {
        var mapping = Map(Obs("ser", Loinc, "27057-9", Qty(300, "ng/mL")));

        mapping.Problems.Should().BeEmpty();
        mapping.Facts.Should().BeEquivalentTo(PatientFacts.Empty with { Patient = PatientRef });
    }

    // Liver imaging: every component, inside a panel and as its own Observation.

    public static TheoryData<string> ComponentCodes => [.. ImagingComponents.Keys];

    private static readonly Dictionary<string, (string System, DataType Value, Func<PatientFacts, IEnumerable<Read>> Read, object Expected, string? Unit)> ImagingComponents = new()
    {
        ["liver-lesion-count"] = (Findings, new Integer(7), f => Of(f.LesionCount), (Interval)7m, null),
        ["33728-7"] = (Loinc, Qty(42, "mm"), f => Of(f.LargestLesion), (Interval)4.2m, "cm"),
        ["liver-lesion-diameter-sum"] = (Findings, Qty(15, "cm"), f => Of(f.LesionDiameterSum), (Interval)15m, "cm"),
        ["liver-tumor-burden"] = (Findings, Qty(30, "%"), f => Of(f.TumourBurden), (Interval)30m, "%"),
        ["liver-lesion-distribution"] = (Findings, Concept(Findings, "bilobar"), f => Of(f.LesionDistribution), LesionDistribution.Bilobar, null),
        ["portal-vein-status"] = (Findings, Concept(Findings, "partial-thrombosis"), f => Of(f.PortalVein), PortalVeinStatus.PartialThrombosis, null),
        ["extrahepatic-disease"] = (Findings, Concept(Findings, "limited-stable"), f => Of(f.ExtrahepaticDisease), ExtrahepaticDisease.LimitedStable, null),
        ["bone-metastases"] = (Findings, new FhirBoolean(true), f => Of(f.BoneMetastases), true, null),
        ["lesion-near-major-vessel"] = (Findings, new FhirBoolean(true), f => Of(f.LesionNearMajorVessel), true, null),
        ["lesion-near-vital-structure"] = (Findings, new FhirBoolean(false), f => Of(f.LesionNearVitalStructure), false, null),
        ["lesion-at-hilum"] = (Findings, new FhirBoolean(true), f => Of(f.LesionAtHilum), true, null),
    };

    public sealed record Read(object? Value, string? Unit, DateTimeOffset Effective, string Source);

    private static IEnumerable<Read> Of<T>(IEnumerable<Fact<T>> facts) => facts.Select(f => new Read(f.Value, f.Unit, f.Effective, f.Source));

    [Theory]
    [MemberData(nameof(ComponentCodes))]
    public void Imaging_component_inside_the_panel(string code)
    {
        var (system, value, read, expected, unit) = ImagingComponents[code];
        var panel = Obs("panel", Findings, "liver-imaging-panel", null);
        panel.Component.Add(Component(system, code, (DataType)value.DeepCopy()));

        read(Facts(panel)).Should().Equal(new Read(expected, unit, Oct1, "Observation/panel"));
    }

    [Theory]
    [MemberData(nameof(ComponentCodes))]
    public void Imaging_component_as_its_own_observation(string code)
    {
        var (system, value, read, expected, unit) = ImagingComponents[code];

        read(Facts(Obs("single", system, code, (DataType)value.DeepCopy()))).Should().Equal(new Read(expected, unit, Oct1, "Observation/single"));
    }

    [Fact]
    public void A_full_panel_gives_every_imaging_fact_from_the_panel()
    {
        var panel = Obs("panel", Findings, "liver-imaging-panel", null, effective: "2026-09-20");
        foreach (var (code, (system, value, _, _, _)) in ImagingComponents)
        {
            panel.Component.Add(Component(system, code, (DataType)value.DeepCopy()));
        }

        var facts = Facts(panel);

        var sep20 = new DateTimeOffset(2026, 9, 20, 0, 0, 0, TimeSpan.Zero);
        foreach (var (code, (_, _, read, expected, unit)) in ImagingComponents)
        {
            read(facts).Should().Equal([new Read(expected, unit, sep20, "Observation/panel")], code);
        }
    }

    [Theory]
    [InlineData("liver-lesion-distribution", "unilobar", "Unilobar")]
    [InlineData("liver-lesion-distribution", "bilobar", "Bilobar")]
    [InlineData("portal-vein-status", "patent", "Patent")]
    [InlineData("portal-vein-status", "partial-thrombosis", "PartialThrombosis")]
    [InlineData("portal-vein-status", "complete-thrombosis", "CompleteThrombosis")]
    [InlineData("extrahepatic-disease", "none", "None")]
    [InlineData("extrahepatic-disease", "limited-stable", "LimitedStable")]
    [InlineData("extrahepatic-disease", "unresectable", "Unresectable")]
    public void Every_coded_imaging_value(string code, string valueCode, string expected)
    {
        var facts = Facts(Obs("img", Findings, code, Concept(Findings, valueCode)));

        var values = code switch
        {
            "liver-lesion-distribution" => facts.LesionDistribution.Select(f => f.Value.ToString()),
            "portal-vein-status" => facts.PortalVein.Select(f => f.Value.ToString()),
            _ => facts.ExtrahepaticDisease.Select(f => f.Value.ToString()),
        };
        values.Should().Equal(expected);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Sstr_uptake_Krenning_score_0_to_4(int score)
    {
        var sstr = Obs("sstr", Findings, "sstr-uptake", new Integer(score));
        sstr.Method = new CodeableConcept { Text = "Ga-68 DOTATATE PET/CT" };

        Facts(sstr).SstrUptake.Should().Equal(new Fact<int>(score, Oct1, "Observation/sstr"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Mibg_uptake_is_a_boolean(bool uptake)
    {
        Facts(Obs("mibg", Findings, "mibg-uptake", new FhirBoolean(uptake)))
            .MibgUptake.Should().Equal(new Fact<bool>(uptake, Oct1, "Observation/mibg"));
    }

    [Fact]
    public void Lung_shunt_fraction_in_percent()
    {
        Facts(Obs("lsf", Findings, "lung-shunt-fraction", Qty(8, "%")))
            .LungShuntFraction.Should().Equal(new Fact<Interval>(8m, Oct1, "Observation/lsf", "%"));
    }

    [Fact]
    public void Resectable_fraction_in_percent()
    {
        Facts(Obs("res", Findings, "hepatic-resectable-fraction", Qty(60, "%")))
            .ResectableFraction.Should().Equal(new Fact<Interval>(60m, Oct1, "Observation/res", "%"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Future_liver_remnant_adequate_is_a_boolean(bool adequate)
    {
        Facts(Obs("flr", Findings, "future-liver-remnant-adequate", new FhirBoolean(adequate)))
            .FutureLiverRemnantAdequate.Should().Equal(new Fact<bool>(adequate, Oct1, "Observation/flr"));
    }

    [Theory]
    [InlineData(2.5, "cm")]
    [InlineData(25, "mm")]
    public void Primary_tumour_size_in_cm(double value, string unit)
    {
        Facts(Obs("size", Findings, "primary-tumor-size", Qty((decimal)value, unit)))
            .PrimaryTumourSize.Should().Equal(new Fact<Interval>(2.5m, Oct1, "Observation/size", "cm"));
    }

    // Dates

    [Fact]
    public void EffectiveDateTime_with_a_zone_is_read_as_that_instant()
    {
        Facts(Obs("bili", Loinc, "1975-2", Qty(1, "mg/dL"), effective: "2026-10-05T09:30:00+02:00"))
            .Bilirubin.Should().ContainSingle().Which.Effective.Should().Be(new DateTimeOffset(2026, 10, 5, 7, 30, 0, TimeSpan.Zero));
    }

    [Fact]
    public void EffectivePeriod_is_read_by_its_start()
    {
        var bili = Obs("bili", Loinc, "1975-2", Qty(1, "mg/dL"), effective: null);
        bili.Effective = new Period { Start = "2026-09-15", End = "2026-09-20" };

        Facts(bili).Bilirubin.Should().Equal(new Fact<Interval>(1m, new DateTimeOffset(2026, 9, 15, 0, 0, 0, TimeSpan.Zero), "Observation/bili", "mg/dL"));
    }

    [Fact]
    public void A_partial_date_is_read_at_its_first_moment()
    {
        Facts(Obs("bili", Loinc, "1975-2", Qty(1, "mg/dL"), effective: "2026-10"))
            .Bilirubin.Should().Equal(new Fact<Interval>(1m, Oct1, "Observation/bili", "mg/dL"));
    }

    [Fact]
    public void A_year_only_date_is_read_at_its_first_moment()
    {
        Facts(Obs("ki67", Loinc, "29593-1", Qty(5, "%"), effective: "2025"))
            .Ki67.Should().Equal(new PathologyValue(5m, new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), "Observation/ki67"));
    }

    [Fact]
    public void Without_effective_the_issued_instant_is_used()
    {
        var bili = Obs("bili", Loinc, "1975-2", Qty(1, "mg/dL"), effective: null);
        bili.Issued = new DateTimeOffset(2026, 10, 2, 8, 0, 0, TimeSpan.Zero);

        Facts(bili).Bilirubin.Should().Equal(new Fact<Interval>(1m, new DateTimeOffset(2026, 10, 2, 8, 0, 0, TimeSpan.Zero), "Observation/bili", "mg/dL"));
    }

    [Fact]
    public void Several_observations_of_one_fact_are_all_kept_with_their_dates()
    {
        var facts = Facts(
            Obs("bili-1", Loinc, "1975-2", Qty(1.0m, "mg/dL"), effective: "2026-08-01"),
            Obs("bili-2", Loinc, "14631-6", Qty(34.2m, "umol/L"), effective: "2026-10-01"));

        facts.Bilirubin.Should().BeEquivalentTo(
        [
            new Fact<Interval>(1.0m, new DateTimeOffset(2026, 8, 1, 0, 0, 0, TimeSpan.Zero), "Observation/bili-1", "mg/dL"),
            new Fact<Interval>(2m, Oct1, "Observation/bili-2", "mg/dL"),
        ]);
    }
}

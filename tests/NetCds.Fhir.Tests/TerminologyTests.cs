using System.Text;
using NetCds.Fhir.Terminology;
using static NetCds.Fhir.Tests.Support.FhirBuilder;

namespace NetCds.Fhir.Tests;

/// <summary>Every code of docs/terminology.md maps to its fact; nothing else does.</summary>
public sealed class TerminologyTests
{
    private static readonly TerminologyMap Terms = TerminologyMap.Default;

    [Theory]
    // Observations
    [InlineData(Loinc, "9811-1", "ChromograninA.Mass")]
    [InlineData(Loinc, "25587-7", "ChromograninA.Substance")]
    [InlineData(Loinc, "30169-7", "ChromograninA.Units")]
    [InlineData(Loinc, "29593-1", "Ki67")]
    [InlineData(Findings, "mitotic-count", "MitoticCount")]
    [InlineData(Findings, "tumor-differentiation", "Differentiation")]
    [InlineData(Loinc, "1695-6", "Urinary5Hiaa")]
    [InlineData(Loinc, "14573-0", "Urinary5Hiaa")]
    [InlineData(Loinc, "31203-3", "Urinary5Hiaa")]
    [InlineData(Loinc, "27057-9", "Serotonin")]
    [InlineData(Loinc, "1975-2", "Bilirubin")]
    [InlineData(Loinc, "14631-6", "Bilirubin")]
    [InlineData(Loinc, "1751-7", "Albumin")]
    [InlineData(Loinc, "61151-7", "Albumin")]
    [InlineData(Loinc, "6301-6", "Inr")]
    [InlineData(Loinc, "34714-6", "Inr")]
    [InlineData(Loinc, "2160-0", "Creatinine")]
    [InlineData(Loinc, "14682-9", "Creatinine")]
    [InlineData(Loinc, "98979-8", "CreatinineClearance")]
    [InlineData(Loinc, "33914-3", "CreatinineClearance")]
    [InlineData(Loinc, "35591-7", "CreatinineClearance")]
    [InlineData(Loinc, "2164-2", "CreatinineClearance")]
    [InlineData(Loinc, "777-3", "Platelets")]
    [InlineData(Loinc, "751-8", "Neutrophils")]
    [InlineData(Loinc, "718-7", "Haemoglobin")]
    [InlineData(Loinc, "6690-2", "WhiteCellCount")]
    [InlineData(Loinc, "89247-1", "Ecog")]
    [InlineData(Loinc, "89243-0", "Karnofsky")]
    [InlineData(Loinc, "97509-4", "DiseaseStatus")]
    [InlineData(Findings, "liver-imaging-panel", "LiverImagingPanel")]
    [InlineData(Findings, "liver-lesion-count", "LesionCount")]
    [InlineData(Loinc, "33728-7", "LargestLesion")]
    [InlineData(Findings, "liver-lesion-diameter-sum", "LesionDiameterSum")]
    [InlineData(Findings, "liver-tumor-burden", "TumourBurden")]
    [InlineData(Findings, "liver-lesion-distribution", "LesionDistribution")]
    [InlineData(Findings, "portal-vein-status", "PortalVein")]
    [InlineData(Findings, "extrahepatic-disease", "ExtrahepaticDisease")]
    [InlineData(Findings, "bone-metastases", "BoneMetastases")]
    [InlineData(Findings, "lesion-near-major-vessel", "LesionNearMajorVessel")]
    [InlineData(Findings, "lesion-near-vital-structure", "LesionNearVitalStructure")]
    [InlineData(Findings, "lesion-at-hilum", "LesionAtHilum")]
    [InlineData(Findings, "sstr-uptake", "SstrUptake")]
    [InlineData(Findings, "mibg-uptake", "MibgUptake")]
    [InlineData(Findings, "lung-shunt-fraction", "LungShuntFraction")]
    [InlineData(Findings, "hepatic-resectable-fraction", "ResectableFraction")]
    [InlineData(Findings, "future-liver-remnant-adequate", "FutureLiverRemnantAdequate")]
    public void Observation_code_maps_to_its_fact(string system, string code, string meaning) =>
        Terms.Meanings(CodeContext.Observation, system, code).Should().Equal(meaning);

    [Theory]
    [InlineData(Findings, "well-differentiated", "Differentiation.Well")]
    [InlineData(Findings, "poorly-differentiated", "Differentiation.Poorly")]
    [InlineData(Snomed, "268910001", "DiseaseStatus.Improved")]
    [InlineData(Snomed, "359746009", "DiseaseStatus.Stable")]
    [InlineData(Snomed, "271299001", "DiseaseStatus.Worsened")]
    [InlineData(Snomed, "709137006", "DiseaseStatus.Undetermined")]
    [InlineData(Findings, "unilobar", "LesionDistribution.Unilobar")]
    [InlineData(Findings, "bilobar", "LesionDistribution.Bilobar")]
    [InlineData(Findings, "patent", "PortalVein.Patent")]
    [InlineData(Findings, "partial-thrombosis", "PortalVein.PartialThrombosis")]
    [InlineData(Findings, "complete-thrombosis", "PortalVein.CompleteThrombosis")]
    [InlineData(Findings, "none", "ExtrahepaticDisease.None")]
    [InlineData(Findings, "limited-stable", "ExtrahepaticDisease.LimitedStable")]
    [InlineData(Findings, "unresectable", "ExtrahepaticDisease.Unresectable")]
    public void Coded_value_maps_to_its_meaning(string system, string code, string meaning) =>
        Terms.Meanings(CodeContext.Value, system, code).Should().Equal(meaning);

    [Theory]
    [InlineData(Icd10, "C7A.010", "PrimarySite.SmallIntestine")]
    [InlineData(Icd10, "C7A.011", "PrimarySite.SmallIntestine")]
    [InlineData(Icd10, "C7A.012", "PrimarySite.SmallIntestine")]
    [InlineData(Icd10, "C7A.019", "PrimarySite.SmallIntestine")]
    [InlineData(Icd10, "C7A.095", "PrimarySite.SmallIntestine")]
    [InlineData(Icd10, "C7A.020", "PrimarySite.Appendix")]
    [InlineData(Icd10, "C7A.092", "PrimarySite.Stomach")]
    [InlineData(Icd10, "C7A.026", "PrimarySite.Rectum")]
    [InlineData(Icd10, "C7A.090", "PrimarySite.Lung")]
    [InlineData(Icd10, "C25.4", "PrimarySite.Pancreas")]
    [InlineData(Snomed, "93843007", "PrimarySite.Pancreas")]
    [InlineData(Icd10, "C7A.1", "Differentiation.Poorly")]
    [InlineData(Icd10, "C7A.8", "NeuroendocrineTumour")]
    [InlineData(Icd10, "C7A.00", "NeuroendocrineTumour")]
    [InlineData(Icd10, "C7B.02", "LiverMetastases")]
    [InlineData(Icd10, "C78.7", "LiverMetastases")]
    [InlineData(Snomed, "94381002", "LiverMetastases")]
    [InlineData(Snomed, "705176003", "LiverMetastases")]
    [InlineData(IcdO3, "8240/3", "Differentiation.Well")]
    [InlineData(IcdO3, "8249/3", "Differentiation.Well")]
    [InlineData(IcdO3, "8246/3", "Differentiation.Poorly")]
    [InlineData(IcdO3, "8013/3", "Differentiation.Poorly")]
    [InlineData(IcdO3, "8041/3", "Differentiation.Poorly")]
    [InlineData(Icd10, "E34.0", "CarcinoidSyndrome")]
    [InlineData(Icd10, "E34.00", "CarcinoidSyndrome")]
    [InlineData(Icd10, "E34.09", "CarcinoidSyndrome")]
    [InlineData(Snomed, "35868009", "CarcinoidSyndrome")]
    [InlineData(Icd10, "E34.01", "CarcinoidHeartDisease")]
    [InlineData(Snomed, "36222008", "CarcinoidHeartDisease")]
    [InlineData(Icd10, "E16.4", "ZollingerEllison")]
    [InlineData(Snomed, "53132006", "ZollingerEllison")]
    [InlineData(Icd10, "E16.1", "Insulinoma")]
    [InlineData(Icd10, "E16.3", "Glucagonoma")]
    [InlineData(Findings, "vipoma", "Vipoma")]
    [InlineData(Findings, "functioning-syndrome-other", "OtherHormonalSyndrome")]
    [InlineData(Icd10, "E31.21", "Men1")]
    [InlineData(Snomed, "30664006", "Men1")]
    [InlineData(Icd10, "I81", "PortalVeinThrombosis")]
    [InlineData(Snomed, "17920008", "PortalVeinThrombosis")]
    [InlineData(Icd10, "K74.60", "Cirrhosis")]
    [InlineData(Icd10, "K74.69", "Cirrhosis")]
    [InlineData(Snomed, "19943007", "Cirrhosis")]
    [InlineData(Icd10, "K72.10", "LiverFailure")]
    [InlineData(Icd10, "K72.90", "LiverFailure")]
    [InlineData(Icd10, "K76.82", "LiverFailure")]
    [InlineData(Icd10, "R18.8", "LiverFailure")]
    [InlineData(Snomed, "13920009", "LiverFailure")]
    [InlineData(Snomed, "389026000", "LiverFailure")]
    [InlineData(Icd10, "N17.9", "RenalFailure")]
    [InlineData(Icd10, "N18.5", "RenalFailure")]
    [InlineData(Icd10, "N18.6", "RenalFailure")]
    [InlineData(Icd10, "N19", "RenalFailure")]
    [InlineData(Icd10, "D68.9", "Coagulopathy")]
    [InlineData(Icd10, "D68.4", "Coagulopathy")]
    [InlineData(Findings, "biliary-enteric-anastomosis", "BiliaryEntericAnastomosis")]
    [InlineData(Icd10, "Z90.411", "PartialAbsenceOfPancreas")]
    public void Condition_code_maps_to_its_fact(string system, string code, string meaning) =>
        Terms.Meanings(CodeContext.Condition, system, code).Should().Equal(meaning);

    [Theory]
    [InlineData("primary-tumor-resection", "PrimaryTumourResection")]
    [InlineData("planned-exenteration", "PlannedExenteration")]
    [InlineData("liver-resection", "LiverResection")]
    [InlineData("thermal-ablation", "ThermalAblation")]
    [InlineData("tae", "Tae")]
    [InlineData("tace", "Tace")]
    [InlineData("sirt", "Sirt")]
    [InlineData("prrt", "Prrt")]
    [InlineData("systemic-chemotherapy", "Chemotherapy")]
    public void Procedure_code_maps_to_its_fact(string code, string meaning) =>
        Terms.Meanings(CodeContext.Procedure, Findings, code).Should().Equal(meaning);

    [Theory]
    [InlineData(Atc, "H01CB02", "SomatostatinAnalogue")]
    [InlineData(Atc, "H01CB03", "SomatostatinAnalogue")]
    [InlineData(Atc, "H01CB05", "SomatostatinAnalogue")]
    [InlineData(Atc, "A02BC", "ProtonPumpInhibitor")]
    [InlineData(Atc, "A02BC01", "ProtonPumpInhibitor")]
    [InlineData(Atc, "A02BC05", "ProtonPumpInhibitor")]
    [InlineData(Atc, "L01AD04", "Chemotherapy")]
    [InlineData(Atc, "L01AX03", "Chemotherapy")]
    [InlineData(Atc, "L01BC02", "Chemotherapy")]
    [InlineData(Atc, "L01BC06", "Chemotherapy")]
    [InlineData(Atc, "L01CB01", "Chemotherapy")]
    [InlineData(Atc, "L01DB01", "Chemotherapy")]
    [InlineData(Atc, "L01XA01", "Chemotherapy")]
    [InlineData(Atc, "L01XA03", "Chemotherapy")]
    [InlineData(Findings, "systemic-chemotherapy", "Chemotherapy")]
    public void Medication_code_maps_to_its_fact(string system, string code, string meaning) =>
        Terms.Meanings(CodeContext.Medication, system, code).Should().Equal(meaning);

    /// <summary>
    /// A code's meanings are worked out once and kept (issue 20), by prefix as well as exact, and stay the same when
    /// asked again after more distinct codes than are kept have been looked up.
    /// </summary>
    [Fact]
    public void A_codes_meanings_are_the_same_when_asked_again_after_many_other_codes()
    {
        var map = TerminologyMap.WithSiteAdditions(new MemoryStream(Encoding.UTF8.GetBytes("{}")));
        var first = map.Meanings(CodeContext.Medication, Atc, "L01XA01");
        var byPrefix = map.Meanings(CodeContext.Medication, Atc, "L01BC06");

        for (var i = 0; i < 12_000; i++)
        {
            map.Meanings(CodeContext.Observation, Loinc, $"unknown-{i}").Should().BeEmpty();
        }

        first.Should().Equal("Chemotherapy");
        map.Meanings(CodeContext.Medication, Atc, "L01XA01").Should().Equal(first);
        map.Meanings(CodeContext.Medication, Atc, "L01BC06").Should().Equal(byPrefix).And.Equal("Chemotherapy");
        map.Meanings(CodeContext.Observation, Loinc, "1975-2").Should().Equal("Bilirubin");
    }

    /// <summary>Prior chemotherapy means cytotoxic drugs only (terminology contract; catalogue 2026-11-27): targeted agents are only their drug.</summary>
    [Theory]
    [InlineData("L01EG02", "Everolimus")]
    [InlineData("L01EX01", "Sunitinib")]
    public void Targeted_L01_agents_are_their_drug_and_not_chemotherapy(string code, string drug) =>
        Terms.Meanings(CodeContext.Medication, Atc, code).Should().Equal(drug);

    /// <summary>Neither the whole of L01 nor its targeted classes (L01E kinase inhibitors, L01F antibodies, L01XX other) are chemotherapy.</summary>
    [Theory]
    [InlineData("L01")]
    [InlineData("L01E")]
    [InlineData("L01EB01")]
    [InlineData("L01FA01")]
    [InlineData("L01XX")]
    [InlineData("L01XX19")]
    [InlineData("L01X")]
    public void Non_cytotoxic_L01_codes_are_not_chemotherapy(string code) =>
        Terms.Meanings(CodeContext.Medication, Atc, code).Should().BeEmpty();

    [Theory]
    [InlineData(CodeContext.Medication, Atc, "A02B")]
    [InlineData(CodeContext.Medication, Atc, "A02")]
    [InlineData(CodeContext.Medication, Atc, "L0")]
    [InlineData(CodeContext.Medication, Atc, "a02bc01")]
    [InlineData(CodeContext.Medication, Loinc, "A02BC01")]
    [InlineData(CodeContext.Observation, Loinc, "85330-9")]
    [InlineData(CodeContext.Observation, Loinc, "1234-5")]
    [InlineData(CodeContext.Observation, Snomed, "29593-1")]
    [InlineData(CodeContext.Observation, Findings, "mitotic-count-x")]
    [InlineData(CodeContext.Condition, Icd10, "C7A")]
    [InlineData(CodeContext.Condition, Icd10, "C7A.01")]
    [InlineData(CodeContext.Condition, Icd10, "C25")]
    [InlineData(CodeContext.Condition, Snomed, "C25.4")]
    [InlineData(CodeContext.Procedure, Findings, "liver-transplant")]
    [InlineData(CodeContext.Value, Findings, "multifocal")]
    public void Unknown_or_too_short_codes_map_to_nothing(CodeContext context, string system, string code) =>
        Terms.Meanings(context, system, code).Should().BeEmpty();

    [Fact]
    public void A_code_is_looked_up_in_its_own_context_only()
    {
        Terms.Meanings(CodeContext.Condition, Loinc, "29593-1").Should().BeEmpty();
        Terms.Meanings(CodeContext.Observation, Icd10, "C7B.02").Should().BeEmpty();
        Terms.Meanings(CodeContext.Observation, Atc, "L01XX").Should().BeEmpty();
    }

    [Fact]
    public void Missing_system_or_code_maps_to_nothing()
    {
        Terms.Meanings(CodeContext.Observation, null, "29593-1").Should().BeEmpty();
        Terms.Meanings(CodeContext.Observation, Loinc, null).Should().BeEmpty();
    }

    [Fact]
    public void The_first_code_for_a_meaning_is_the_one_an_order_asks_for()
    {
        Terms.CodesFor(CodeContext.Observation, "Ki67").Should().Equal("http://loinc.org|29593-1");
        Terms.CodesFor(CodeContext.Observation, "Bilirubin").Should().Equal("http://loinc.org|1975-2", "http://loinc.org|14631-6");
        Terms.CodesFor(CodeContext.Observation, "NoSuchFact").Should().BeEmpty();
    }

    [Fact]
    public void Site_additions_add_a_local_code_and_keep_the_contract_code()
    {
        var site = TerminologyMap.WithSiteAdditions(JsonStream("""
            {
              "$comment": "site map",
              "observations": { "Ki67": [ "http://hospital.example/lab|KI67-LOCAL" ] }
            }
            """));

        site.Meanings(CodeContext.Observation, "http://hospital.example/lab", "KI67-LOCAL").Should().Equal("Ki67");
        site.Meanings(CodeContext.Observation, Loinc, "29593-1").Should().Equal("Ki67");
        site.CodesFor(CodeContext.Observation, "Ki67").Should().Equal("http://loinc.org|29593-1", "http://hospital.example/lab|KI67-LOCAL");
        site.Meanings(CodeContext.Observation, Loinc, "1975-2").Should().Equal("Bilirubin");
        TerminologyMap.Default.Meanings(CodeContext.Observation, "http://hospital.example/lab", "KI67-LOCAL").Should().BeEmpty("the default map is not changed");
    }

    [Fact]
    public void The_map_lists_its_meanings_per_section_in_file_order()
    {
        var observations = TerminologyMap.Default.MeaningsOf(CodeContext.Observation);

        observations.Should().StartWith(["ChromograninA.Mass", "ChromograninA.Substance", "ChromograninA.Units", "Ki67"]);
        observations.Should().Contain(["LungShuntFraction", "LiverImagingPanel", "Serotonin"]).And.OnlyHaveUniqueItems();
        TerminologyMap.Default.MeaningsOf(CodeContext.Medication).Should().BeEquivalentTo(["SomatostatinAnalogue", "ProtonPumpInhibitor", "Everolimus", "Sunitinib", "Chemotherapy"]);
    }

    [Fact]
    public void A_site_map_adds_its_new_meanings_after_the_built_in_ones()
    {
        var site = TerminologyMap.WithSiteAdditions(JsonStream("""{ "observations": { "Ki67": [ "http://hospital.example/lab|KI67-LOCAL" ], "LocalOnly": [ "http://hospital.example/lab|X" ] } }"""));

        site.MeaningsOf(CodeContext.Observation).Should().HaveCount(TerminologyMap.Default.MeaningsOf(CodeContext.Observation).Count + 1).And.EndWith("LocalOnly");
    }

    [Fact]
    public void A_site_local_code_is_read_into_the_fact()
    {
        var site = TerminologyMap.WithSiteAdditions(JsonStream("""{ "observations": { "Ki67": [ "http://hospital.example/lab|KI67-LOCAL" ] } }"""));

        var mapping = Map(site, Obs("k1", "http://hospital.example/lab", "KI67-LOCAL", Qty(7, "%")));

        mapping.Problems.Should().BeEmpty();
        mapping.Facts.Ki67.Should().ContainSingle().Which.Value.Exact.Should().Be(7m);
    }

    [Fact]
    public void Site_additions_can_add_a_prefix_code()
    {
        var site = TerminologyMap.WithSiteAdditions(JsonStream("""{ "medications": { "ProtonPumpInhibitor": [ "http://hospital.example/drugs|PPI-*" ] } }"""));

        site.Meanings(CodeContext.Medication, "http://hospital.example/drugs", "PPI-OMEPRAZOLE").Should().Equal("ProtonPumpInhibitor");
        site.Meanings(CodeContext.Medication, Atc, "A02BC02").Should().Equal("ProtonPumpInhibitor");
    }

    [Theory]
    [InlineData("""{ "observations": { "Ki67": [ "no-bar" ] } }""")]
    [InlineData("""{ "observations": { "Ki67": [ "|29593-1" ] } }""")]
    [InlineData("""{ "observations": { "Ki67": [ "http://loinc.org|" ] } }""")]
    [InlineData("""{ "labs": { "Ki67": [ "http://loinc.org|29593-1" ] } }""")]
    public void A_malformed_site_map_throws_FormatException(string json)
    {
        var load = () => TerminologyMap.WithSiteAdditions(JsonStream(json));

        load.Should().Throw<FormatException>();
    }

    private static MemoryStream JsonStream(string json) => new(Encoding.UTF8.GetBytes(json));
}

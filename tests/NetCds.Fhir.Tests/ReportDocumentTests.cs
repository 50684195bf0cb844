using System.Text.Json;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using NetCds.Domain.Derived;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using NetCds.Fhir.Mapping;
using NetCds.Fhir.Reporting;
using NetCds.Fhir.Terminology;
using static NetCds.Fhir.Tests.Support.FhirBuilder;
using Evidence = NetCds.Domain.Engine.Evidence;

namespace NetCds.Fhir.Tests;

/// <summary>The report JSON speaks the catalogue's words and never writes null.</summary>
public sealed class ReportDocumentTests
{
    private static readonly string[] Therapies = ["RES", "ABL", "EMB", "SIRT", "LT", "SSA", "INF", "PRRT", "MIBG", "EVE", "SUN", "CHEMO"];

    private static readonly EligibilityStatus[] Statuses =
        [EligibilityStatus.Eligible, EligibilityStatus.Consider, EligibilityStatus.Contraindicated, EligibilityStatus.NotIndicated, EligibilityStatus.InsufficientData];

    /// <summary>A hand-built report: one assessment per therapy, statuses cycling through all five words.</summary>
    private static ReportDocument HandBuilt(IReadOnlyList<DataProblem>? problems = null)
    {
        var derived = DerivedFacts.From(PatientFacts.Empty with { Patient = PatientRef }, AsOf, EligibilityPolicy.Default);
        var assessments = Enum.GetValues<TherapyId>().Select((therapy, i) => new TherapyAssessment(
            therapy,
            Statuses[i % Statuses.Length],
            [
                new Finding(
                    "RES-BONE",
                    FindingEffect.Contraindicated,
                    "Bone metastases: resection contraindicated.",
                    Evidence.Cite("002 Management prior to treatment", "000"),
                    [new InputReference(FactKind.BoneMetastases, "yes", "Observation/panel", Oct1)],
                    []),
                new Finding("ABL-VESSEL", FindingEffect.Technique, "Lesion next to a major vessel: prefer MWA.", Evidence.Cite("000 §3"), [], [new PolicySetting("Eligibility:Ablation:Something", "5")]),
                new Finding("ABL-3CM", FindingEffect.Note, "Largest lesion over 3 cm.", Evidence.Cite("004"), [], []),
            ],
            [
                new MissingInput(FactKind.Ki67, ClinicalOrder.Ki67Immunohistochemistry, "RES-IND"),
                new MissingInput(FactKind.LiverMetastases, ClinicalOrder.LiverImaging, "RES-IND"),
                new MissingInput(FactKind.BirthDate, ClinicalOrder.TumourBoardDocumentation, "LT-AGE"),
            ],
            [new Prerequisite("SIRT-MAA", "Tc-99m MAA shunt study", ClinicalOrder.MaaShuntStudy), new Prerequisite("RES-ASSESS", "Hepatobiliary surgical assessment")],
            ["MDT review"])).ToList();
        var report = new EligibilityReport(PatientRef, AsOf, "test-rules-1", assessments, derived, [], []);
        return ReportDocument.From(report, problems ?? [], TerminologyMap.Default);
    }

    private static JsonNode Json(ReportDocument document) => JsonNode.Parse(document.ToJson())!;

    private static IEnumerable<string> NullPaths(JsonNode? node, string path)
    {
        switch (node)
        {
            case null:
                yield return path;
                break;
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    foreach (var p in NullPaths(child, $"{path}.{name}"))
                    {
                        yield return p;
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    foreach (var p in NullPaths(array[i], $"{path}[{i}]"))
                    {
                        yield return p;
                    }
                }

                break;
        }
    }

    [Fact]
    public void Therapies_are_the_catalogue_ids_in_card_order()
    {
        var json = Json(HandBuilt());

        json["assessments"]!.AsArray().Select(a => (string)a!["therapy"]!).Should().Equal(Therapies);
    }

    [Fact]
    public void Statuses_are_the_catalogue_words()
    {
        var json = Json(HandBuilt());

        json["assessments"]!.AsArray().Take(5).Select(a => (string)a!["status"]!)
            .Should().Equal("eligible", "consider", "contraindicated", "not-indicated", "insufficient-data");
    }

    [Fact]
    public void Findings_carry_rule_effect_reason_evidence_and_inputs()
    {
        var findings = Json(HandBuilt())["assessments"]![0]!["findings"]!.AsArray();

        var first = findings[0]!;
        ((string)first["rule"]!).Should().Be("RES-BONE");
        ((string)first["effect"]!).Should().Be("contraindicated");
        ((string)first["reason"]!).Should().Be("Bone metastases: resection contraindicated.");
        var evidence = first["evidence"]!.AsArray();
        ((string)evidence[0]!["article"]!).Should().Be("002");
        ((string)evidence[0]!["section"]!).Should().Be("Management prior to treatment");
        ((string)evidence[0]!["citation"]!).Should().Be("Rossi et al. 2013");
        ((string)evidence[1]!["article"]!).Should().Be("000");
        evidence[1]!.AsObject().ContainsKey("section").Should().BeFalse("a whole-article citation has no section");
        ((string)evidence[1]!["citation"]!).Should().Be("Lewis & Hobday 2012");
        var input = first["inputs"]![0]!;
        ((string)input["fact"]!).Should().Be("boneMetastases");
        ((string)input["value"]!).Should().Be("yes");
        ((string)input["source"]!).Should().Be("Observation/panel");
        input["date"]!.GetValue<DateTimeOffset>().Should().Be(Oct1);
        first.AsObject().ContainsKey("sitePolicy").Should().BeFalse("no site policy was applied");

        ((string)findings[1]!["effect"]!).Should().Be("technique");
        ((string)findings[1]!["sitePolicy"]![0]!["setting"]!).Should().Be("Eligibility:Ablation:Something");
        ((string)findings[1]!["sitePolicy"]![0]!["value"]!).Should().Be("5");
        ((string)findings[2]!["effect"]!).Should().Be("note");
    }

    [Fact]
    public void Missing_inputs_name_the_fact_the_code_that_supplies_it_and_the_order()
    {
        var missing = Json(HandBuilt())["assessments"]![0]!["missing"]!.AsArray();

        var ki67 = missing[0]!.AsObject();
        ((string)ki67["fact"]!).Should().Be("ki67");
        ((string)ki67["code"]!).Should().Be("http://loinc.org|29593-1");
        ((string)ki67["order"]!).Should().Be("ki67-immunohistochemistry");
        ((string)ki67["orderText"]!).Should().Be("Ki-67 immunohistochemistry");
        ((string)ki67["rule"]!).Should().Be("RES-IND");

        ((string)missing[1]!["fact"]!).Should().Be("liverMetastases");
        ((string)missing[1]!["code"]!).Should().Be("http://hl7.org/fhir/sid/icd-10-cm|C7B.02");
        ((string)missing[1]!["order"]!).Should().Be("liver-imaging");

        ((string)missing[2]!["fact"]!).Should().Be("birthDate");
        missing[2]!.AsObject().ContainsKey("code").Should().BeFalse("no code supplies a birth date");
        ((string)missing[2]!["order"]!).Should().Be("tumour-board-documentation");
    }

    [Fact]
    public void Prerequisites_name_their_order_when_there_is_one()
    {
        var prerequisites = Json(HandBuilt())["assessments"]![0]!["prerequisites"]!.AsArray();

        ((string)prerequisites[0]!["rule"]!).Should().Be("SIRT-MAA");
        ((string)prerequisites[0]!["order"]!).Should().Be("maa-shunt-study");
        prerequisites[1]!.AsObject().ContainsKey("order").Should().BeFalse();
    }

    [Theory]
    [InlineData(DataProblemKind.UnknownUnit, "unknown-unit")]
    [InlineData(DataProblemKind.UnusableValue, "unusable-value")]
    [InlineData(DataProblemKind.UnknownValueCode, "unknown-value-code")]
    [InlineData(DataProblemKind.FutureDate, "future-date")]
    [InlineData(DataProblemKind.MissingDate, "missing-date")]
    [InlineData(DataProblemKind.OtherPatient, "other-patient")]
    [InlineData(DataProblemKind.Conflict, "conflict")]
    [InlineData(DataProblemKind.NotUsable, "not-usable")]
    public void Data_problem_kinds_are_kebab_case(DataProblemKind kind, string word)
    {
        var problem = Json(HandBuilt([new DataProblem("Observation/o1", "Observation.value.unit", kind, "message")]))["dataProblems"]![0]!;

        ((string)problem["kind"]!).Should().Be(word);
        ((string)problem["resource"]!).Should().Be("Observation/o1");
        ((string)problem["element"]!).Should().Be("Observation.value.unit");
        ((string)problem["message"]!).Should().Be("message");
    }

    [Fact]
    public void A_problem_without_element_has_no_element_property()
    {
        var problem = Json(HandBuilt([new DataProblem("Observation/o1", null, DataProblemKind.Conflict, "conflict")]))["dataProblems"]![0]!.AsObject();

        problem.ContainsKey("element").Should().BeFalse();
    }

    [Fact]
    public void No_null_property_is_written_for_an_empty_patient()
    {
        var json = Json(HandBuilt([new DataProblem("Observation/o1", null, DataProblemKind.Conflict, "conflict")]));

        NullPaths(json, "$").Should().BeEmpty();
    }

    [Fact]
    public void Top_level_properties_are_camel_case()
    {
        Json(HandBuilt()).AsObject().Select(p => p.Key).Should().BeEquivalentTo(
            "patient", "evaluatedAt", "rulesVersion", "assessments", "facts", "alsoReported", "dataProblems", "sitePolicy");
    }

    [Theory]
    [InlineData(FactKind.Ki67, "http://loinc.org|29593-1")]
    [InlineData(FactKind.MitoticCount, "http://netcds.org/fhir/CodeSystem/net-findings|mitotic-count")]
    [InlineData(FactKind.Differentiation, "http://netcds.org/fhir/CodeSystem/net-findings|tumor-differentiation")]
    [InlineData(FactKind.ChromograninA, "http://loinc.org|9811-1")]
    [InlineData(FactKind.Urinary5Hiaa, "http://loinc.org|1695-6")]
    [InlineData(FactKind.Bilirubin, "http://loinc.org|1975-2")]
    [InlineData(FactKind.Albumin, "http://loinc.org|1751-7")]
    [InlineData(FactKind.Inr, "http://loinc.org|6301-6")]
    [InlineData(FactKind.Creatinine, "http://loinc.org|2160-0")]
    [InlineData(FactKind.CreatinineClearance, "http://loinc.org|98979-8")]
    [InlineData(FactKind.Platelets, "http://loinc.org|777-3")]
    [InlineData(FactKind.Neutrophils, "http://loinc.org|751-8")]
    [InlineData(FactKind.Haemoglobin, "http://loinc.org|718-7")]
    [InlineData(FactKind.WhiteCellCount, "http://loinc.org|6690-2")]
    [InlineData(FactKind.Ecog, "http://loinc.org|89247-1")]
    [InlineData(FactKind.Karnofsky, "http://loinc.org|89243-0")]
    [InlineData(FactKind.DiseaseStatus, "http://loinc.org|97509-4")]
    [InlineData(FactKind.LesionCount, "http://netcds.org/fhir/CodeSystem/net-findings|liver-lesion-count")]
    [InlineData(FactKind.LargestLesion, "http://loinc.org|33728-7")]
    [InlineData(FactKind.LesionDiameterSum, "http://netcds.org/fhir/CodeSystem/net-findings|liver-lesion-diameter-sum")]
    [InlineData(FactKind.TumourBurden, "http://netcds.org/fhir/CodeSystem/net-findings|liver-tumor-burden")]
    [InlineData(FactKind.LesionDistribution, "http://netcds.org/fhir/CodeSystem/net-findings|liver-lesion-distribution")]
    [InlineData(FactKind.PortalVein, "http://netcds.org/fhir/CodeSystem/net-findings|portal-vein-status")]
    [InlineData(FactKind.ExtrahepaticDisease, "http://netcds.org/fhir/CodeSystem/net-findings|extrahepatic-disease")]
    [InlineData(FactKind.BoneMetastases, "http://netcds.org/fhir/CodeSystem/net-findings|bone-metastases")]
    [InlineData(FactKind.SstrUptake, "http://netcds.org/fhir/CodeSystem/net-findings|sstr-uptake")]
    [InlineData(FactKind.MibgUptake, "http://netcds.org/fhir/CodeSystem/net-findings|mibg-uptake")]
    [InlineData(FactKind.LungShuntFraction, "http://netcds.org/fhir/CodeSystem/net-findings|lung-shunt-fraction")]
    [InlineData(FactKind.ResectableFraction, "http://netcds.org/fhir/CodeSystem/net-findings|hepatic-resectable-fraction")]
    [InlineData(FactKind.FutureLiverRemnantAdequate, "http://netcds.org/fhir/CodeSystem/net-findings|future-liver-remnant-adequate")]
    [InlineData(FactKind.PrimaryTumourSize, "http://netcds.org/fhir/CodeSystem/net-findings|primary-tumor-size")]
    [InlineData(FactKind.LiverMetastases, "http://hl7.org/fhir/sid/icd-10-cm|C7B.02")]
    [InlineData(FactKind.PrimarySite, "http://hl7.org/fhir/sid/icd-10-cm|C7A.8")]
    [InlineData(FactKind.PrimaryResection, "http://netcds.org/fhir/CodeSystem/net-findings|primary-tumor-resection")]
    [InlineData(FactKind.PlannedExenteration, "http://netcds.org/fhir/CodeSystem/net-findings|planned-exenteration")]
    public void A_missing_fact_names_the_first_contract_code_that_supplies_it(FactKind fact, string code)
    {
        FactNames.CodeFor(fact, TerminologyMap.Default).Should().Be(code);
    }

    [Theory]
    [InlineData(FactKind.BirthDate)]
    [InlineData(FactKind.Condition)]
    [InlineData(FactKind.Medication)]
    public void Facts_without_a_code_name_none(FactKind fact)
    {
        FactNames.CodeFor(fact, TerminologyMap.Default).Should().BeNull();
    }

    [Fact]
    public void Every_order_has_a_text_for_people()
    {
        Enum.GetValues<ClinicalOrder>().Should().AllSatisfy(o => Orders.Text(o).Should().NotBe(o.ToString()).And.Contain(" "));
    }

    // Through the whole pipeline

    private static Evaluation Evaluate(params Resource[] resources)
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Collection };
        foreach (var resource in resources)
        {
            bundle.Entry.Add(new Bundle.EntryComponent { Resource = resource });
        }

        return new FhirEvaluation(TerminologyMap.Default, EligibilityPolicy.Default).Evaluate(bundle, AsOf)!;
    }

    [Fact]
    public void A_patient_without_Ki67_is_asked_for_Ki67_immunohistochemistry()
    {
        var evaluation = Evaluate(Patient(), Cond("mets", Icd10, "C7B.02"), Cond("pnet", Icd10, "C25.4"));

        var json = Json(evaluation.Document);

        var missing = json["assessments"]!.AsArray().SelectMany(a => a!["missing"]!.AsArray()).Where(m => (string)m!["fact"]! == "ki67").ToList();
        missing.Should().NotBeEmpty();
        missing.Should().AllSatisfy(m =>
        {
            ((string)m!["code"]!).Should().Be("http://loinc.org|29593-1");
            ((string)m["order"]!).Should().Be("ki67-immunohistochemistry");
        });
        ((string)json["patient"]!).Should().Be(PatientRef);
        json["assessments"]!.AsArray().Select(a => (string)a!["therapy"]!).Should().Equal(Therapies);
        json["assessments"]!.AsArray().Select(a => (string)a!["status"]!).Should().OnlyContain(s => s == "eligible" || s == "consider" || s == "contraindicated" || s == "not-indicated" || s == "insufficient-data");
        NullPaths(json, "$").Should().BeEmpty();
    }

    [Fact]
    public void The_data_problems_of_the_mapping_are_in_the_document()
    {
        var evaluation = Evaluate(
            Patient(),
            Obs("bili", Loinc, "1975-2", Qty(1, "furlongs")),
            Obs("ki67", Loinc, "29593-1", Qty(5, "%"), status: ObservationStatus.Preliminary),
            Obs("other", Loinc, "29593-1", Qty(5, "%"), subject: "Patient/p2"));

        var problems = Json(evaluation.Document)["dataProblems"]!.AsArray();

        problems.Select(p => ((string)p!["resource"]!, (string)p["kind"]!, (string)p["element"]!)).Should().BeEquivalentTo(
        [
            ("Observation/bili", "unknown-unit", "Observation.value.unit"),
            ("Observation/ki67", "not-usable", "Observation.status"),
            ("Observation/other", "other-patient", "Observation.subject"),
        ]);
    }

    [Fact]
    public void A_well_documented_patient_has_facts_with_sources_and_no_nulls()
    {
        var panel = Obs("panel", Findings, "liver-imaging-panel", null);
        panel.Component.Add(Component(Findings, "liver-lesion-count", new Integer(3)));
        panel.Component.Add(Component(Loinc, "33728-7", Qty(25, "mm")));
        panel.Component.Add(Component(Findings, "liver-lesion-distribution", Concept(Findings, "unilobar")));
        var evaluation = Evaluate(
            Patient(),
            Cond("mets", Icd10, "C7B.02"),
            Cond("pnet", Icd10, "C25.4"),
            Obs("ki67", Loinc, "29593-1", Qty(5, "%")),
            Obs("bili", Loinc, "14631-6", Qty(17.1m, "umol/L")),
            panel);

        var json = Json(evaluation.Document);

        var facts = json["facts"]!;
        ((string)facts["bilirubin"]!["source"]!).Should().Be("Observation/bili");
        facts["bilirubin"]!["value"]!.GetValue<decimal>().Should().Be(1m);
        ((string)facts["bilirubin"]!["unit"]!).Should().Be("mg/dL");
        ((string)facts["lesionDistribution"]!["value"]!).Should().Be("unilobar");
        facts["largestLesion"]!["value"]!.GetValue<decimal>().Should().Be(2.5m);
        ((string)facts["primarySite"]!["value"]!).Should().Be("pancreas");
        ((string)facts["tumour"]!["ki67"]!["source"]!).Should().Be("Observation/ki67");
        NullPaths(json, "$").Should().BeEmpty();
    }

    [Fact]
    public void ToJson_round_trips_as_web_JSON()
    {
        var text = HandBuilt().ToJson();

        using var document = JsonDocument.Parse(text);
        document.RootElement.GetProperty("rulesVersion").GetString().Should().Be("test-rules-1");
        document.RootElement.GetProperty("evaluatedAt").GetDateTimeOffset().Should().Be(AsOf);
    }
}

using System.Text;
using Hl7.Fhir.Model;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using NetCds.Fhir.Input;
using NetCds.Fhir.Mapping;
using NetCds.Fhir.Terminology;
using static NetCds.Fhir.Tests.Support.FhirBuilder;

namespace NetCds.Fhir.Tests;

/// <summary>
/// Issue 10, "map once": each resource's facts, kept as JSON and merged, give exactly the report mapping the whole
/// record gives; facts that depend on the evaluation time or another resource are marked to be mapped live; the
/// mapping version follows the terminology map.
/// </summary>
public sealed class FactStateTests
{
    private static readonly FhirEvaluation Evaluation = new(TerminologyMap.Default, EligibilityPolicy.Default);

    public static TheoryData<string> Seeds() =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "seeds"), "*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Every_seed_s_kept_facts_merged_give_the_report_of_the_whole_record(string file)
    {
        var parsed = FhirInput.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "seeds", file)));
        var resources = FhirInput.Resources(parsed.Resource!);
        var whole = Evaluation.Evaluate(resources, AsOf);
        whole.Should().NotBeNull();
        var patient = whole!.Mapping.Facts.Patient!;

        var kept = resources.Select(r => Kept(Evaluation.Mapper.MapResource(r, patient, AsOf, resources))).ToList();
        var merged = Evaluation.Evaluate(FactMapper.Merge(kept, patient), AsOf);

        merged!.Document.ToJson().Should().Be(whole.Document.ToJson());
        kept.Should().Contain(f => !f.Live, "most facts are kept");
    }

    [Fact]
    public void Intervals_keep_their_bounds_and_how_they_were_written()
    {
        var facts = Evaluation.Mapper.MapResource(new SourcedResource(Obs("b1", Loinc, "1975-2", new Quantity { Value = 2.5m, Comparator = Quantity.QuantityComparator.GreaterThan, Unit = "mg/dL", System = Ucum, Code = "mg/dL" }), "Observation/b1"), PatientRef, AsOf);
        var range = Evaluation.Mapper.MapResource(new SourcedResource(Obs("k1", Loinc, "29593-1", new Hl7.Fhir.Model.Range { Low = Qty(2, "%"), High = Qty(5, "%") }), "Observation/k1"), PatientRef, AsOf);

        var bilirubin = FactStateJson.Deserialize(FactStateJson.Serialize(facts)).Intervals![FactKind.Bilirubin].Single();
        var ki67 = FactStateJson.Deserialize(FactStateJson.Serialize(range)).Ki67!.Single();

        FactStateJson.Serialize(facts).Should().ContainEquivalentOf("bilirubin").And.NotContain("conditions", "empty collections are not kept");
        bilirubin.Should().Be(facts.Intervals![FactKind.Bilirubin].Single());
        bilirubin.Value.Written.Should().Be("> 2.5");
        bilirubin.Value.IsAbove(2.5m).Should().BeTrue();
        ki67.Should().Be(range.Ki67!.Single());
        ki67.Value.Written.Should().Be("2-5");
    }

    [Fact]
    public void A_resource_dated_after_the_evaluation_is_mapped_live_and_used_once_its_date_has_passed()
    {
        var later = new SourcedResource(Obs("b2", Loinc, "1975-2", Qty(2.5m, "mg/dL"), effective: "2026-12-01"), "Observation/b2");

        var now = Evaluation.Mapper.MapResource(later, PatientRef, AsOf);
        var afterwards = Evaluation.Mapper.MapResource(later, PatientRef, new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero));

        now.Live.Should().BeTrue("it becomes usable with time, so it cannot be kept as unusable");
        now.Problems.Should().ContainSingle(p => p.Kind == DataProblemKind.FutureDate);
        afterwards.Live.Should().BeFalse();
        afterwards.Intervals![FactKind.Bilirubin].Should().ContainSingle();
    }

    [Fact]
    public void A_course_naming_a_medication_resource_and_a_planned_procedure_are_mapped_live_a_dated_lab_is_kept()
    {
        var course = MedStatement("m1", new ResourceReference("Medication/everolimus"), MedicationStatement.MedicationStatusCodes.Active);
        var planned = Proc("x1", "planned-exenteration", EventStatus.Preparation, performed: null);

        Evaluation.Mapper.MapResource(new SourcedResource(course, "MedicationStatement/m1"), PatientRef, AsOf).Live.Should().BeTrue();
        Evaluation.Mapper.MapResource(new SourcedResource(planned, "Procedure/x1"), PatientRef, AsOf).Live.Should().BeTrue();
        Evaluation.Mapper.MapResource(new SourcedResource(Obs("b3", Loinc, "1975-2", Qty(1.1m, "mg/dL")), "Observation/b3"), PatientRef, AsOf).Live.Should().BeFalse();
    }

    [Fact]
    public void The_mapping_version_changes_with_the_terminology_map_and_only_with_it()
    {
        var site = TerminologyMap.WithSiteAdditions(new MemoryStream(Encoding.UTF8.GetBytes("""{ "observations": { "Ki67": [ "http://hospital.example/lab|KI67-LOCAL" ] } }""")));

        new FactMapper(TerminologyMap.Default).Version.Should().Be(new FactMapper(TerminologyMap.Default).Version);
        new FactMapper(site).Version.Should().NotBe(new FactMapper(TerminologyMap.Default).Version);
    }

    private static ResourceFacts Kept(ResourceFacts facts) => facts.Live ? facts : FactStateJson.Deserialize(FactStateJson.Serialize(facts));
}

using System.Text.Json;
using Hl7.Fhir.Model;
using NetCds.Domain.Facts;
using NetCds.Fhir.Input;
using NetCds.Fhir.Mapping;
using NetCds.Fhir.Terminology;
using static NetCds.Fhir.Tests.Support.FhirBuilder;

namespace NetCds.Fhir.Tests;

/// <summary>The repository's fhir-profiles/: strictly valid FHIR, consistent with the terminology, examples that map cleanly.</summary>
public sealed class ProfileTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "fhir-profiles");

    public static TheoryData<string> ProfileFiles =>
        [.. Directory.EnumerateFiles(Root, "*.json", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Root, f)).Order(StringComparer.Ordinal)];

    private static Resource Load(string relativePath)
    {
        var result = FhirInput.Parse(File.ReadAllText(Path.Combine(Root, relativePath)));
        result.Outcome.Should().BeNull(result.Outcome is null ? "" : string.Join("; ", result.Outcome.Issue.Select(i => $"{string.Join(",", i.Expression)}: {i.Diagnostics}")));
        return result.Resource!;
    }

    [Fact]
    public void The_profiles_are_copied_to_the_test_output()
    {
        ProfileFiles.Should().HaveCountGreaterThanOrEqualTo(30);
        ProfileFiles.Select(r => r.Data).Should().Contain(Path.Combine("examples", "Observation-example-ki67.json"));
    }

    [Theory]
    [MemberData(nameof(ProfileFiles))]
    public void Every_profile_file_parses_strictly(string relativePath)
    {
        var resource = Load(relativePath);

        // The file name says what it holds: Type-id.json.
        var name = Path.GetFileNameWithoutExtension(relativePath);
        name.Should().StartWith(resource.TypeName + "-");
        resource.Id.Should().NotBeNullOrEmpty();
    }

    private static readonly Lazy<IReadOnlyDictionary<string, string>> FindingsKinds = new(() =>
    {
        var codeSystem = (CodeSystem)Load("CodeSystem-net-findings.json");
        return codeSystem.Concept.ToDictionary(c => c.Code!, c => c.Property.Single(p => p.Code == "kind").Value.ToString()!);
    });

    [Fact]
    public void The_findings_code_system_is_ours()
    {
        var codeSystem = (CodeSystem)Load("CodeSystem-net-findings.json");

        codeSystem.Url.Should().Be(Findings);
        codeSystem.CaseSensitive.Should().BeTrue();
        codeSystem.Count.Should().Be(codeSystem.Concept.Count);
    }

    [Theory]
    [InlineData("mitotic-count", "observable")]
    [InlineData("tumor-differentiation", "observable")]
    [InlineData("well-differentiated", "answer")]
    [InlineData("poorly-differentiated", "answer")]
    [InlineData("liver-imaging-panel", "observable")]
    [InlineData("liver-lesion-count", "observable")]
    [InlineData("liver-lesion-diameter-sum", "observable")]
    [InlineData("liver-tumor-burden", "observable")]
    [InlineData("liver-lesion-distribution", "observable")]
    [InlineData("unilobar", "answer")]
    [InlineData("bilobar", "answer")]
    [InlineData("portal-vein-status", "observable")]
    [InlineData("patent", "answer")]
    [InlineData("partial-thrombosis", "answer")]
    [InlineData("complete-thrombosis", "answer")]
    [InlineData("extrahepatic-disease", "observable")]
    [InlineData("none", "answer")]
    [InlineData("limited-stable", "answer")]
    [InlineData("unresectable", "answer")]
    [InlineData("bone-metastases", "observable")]
    [InlineData("lesion-near-major-vessel", "observable")]
    [InlineData("lesion-near-vital-structure", "observable")]
    [InlineData("lesion-at-hilum", "observable")]
    [InlineData("sstr-uptake", "observable")]
    [InlineData("mibg-uptake", "observable")]
    [InlineData("lung-shunt-fraction", "observable")]
    [InlineData("hepatic-resectable-fraction", "observable")]
    [InlineData("future-liver-remnant-adequate", "observable")]
    [InlineData("vipoma", "condition")]
    [InlineData("functioning-syndrome-other", "condition")]
    [InlineData("biliary-enteric-anastomosis", "condition")]
    [InlineData("primary-tumor-resection", "procedure")]
    [InlineData("planned-exenteration", "procedure")]
    [InlineData("liver-resection", "procedure")]
    [InlineData("thermal-ablation", "procedure")]
    [InlineData("tae", "procedure")]
    [InlineData("tace", "procedure")]
    [InlineData("sirt", "procedure")]
    [InlineData("systemic-chemotherapy", "procedure")]
    public void Every_NETCDS_code_of_the_terminology_contract_is_in_the_code_system(string code, string kind)
    {
        FindingsKinds.Value.Should().ContainKey(code).WhoseValue.Should().Be(kind);
    }

    [Fact]
    public void Every_NETCDS_code_of_the_built_in_map_is_in_the_code_system()
    {
        using var stream = typeof(TerminologyMap).Assembly.GetManifestResourceStream("NetCds.Fhir.terminology.json")!;
        using var map = JsonDocument.Parse(stream, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var netcdsCodes = map.RootElement.EnumerateObject().Where(p => !p.Name.StartsWith('$'))
            .SelectMany(section => section.Value.EnumerateObject().SelectMany(meaning => meaning.Value.EnumerateArray()))
            .Select(c => c.GetString()!)
            .Where(c => c.StartsWith(Findings + "|", StringComparison.Ordinal))
            .Select(c => c[(Findings.Length + 1)..])
            .Distinct()
            .ToList();

        netcdsCodes.Should().HaveCountGreaterThan(35);
        FindingsKinds.Value.Keys.Should().Contain(netcdsCodes);
    }

    [Fact]
    public void Every_profile_has_an_example_that_declares_it()
    {
        // Extensions are not profiles an instance declares; a Bundle example's entries declare theirs (issue 21).
        var profiles = ProfileFiles.Select(r => r.Data).Where(f => f.StartsWith("StructureDefinition-", StringComparison.Ordinal))
            .Select(f => (StructureDefinition)Load(f)).Where(s => s.Type != "Extension").Select(s => s.Url).ToList();
        var declared = ProfileFiles.Select(r => r.Data).Where(f => f.StartsWith("examples", StringComparison.Ordinal))
            .Select(Load).SelectMany(r => r is Bundle b ? b.Entry.Select(e => e.Resource).OfType<Resource>() : [r])
            .SelectMany(r => r.Meta?.Profile ?? []).Distinct().ToList();

        profiles.Should().HaveCount(9);
        declared.Should().BeEquivalentTo(profiles);
    }

    [Fact]
    public void The_examples_map_together_into_the_expected_facts_without_problems()
    {
        var resources = ProfileFiles.Select(r => r.Data).Where(f => f.StartsWith("examples", StringComparison.Ordinal))
            .SelectMany(f => FhirInput.Resources(Load(f))).ToList();

        var mapping = new FactMapper(TerminologyMap.Default).Map(resources, AsOf);

        mapping.Problems.Should().BeEmpty();
        const string panel = "Observation/example-liver-imaging-panel";
        mapping.Facts.Should().BeEquivalentTo(new PatientFacts
        {
            Patient = "Patient/example-net-1",
            BirthDate = new Fact<DateOnly>(new DateOnly(1968, 4, 12), new DateTimeOffset(1968, 4, 12, 0, 0, 0, TimeSpan.Zero), "Patient/example-net-1"),
            PrimarySites = [new Fact<PrimarySite>(PrimarySite.Pancreas, Oct1, "Condition/example-pnet")],
            Conditions = [new Fact<ConditionKind>(ConditionKind.LiverMetastases, Oct1, "Condition/example-liver-metastases")],
            Ki67 = [new PathologyValue(12m, Oct1, "Observation/example-ki67")],
            ChromograninA = [new ChromograninMeasurement(340m, ChromograninUnit.MassConcentration, 100m, Oct1, "Observation/example-chromogranin-a")],
            LesionCount = [new Fact<Interval>(7, Oct1, panel)],
            LargestLesion = [new Fact<Interval>(4.2m, Oct1, panel, "cm")],
            LesionDiameterSum = [new Fact<Interval>(15m, Oct1, panel, "cm")],
            TumourBurden = [new Fact<Interval>(30m, Oct1, panel, "%")],
            LesionDistribution = [new Fact<LesionDistribution>(LesionDistribution.Bilobar, Oct1, panel)],
            PortalVein = [new Fact<PortalVeinStatus>(PortalVeinStatus.Patent, Oct1, panel)],
            ExtrahepaticDisease = [new Fact<ExtrahepaticDisease>(ExtrahepaticDisease.None, Oct1, panel)],
            BoneMetastases = [new Fact<bool>(false, Oct1, panel)],
            LesionNearMajorVessel = [new Fact<bool>(true, Oct1, panel)],
            LesionNearVitalStructure = [new Fact<bool>(false, Oct1, panel)],
            LesionAtHilum = [new Fact<bool>(false, Oct1, panel)],
            SstrUptake = [new Fact<int>(3, Oct1, "Observation/example-sstr-uptake")],
            LungShuntFraction = [new Fact<Interval>(8m, Oct1, "Observation/example-lung-shunt-fraction", "%")],
            ResectableFraction = [new Fact<Interval>(60m, Oct1, "Observation/example-hepatic-resectable-fraction", "%")],
            Bilirubin = [new Fact<Interval>(4.2m, Oct1, "Observation/example-bilirubin", "mg/dL")],
        });
    }

    [Fact]
    public void The_examples_evaluate_for_their_patient()
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Collection };
        foreach (var file in ProfileFiles.Select(r => r.Data).Where(f => f.StartsWith("examples", StringComparison.Ordinal)))
        {
            bundle.Entry.Add(new Bundle.EntryComponent { Resource = Load(file) });
        }

        var evaluation = new FhirEvaluation(TerminologyMap.Default, Domain.Policy.EligibilityPolicy.Default).Evaluate(bundle, AsOf);

        evaluation.Should().NotBeNull();
        evaluation!.Report.Patient.Should().Be("Patient/example-net-1");
        evaluation.Report.Facts.Age!.Value.Should().Be(58);
        evaluation.Report.Facts.LiverMetastases.Should().BeTrue();
        evaluation.Report.Facts.PrimarySite!.Value.Should().Be(PrimarySite.Pancreas);
        evaluation.Report.Facts.Tumour.Ki67!.Value.Exact.Should().Be(12m);
        evaluation.Mapping.Problems.Should().BeEmpty();
    }
}

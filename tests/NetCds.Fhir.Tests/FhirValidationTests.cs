using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;
using NetCds.Domain.Policy;
using NetCds.Fhir.Input;
using NetCds.Fhir.Knowledge;
using NetCds.Fhir.Reporting;
using NetCds.Fhir.Terminology;
using static NetCds.Fhir.Tests.Support.FhirBuilder;

namespace NetCds.Fhir.Tests;

/// <summary>
/// Issue 21: every example in fhir-profiles/, and what the service generates (the GuidanceResponse Bundle and the
/// PlanDefinitions), validated by a real validator (Firely.Fhir.Validation.R4) against base R4 and our profiles,
/// snapshots generated from the differentials.
/// </summary>
/// <remarks>
/// The Ki-67 and chromogranin A profiles are based on mCODE TumorMarkerTest, whose package is not served here: a
/// stand-in with mCODE's url and base Observation's content takes its place, so our own differential is checked on
/// top of base R4 and mCODE's own constraints are not (fhir-profiles/README).
/// </remarks>
public sealed class FhirValidationTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "fhir-profiles");
    private const string McodeTumorMarker = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-tumor-marker-test";

    private static readonly Lazy<Validator> Shared = new(Create);

    public static TheoryData<string> Examples =>
        [.. Directory.EnumerateFiles(Path.Combine(Root, "examples"), "*.json").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];

    public static TheoryData<string> PlanDefinitionIds => [.. PlanDefinitions.All(EligibilityPolicy.Default).Select(p => p.Id!)];

    private static Validator Create()
    {
        var standIn = new InMemoryResourceResolver(new StructureDefinition
        {
            Url = McodeTumorMarker,
            Name = "McodeTumorMarkerTestStandIn",
            Status = PublicationStatus.Draft,
            FhirVersion = FHIRVersion.N4_0_1,
            Kind = StructureDefinition.StructureDefinitionKind.Resource,
            Abstract = false,
            Type = "Observation",
            BaseDefinition = "http://hl7.org/fhir/StructureDefinition/Observation",
            Derivation = StructureDefinition.TypeDerivationRule.Constraint,
            Differential = new StructureDefinition.DifferentialComponent { Element = [new ElementDefinition("Observation")] },
        });
        var profiles = new DirectorySource(Root, new DirectorySourceSettings { IncludeSubDirectories = false });
        var resolver = new CachedResolver(new SnapshotSource(new MultiResolver(ZipSource.CreateValidationSource(), profiles, standIn)));
        return new Validator(resolver, new LocalTerminologyService(resolver));
    }

    private static Resource Load(string file) => FhirInput.Parse(File.ReadAllText(file)).Resource!;

    /// <summary>Errors and fatals, one line each; warnings and information do not fail a test.</summary>
    internal static List<string> Errors(Resource resource, string? profile = null)
    {
        var outcome = Shared.Value.Validate(resource, profile);
        return [.. outcome.Issue
            .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal)
            .Select(i => $"{string.Join(",", i.Expression ?? i.Location ?? [])}: {i.Details?.Text ?? i.Diagnostics}")];
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_is_valid_against_base_R4_and_its_profile(string file)
    {
        var resource = Load(Path.Combine(Root, "examples", file));

        Errors(resource, resource.Meta?.Profile.FirstOrDefault()).Should().BeEmpty();
    }

    [Fact]
    public void The_validator_finds_an_error_against_a_profile()
    {
        // Guards the test above: a Ki-67 example without its value breaks the profile (and base R4 allows that).
        var ki67 = (Observation)Load(Path.Combine(Root, "examples", "Observation-example-ki67.json"));
        ki67.Value = new FhirString("twelve");

        Errors(ki67, ki67.Meta!.Profile.First()).Should().NotBeEmpty();
    }

    [Fact]
    public void The_code_systems_list_every_order_and_every_status_and_effect()
    {
        var orders = (CodeSystem)Load(Path.Combine(Root, "CodeSystem-clinical-orders.json"));
        var statuses = (CodeSystem)Load(Path.Combine(Root, "CodeSystem-eligibility-status.json"));

        orders.Concept.Select(c => c.Code).Should().BeEquivalentTo(Enum.GetValues<NetCds.Domain.Facts.ClinicalOrder>().Select(o => ReportDocument.Kebab(o.ToString())));
        statuses.Concept.Select(c => c.Code).Should().BeEquivalentTo(Enum.GetValues<NetCds.Domain.Engine.FindingEffect>().Select(e => NetCds.Domain.Engine.StatusWords.Code(e)));
    }

    [Theory]
    [MemberData(nameof(PlanDefinitionIds))]
    public void Every_generated_plan_definition_is_valid(string id)
    {
        var plan = PlanDefinitions.Find(id, EligibilityPolicy.Default)!;

        Errors(plan, NetCdsCanonicals.PlanDefinitionProfile).Should().BeEmpty();
    }

    [Fact]
    public void A_generated_guidance_response_bundle_with_missing_data_and_contraindications_is_valid()
    {
        var bundle = GuidanceBundleForTheExamples();

        bundle.Entry.Select(e => e.Resource).OfType<DetectedIssue>().Should().NotBeEmpty();
        bundle.Entry.Select(e => e.Resource).OfType<GuidanceResponse>().Should().Contain(g => g.DataRequirement.Count > 0);
        Errors(bundle).Should().BeEmpty();
    }

    /// <summary>
    /// The GuidanceResponse and PlanDefinition examples, and the rule id CodeSystem, are what the code generates (the Bundle from the clinical
    /// examples, whose bilirubin contraindicates embolization). NETCDS_WRITE_FHIR_EXAMPLES=1 rewrites them into the
    /// source tree after a deliberate change.
    /// </summary>
    [Fact]
    public void The_generated_examples_are_what_the_code_generates()
    {
        var generated = new Dictionary<string, Resource>
        {
            ["Bundle-example-guidance-responses.json"] = GuidanceBundleForTheExamples(),
            ["PlanDefinition-example-netcds-emb.json"] = PlanDefinitions.Find("netcds-emb", EligibilityPolicy.Default)!,
            [Path.Combine("..", "CodeSystem-eligibility-rules.json")] = RuleCodeSystem.Build(),
        };
        var serializer = new FhirJsonSerializer();
        foreach (var (file, resource) in generated)
        {
            var json = System.Text.Json.Nodes.JsonNode.Parse(serializer.SerializeToString(resource))!
                .ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
            if (Environment.GetEnvironmentVariable("NETCDS_WRITE_FHIR_EXAMPLES") == "1")
            {
                File.WriteAllText(Path.Combine(SourceRoot(), "fhir-profiles", "examples", file), json);
            }
            else
            {
                File.ReadAllText(Path.Combine(Root, "examples", file)).ReplaceLineEndings("\n").Should().Be(json, $"{file} should be regenerated (NETCDS_WRITE_FHIR_EXAMPLES=1)");
            }
        }
    }

    private static string SourceRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NetCds.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("NetCds.sln not found above the test output.");
    }

    /// <summary>The fhir-profiles/ clinical examples (Patient, Observations, Conditions) evaluated and written as GuidanceResponses.</summary>
    internal static Bundle GuidanceBundleForTheExamples()
    {
        var input = new Bundle { Type = Bundle.BundleType.Collection };
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, "examples"), "*.json").Order(StringComparer.Ordinal))
        {
            var resource = Load(file);
            if (resource is Hl7.Fhir.Model.Patient or Observation or Condition)
            {
                input.Entry.Add(new Bundle.EntryComponent { Resource = resource });
            }
        }

        var evaluation = new FhirEvaluation(TerminologyMap.Default, EligibilityPolicy.Default).Evaluate(input, AsOf)!;
        return GuidanceResponses.From(evaluation.Document, TerminologyMap.Default);
    }
}

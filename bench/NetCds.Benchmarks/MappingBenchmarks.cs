using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using NetCds.Domain.Policy;
using NetCds.Fhir;
using NetCds.Fhir.Input;
using NetCds.Fhir.Terminology;

namespace NetCds.Benchmarks;

/// <summary>
/// A 100-Observation Bundle in units that need converting (bilirubin µmol/L, albumin g/L, platelets 10*3/uL, lesion
/// size mm): parse, map to facts and evaluate, against the bare Firely parse of the same JSON as the baseline
/// (issue 10: an evaluation should cost little more than parsing its input).
/// </summary>
[MemoryDiagnoser]
public class MappingBenchmarks
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FhirJsonDeserializer _deserializer = new();
    private readonly FhirEvaluation _evaluation = new(TerminologyMap.Default, EligibilityPolicy.Default);
    private string _bundle = "";

    private IReadOnlyList<NetCds.Fhir.Mapping.ResourceFacts> _mapped = [];

    [GlobalSetup]
    public void Setup()
    {
        _bundle = Bundle(observations: 100);
        var resources = FhirInput.Resources(FhirInput.Parse(_bundle).Resource!);
        _mapped = _evaluation.Mapper.MapResources(resources, "Patient/bench", AsOf, resources);
    }

    [Benchmark(Baseline = true)]
    public Resource BareFirelyParse() => _deserializer.Deserialize<Bundle>(_bundle);

    [Benchmark]
    public Evaluation? ParseMapEvaluate() => _evaluation.Evaluate(FhirInput.Parse(_bundle).Resource!, AsOf);

    /// <summary>The mapped resources' facts settled into one patient's (what a hook call for a patient with nothing stored does).</summary>
    [Benchmark]
    public NetCds.Fhir.Mapping.FactMapping Settle() => NetCds.Fhir.Mapping.FactMapper.Merge(_mapped, "Patient/bench");

    internal static string Bundle(int observations)
    {
        (string System, string Code, string Unit, decimal Value)[] kinds =
        [
            ("http://loinc.org", "14631-6", "umol/L", 12m),
            ("http://loinc.org", "1751-7", "g/L", 41m),
            ("http://loinc.org", "777-3", "10*3/uL", 210m),
            ("http://loinc.org", "33728-7", "mm", 34m),
        ];
        var entries = new StringBuilder();
        entries.Append("""{"resource":{"resourceType":"Patient","id":"bench","birthDate":"1970-01-01"}}""");
        for (var i = 0; i < observations; i++)
        {
            var (system, code, unit, value) = kinds[i % kinds.Length];
            var date = AsOf.AddDays(-7 * i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            entries.Append(CultureInfo.InvariantCulture,
                $$$$""",{"resource":{"resourceType":"Observation","id":"o{{{{i}}}}","status":"final","code":{"coding":[{"system":"{{{{system}}}}","code":"{{{{code}}}}"}]},"subject":{"reference":"Patient/bench"},"effectiveDateTime":"{{{{date}}}}","valueQuantity":{"value":{{{{value + (i % 5)}}}},"system":"http://unitsofmeasure.org","code":"{{{{unit}}}}"}}}""");
        }

        return $$"""{"resourceType":"Bundle","type":"collection","entry":[{{entries}}]}""";
    }
}

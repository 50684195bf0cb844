using BenchmarkDotNet.Attributes;
using Hl7.Fhir.Model;
using NetCds.Domain.Policy;
using NetCds.Fhir;
using NetCds.Fhir.Input;
using NetCds.Fhir.Mapping;
using NetCds.Fhir.Terminology;

namespace NetCds.Benchmarks;

/// <summary>
/// Issue 10, "map once": what a recompute costs for a 100-Observation record (the Bundle of <see cref="MappingBenchmarks"/>)
/// when it maps the parsed resources (what it did before) against when it merges each resource's kept facts (what it
/// does now), and against reading those facts from their kept JSON (a resource not held in memory). The baseline is
/// the bare Firely parse of the record, which a recompute without kept facts or parsed resources would also pay.
/// </summary>
[MemoryDiagnoser]
public class FactStateBenchmarks
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FhirEvaluation _evaluation = new(TerminologyMap.Default, EligibilityPolicy.Default);
    private string _bundle = "";
    private IReadOnlyList<SourcedResource> _parsed = [];
    private ResourceFacts[] _kept = [];
    private string[] _keptJson = [];

    [GlobalSetup]
    public void Setup()
    {
        _bundle = MappingBenchmarks.Bundle(observations: 100);
        _parsed = FhirInput.Resources(FhirInput.Parse(_bundle).Resource!);
        _kept = [.. _parsed.Select(r => _evaluation.Mapper.MapResource(r, "Patient/bench", AsOf, _parsed))];
        _keptJson = [.. _kept.Select(FactStateJson.Serialize)];
    }

    [Benchmark(Baseline = true)]
    public Resource? BareFirelyParse() => FhirInput.Parse(_bundle).Resource;

    [Benchmark]
    public Evaluation? MapParsedRecordAndEvaluate() => _evaluation.Evaluate(_parsed, AsOf, "Patient/bench");

    [Benchmark]
    public Evaluation? MergeKeptFactsAndEvaluate() => _evaluation.Evaluate(FactMapper.Merge(_kept, "Patient/bench"), AsOf);

    [Benchmark]
    public Evaluation? ReadKeptJsonMergeAndEvaluate() =>
        _evaluation.Evaluate(FactMapper.Merge(_keptJson.Select(FactStateJson.Deserialize), "Patient/bench"), AsOf);
}

using BenchmarkDotNet.Attributes;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;

namespace NetCds.Benchmarks;

/// <summary>
/// One full evaluation (all twelve therapies, derived facts, also-reported items) for three record sizes:
/// nothing known, a complete work-up, and a long history (five years of monthly labs and quarterly imaging).
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly PatientFacts _empty = PatientFacts.Empty;
    private PatientFacts _workUp = PatientFacts.Empty;
    private PatientFacts _history = PatientFacts.Empty;

    [GlobalSetup]
    public void Setup()
    {
        _workUp = WorkUp(months: 1);
        _history = WorkUp(months: 60);
    }

    [Benchmark(Baseline = true)]
    public EligibilityReport NothingKnown() => EligibilityEngine.Evaluate(_empty, AsOf, EligibilityPolicy.Default);

    [Benchmark]
    public EligibilityReport CompleteWorkUp() => EligibilityEngine.Evaluate(_workUp, AsOf, EligibilityPolicy.Default);

    [Benchmark]
    public EligibilityReport FiveYearHistory() => EligibilityEngine.Evaluate(_history, AsOf, EligibilityPolicy.Default);

    private static PatientFacts WorkUp(int months)
    {
        var n = 0;
        Fact<T> F<T>(T value, int monthsAgo, string? unit = null) => new(value, AsOf.AddMonths(-monthsAgo), $"Observation/b{++n}", unit);
        List<Fact<T>> Monthly<T>(Func<int, T> value, int step = 1, string? unit = null) =>
            [.. Enumerable.Range(0, Math.Max(1, months / step)).Select(i => F(value(i), i * step, unit))];

        return new PatientFacts
        {
            Patient = "Patient/bench",
            BirthDate = new Fact<DateOnly>(new DateOnly(1975, 3, 1), AsOf.AddYears(-5), "Patient/bench"),
            PrimarySites = [F(PrimarySite.Pancreas, 30)],
            Conditions = [F(ConditionKind.LiverMetastases, 30), F(ConditionKind.CarcinoidSyndrome, 30)],
            Differentiation = [F(Differentiation.Well, 30)],
            Ki67 = [new PathologyValue(4m, AsOf.AddMonths(-30), "Observation/ki67", "Specimen/1")],
            ChromograninA = [.. Enumerable.Range(0, Math.Max(1, months / 3)).Select(i => new ChromograninMeasurement(200m + (i * 5), ChromograninUnit.MassConcentration, 100m, AsOf.AddMonths(-i * 3), $"Observation/cga{i}"))],
            Bilirubin = Monthly<Interval>(i => 0.8m + (i % 3 * 0.1m), unit: "mg/dL"),
            Albumin = Monthly<Interval>(_ => 4.1m, unit: "g/dL"),
            Inr = Monthly<Interval>(_ => 1.0m),
            CreatinineClearance = Monthly<Interval>(_ => 85m, unit: "mL/min"),
            Platelets = Monthly<Interval>(_ => 210m),
            Haemoglobin = Monthly<Interval>(_ => 12.8m, unit: "g/dL"),
            Ecog = Monthly(_ => 1, step: 3),
            LesionCount = Monthly<Interval>(_ => 8, step: 3),
            LargestLesion = Monthly<Interval>(i => 4m - (i * 0.01m), step: 3, unit: "cm"),
            LesionDiameterSum = Monthly<Interval>(i => 12m - (i * 0.02m), step: 3, unit: "cm"),
            TumourBurden = Monthly<Interval>(_ => 35m, step: 3, unit: "%"),
            LesionDistribution = [F(LesionDistribution.Bilobar, 1)],
            PortalVein = [F(PortalVeinStatus.Patent, 1)],
            ExtrahepaticDisease = [F(ExtrahepaticDisease.None, 1)],
            BoneMetastases = [F(false, 1)],
            SstrUptake = [F(3, 6)],
            DiseaseStatus = Monthly(i => i == 0 ? DiseaseStatus.Worsened : DiseaseStatus.Stable, step: 3),
            Medications = [F(new MedicationUse(MedicationKind.SomatostatinAnalogue, true), 24)],
        };
    }
}

using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;

namespace NetCds.Domain.Tests.Support;

/// <summary>Dates relative to the fixed evaluation instant, so no test reads the clock.</summary>
public static class Ago
{
    public static readonly DateTimeOffset AsOf = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset Months(int months) => AsOf.AddMonths(-months);

    public static DateTimeOffset Days(int days) => AsOf.AddDays(-days);
}

/// <summary>
/// Builds <see cref="PatientFacts"/> the way the FHIR layer would: every value dated and sourced.
/// Start from <see cref="New"/> (nothing known) or a complete work-up, then change one thing per test.
/// </summary>
public sealed class Patient
{
    private PatientFacts _facts = new() { Patient = "Patient/test" };
    private int _sequence;

    public static Patient New() => new();

    /// <summary>
    /// Pancreatic NET G1, resected primary, liver metastases with a complete, reassuring work-up: 3 bilobar lesions,
    /// largest 2.5 cm, burden 20 %, portal vein patent, no extrahepatic disease, normal labs, ECOG 0, SSTR Krenning 3,
    /// stable for 9 months, age 45. Imaging fits RES-IDEAL, so the disease is resectable.
    /// </summary>
    public static Patient ResectableCandidate() => New()
        .BornYearsAgo(45)
        .Primary(PrimarySite.Pancreas)
        .Procedure(ProcedureKind.PrimaryTumourResection, Ago.Months(24))
        .Condition(ConditionKind.LiverMetastases)
        .Differentiation(Facts.Differentiation.Well)
        .Ki67(2m)
        .Lesions(3, 2.5m, LesionDistribution.Bilobar)
        .Burden(20m)
        .PortalVein(PortalVeinStatus.Patent)
        .Extrahepatic(ExtrahepaticDisease.None)
        .BoneMetastases(false)
        .Bilirubin(0.8m).Albumin(4.0m).Inr(1.0m).Clearance(90m).Platelets(220m).Haemoglobin(13m)
        .Ecog(0)
        .Sstr(3)
        .Mibg(false)
        .LungShunt(8m)
        .DiseaseStatus(Facts.DiseaseStatus.Stable, Ago.Months(10))
        .DiseaseStatus(Facts.DiseaseStatus.Stable, Ago.Months(1));

    /// <summary>
    /// As <see cref="ResectableCandidate"/> but a surgeon judged only 50 % resectable: 8 bilobar lesions, largest 4 cm, burden 40 %.
    /// </summary>
    public static Patient UnresectableCandidate() => ResectableCandidate()
        .Lesions(8, 4m, LesionDistribution.Bilobar)
        .Burden(40m)
        .ResectableFraction(50m);

    public Patient With(Func<PatientFacts, PatientFacts> change)
    {
        _facts = change(_facts);
        return this;
    }

    private string Next(string type) => $"{type}/t{++_sequence}";

    private static DateTimeOffset Default(DateTimeOffset? at) => at ?? Ago.Months(1);

    private static IReadOnlyList<T> Add<T>(IReadOnlyList<T> list, T item) => [.. list, item];

    private Patient Obs<T>(Func<PatientFacts, IReadOnlyList<Fact<T>>> get, Func<PatientFacts, IReadOnlyList<Fact<T>>, PatientFacts> set, T value, DateTimeOffset? at, string? unit = null) =>
        With(f => set(f, Add(get(f), new Fact<T>(value, Default(at), Next("Observation"), unit))));

    public Patient BornYearsAgo(int years, int extraDays = 0) =>
        With(f => f with { BirthDate = new Fact<DateOnly>(DateOnly.FromDateTime(Ago.AsOf.UtcDateTime).AddYears(-years).AddDays(-extraDays), Ago.Months(60), "Patient/test") });

    public Patient Primary(PrimarySite site, DateTimeOffset? at = null) =>
        With(f => f with { PrimarySites = Add(f.PrimarySites, new Fact<PrimarySite>(site, Default(at), Next("Condition"))) });

    public Patient Condition(ConditionKind kind, DateTimeOffset? at = null) =>
        With(f => f with { Conditions = Add(f.Conditions, new Fact<ConditionKind>(kind, Default(at), Next("Condition"))) });

    public Patient Differentiation(Differentiation value, DateTimeOffset? at = null) =>
        Obs(f => f.Differentiation, (f, v) => f with { Differentiation = v }, value, at);

    public Patient Ki67(Interval percent, DateTimeOffset? at = null, string? specimen = null) =>
        With(f => f with { Ki67 = Add(f.Ki67, new PathologyValue(percent, Default(at), Next("Observation"), specimen)) });

    public Patient Mitoses(Interval per10Hpf, DateTimeOffset? at = null, string? specimen = null) =>
        With(f => f with { MitoticCount = Add(f.MitoticCount, new PathologyValue(per10Hpf, Default(at), Next("Observation"), specimen)) });

    public Patient LesionCount(Interval count, DateTimeOffset? at = null) => Obs(f => f.LesionCount, (f, v) => f with { LesionCount = v }, count, at);

    public Patient LargestLesion(Interval cm, DateTimeOffset? at = null) => Obs(f => f.LargestLesion, (f, v) => f with { LargestLesion = v }, cm, at, "cm");

    public Patient DiameterSum(Interval cm, DateTimeOffset? at = null) => Obs(f => f.LesionDiameterSum, (f, v) => f with { LesionDiameterSum = v }, cm, at, "cm");

    public Patient Distribution(LesionDistribution value, DateTimeOffset? at = null) => Obs(f => f.LesionDistribution, (f, v) => f with { LesionDistribution = v }, value, at);

    /// <summary>Replaces lesion count, largest lesion and (when given) distribution with a newer study.</summary>
    public Patient Lesions(Interval count, Interval largestCm, LesionDistribution? distribution = null, DateTimeOffset? at = null)
    {
        With(f => f with { LesionCount = [], LargestLesion = [], LesionDistribution = distribution is null ? f.LesionDistribution : [] });
        LesionCount(count, at).LargestLesion(largestCm, at);
        return distribution is null ? this : Distribution(distribution.Value, at);
    }

    public Patient Burden(Interval percent, DateTimeOffset? at = null) =>
        With(f => f with { TumourBurden = [] }).Obs(f => f.TumourBurden, (f, v) => f with { TumourBurden = v }, percent, at, "%");

    public Patient PortalVein(PortalVeinStatus value, DateTimeOffset? at = null) => Obs(f => f.PortalVein, (f, v) => f with { PortalVein = v }, value, at);

    public Patient Extrahepatic(ExtrahepaticDisease value, DateTimeOffset? at = null) => Obs(f => f.ExtrahepaticDisease, (f, v) => f with { ExtrahepaticDisease = v }, value, at);

    public Patient BoneMetastases(bool value, DateTimeOffset? at = null) => Obs(f => f.BoneMetastases, (f, v) => f with { BoneMetastases = v }, value, at);

    public Patient NearMajorVessel(bool value = true) => Obs(f => f.LesionNearMajorVessel, (f, v) => f with { LesionNearMajorVessel = v }, value, null);

    public Patient NearVitalStructure(bool value = true) => Obs(f => f.LesionNearVitalStructure, (f, v) => f with { LesionNearVitalStructure = v }, value, null);

    public Patient AtHilum(bool value = true) => Obs(f => f.LesionAtHilum, (f, v) => f with { LesionAtHilum = v }, value, null);

    public Patient Bilirubin(Interval mgDl, DateTimeOffset? at = null) => Obs(f => f.Bilirubin, (f, v) => f with { Bilirubin = v }, mgDl, at, "mg/dL");

    public Patient Albumin(Interval gDl, DateTimeOffset? at = null) => Obs(f => f.Albumin, (f, v) => f with { Albumin = v }, gDl, at, "g/dL");

    public Patient Inr(Interval value, DateTimeOffset? at = null) => Obs(f => f.Inr, (f, v) => f with { Inr = v }, value, at);

    public Patient Clearance(Interval mlMin, DateTimeOffset? at = null) => Obs(f => f.CreatinineClearance, (f, v) => f with { CreatinineClearance = v }, mlMin, at, "mL/min");

    public Patient Platelets(Interval perNl, DateTimeOffset? at = null) => Obs(f => f.Platelets, (f, v) => f with { Platelets = v }, perNl, at, "10*9/L");

    public Patient Haemoglobin(Interval gDl, DateTimeOffset? at = null) => Obs(f => f.Haemoglobin, (f, v) => f with { Haemoglobin = v }, gDl, at, "g/dL");

    public Patient Ecog(int value, DateTimeOffset? at = null) => Obs(f => f.Ecog, (f, v) => f with { Ecog = v }, value, at);

    public Patient Karnofsky(int value, DateTimeOffset? at = null) => Obs(f => f.Karnofsky, (f, v) => f with { Karnofsky = v }, value, at);

    public Patient DiseaseStatus(DiseaseStatus value, DateTimeOffset? at = null) => Obs(f => f.DiseaseStatus, (f, v) => f with { DiseaseStatus = v }, value, at);

    /// <summary>Replaces the course with progression recorded at <paramref name="at"/> (default a month ago).</summary>
    public Patient Progressing(DateTimeOffset? at = null) => Without(FactKind.DiseaseStatus).DiseaseStatus(Facts.DiseaseStatus.Worsened, at);

    /// <summary>Replaces the course with two "stable" assessments spanning <paramref name="months"/> months up to a month ago.</summary>
    public Patient StableFor(int months) => Without(FactKind.DiseaseStatus)
        .DiseaseStatus(Facts.DiseaseStatus.Stable, Ago.Months(1 + months))
        .DiseaseStatus(Facts.DiseaseStatus.Stable, Ago.Months(1));

    public Patient Sstr(int krenning, DateTimeOffset? at = null) => Obs(f => f.SstrUptake, (f, v) => f with { SstrUptake = v }, krenning, at);

    public Patient Mibg(bool uptake, DateTimeOffset? at = null) => Obs(f => f.MibgUptake, (f, v) => f with { MibgUptake = v }, uptake, at);

    public Patient LungShunt(Interval percent, DateTimeOffset? at = null) => Obs(f => f.LungShuntFraction, (f, v) => f with { LungShuntFraction = v }, percent, at, "%");

    public Patient ResectableFraction(Interval percent, DateTimeOffset? at = null) => Obs(f => f.ResectableFraction, (f, v) => f with { ResectableFraction = v }, percent, at, "%");

    public Patient FutureLiverRemnantAdequate(bool value, DateTimeOffset? at = null) => Obs(f => f.FutureLiverRemnantAdequate, (f, v) => f with { FutureLiverRemnantAdequate = v }, value, at);

    public Patient PrimarySize(Interval cm, DateTimeOffset? at = null) => Obs(f => f.PrimaryTumourSize, (f, v) => f with { PrimaryTumourSize = v }, cm, at, "cm");

    public Patient Urinary5Hiaa(Interval umolPerDay, DateTimeOffset? at = null) => Obs(f => f.Urinary5Hiaa, (f, v) => f with { Urinary5Hiaa = v }, umolPerDay, at, "umol/24h");

    public Patient Procedure(ProcedureKind kind, DateTimeOffset? at = null) =>
        With(f => f with { Procedures = Add(f.Procedures, new Fact<ProcedureKind>(kind, Default(at), Next("Procedure"))) });

    public Patient Medication(MedicationKind kind, bool active = true, DateTimeOffset? at = null, DateTimeOffset? until = null, string? drug = null) =>
        With(f => f with { Medications = Add(f.Medications, new Fact<MedicationUse>(new MedicationUse(kind, active, until, drug), Default(at), Next("MedicationStatement"))) });

    public Patient ChromograninA(Interval value, DateTimeOffset at, ChromograninUnit unit = ChromograninUnit.MassConcentration, decimal? upperLimit = null, string? assay = null) =>
        With(f => f with { ChromograninA = Add(f.ChromograninA, new ChromograninMeasurement(value, unit, upperLimit, at, Next("Observation"), assay)) });

    /// <summary>Forgets everything known about one input, to test what its absence does.</summary>
    public Patient Without(FactKind fact) => With(f => fact switch
    {
        FactKind.BirthDate => f with { BirthDate = null },
        FactKind.LiverMetastases => f with { Conditions = [.. f.Conditions.Where(c => c.Value != ConditionKind.LiverMetastases)], LesionCount = [] },
        FactKind.PrimarySite => f with { PrimarySites = [] },
        FactKind.Differentiation => f with { Differentiation = [] },
        FactKind.Ki67 => f with { Ki67 = [] },
        FactKind.MitoticCount => f with { MitoticCount = [] },
        FactKind.Bilirubin => f with { Bilirubin = [] },
        FactKind.Albumin => f with { Albumin = [] },
        FactKind.Inr => f with { Inr = [] },
        FactKind.CreatinineClearance => f with { CreatinineClearance = [] },
        FactKind.Platelets => f with { Platelets = [] },
        FactKind.Haemoglobin => f with { Haemoglobin = [] },
        FactKind.Ecog => f with { Ecog = [], Karnofsky = [] },
        FactKind.DiseaseStatus => f with { DiseaseStatus = [], LesionDiameterSum = [] },
        FactKind.LesionCount => f with { LesionCount = [] },
        FactKind.LargestLesion => f with { LargestLesion = [] },
        FactKind.TumourBurden => f with { TumourBurden = [] },
        FactKind.LesionDistribution => f with { LesionDistribution = [] },
        FactKind.PortalVein => f with { PortalVein = [] },
        FactKind.ExtrahepaticDisease => f with { ExtrahepaticDisease = [] },
        FactKind.BoneMetastases => f with { BoneMetastases = [] },
        FactKind.SstrUptake => f with { SstrUptake = [] },
        FactKind.MibgUptake => f with { MibgUptake = [] },
        FactKind.LungShuntFraction => f with { LungShuntFraction = [] },
        FactKind.ResectableFraction => f with { ResectableFraction = [] },
        FactKind.PrimaryResection => f with { Procedures = [.. f.Procedures.Where(p => p.Value != ProcedureKind.PrimaryTumourResection)] },
        _ => throw new ArgumentOutOfRangeException(nameof(fact), fact, "add it to Patient.Without"),
    });

    public PatientFacts Build() => _facts;

    public EligibilityReport Evaluate(EligibilityPolicy? policy = null) =>
        EligibilityEngine.Evaluate(_facts, Ago.AsOf, policy ?? EligibilityPolicy.Default);

    public TherapyAssessment Assess(TherapyId therapy, EligibilityPolicy? policy = null) => Evaluate(policy)[therapy];
}

using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;

namespace NetCds.Domain.Derived;

/// <summary>
/// What the rules read: the newest value of each fact and the facts derived from several (grade, course,
/// resectability, chromogranin A trend). Computed once per evaluation at a fixed <c>asOf</c>.
/// Tri-state answers are <c>bool?</c>: null is unknown, never false.
/// </summary>
public sealed record DerivedFacts
{
    public required DateTimeOffset AsOf { get; init; }

    /// <summary>Age in whole years at <see cref="AsOf"/>.</summary>
    public Fact<int>? Age { get; init; }

    /// <summary>Liver metastases: a diagnosis or lesions on imaging say yes; imaging with no lesion says no.</summary>
    public bool? LiverMetastases { get; init; }

    public IReadOnlyList<InputReference> LiverMetastasesInputs { get; init; } = [];

    public Fact<PrimarySite>? PrimarySite { get; init; }

    /// <summary>Primary drained by the portal system (002 Table 2, 001); null for rectum, unknown primary or not recorded.</summary>
    public bool? PortalVenousPrimary { get; init; }

    public required TumourGrading Tumour { get; init; }

    /// <summary>Hormonal syndromes recorded (002, 003 §1). None recorded means non-functioning.</summary>
    public IReadOnlyList<Fact<ConditionKind>> Syndromes { get; init; } = [];

    public bool IsFunctioning => Syndromes.Count > 0;

    public required LiverImaging Imaging { get; init; }

    public required Resectability Resectability { get; init; }

    public required DiseaseCourse Course { get; init; }

    public required ChromograninTrend Chromogranin { get; init; }

    public Fact<Interval>? Urinary5Hiaa { get; init; }

    public Fact<Interval>? Bilirubin { get; init; }

    public Fact<Interval>? Albumin { get; init; }

    public Fact<Interval>? Inr { get; init; }

    public Fact<Interval>? CreatinineClearance { get; init; }

    public Fact<Interval>? Platelets { get; init; }

    public Fact<Interval>? Haemoglobin { get; init; }

    /// <summary>ECOG, or Karnofsky converted to ECOG when that is newer.</summary>
    public Fact<int>? Ecog { get; init; }

    /// <summary>The Karnofsky score as recorded when it is the newer performance status (<see cref="Ecog"/> then holds its conversion); null otherwise.</summary>
    public Fact<int>? Karnofsky { get; init; }

    public Fact<int>? SstrUptake { get; init; }

    public Fact<bool>? MibgUptake { get; init; }

    public Fact<Interval>? LungShuntFraction { get; init; }

    public Fact<Interval>? ResectableFraction { get; init; }

    public Fact<bool>? FutureLiverRemnantAdequate { get; init; }

    public IReadOnlyList<Fact<Interval>> PrimaryTumourSize { get; init; } = [];

    public Fact<ProcedureKind>? PrimaryResection { get; init; }

    public Fact<ProcedureKind>? PlannedExenteration { get; init; }

    public IReadOnlyList<Fact<ProcedureKind>> PriorLiverDirectedTherapy { get; init; } = [];

    public IReadOnlyList<Fact<ProcedureKind>> PriorPrrt { get; init; } = [];

    public IReadOnlyList<Fact<ConditionKind>> Conditions { get; init; } = [];

    public IReadOnlyList<Fact<MedicationUse>> Medications { get; init; } = [];

    public Fact<ConditionKind>? Condition(ConditionKind kind) => Conditions.Where(c => c.Value == kind).ToList().Newest();

    public Fact<MedicationUse>? ActiveMedication(MedicationKind kind) =>
        Medications.Where(m => m.Value.Kind == kind && m.Value.Active).ToList().Newest();

    public Fact<MedicationUse>? AnyMedication(MedicationKind kind) =>
        Medications.Where(m => m.Value.Kind == kind).ToList().Newest();

    /// <summary>
    /// The newest course of a drug during which progression was recorded (after its start, and before its end or
    /// with no end recorded), with that progression; null when there is none (EVE-FAILED, SUN-FAILED, INF-IND).
    /// </summary>
    public (Fact<MedicationUse> Course, InputReference Progression)? ProgressionOn(MedicationKind kind)
    {
        foreach (var course in Medications.Where(m => m.Value.Kind == kind).OrderByDescending(m => m.Effective))
        {
            var end = course.Value.End;
            if (Course.Progressions.LastOrDefault(p => p.Date > course.Effective && (end is null || p.Date <= end)) is { } progression)
            {
                return (course, progression);
            }
        }

        return null;
    }

    public static DerivedFacts From(PatientFacts facts, DateTimeOffset asOf, EligibilityPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(policy);

        var imaging = LiverImaging.From(facts);
        var primary = facts.PrimarySites.Newest();
        var liverMetsDiagnosis = facts.Conditions.Where(c => c.Value == ConditionKind.LiverMetastases).ToList().Newest();
        var (liverMets, liverMetsInputs) = (liverMetsDiagnosis, imaging.LesionCount) switch
        {
            ({ } d, _) => ((bool?)true, new List<InputReference> { InputReference.From(FactKind.LiverMetastases, d) }),
            (null, { } count) => (count.Value.IsAbove(0), [InputReference.From(FactKind.LesionCount, count)]),
            _ => (null, []),
        };

        return new DerivedFacts
        {
            AsOf = asOf,
            Age = facts.BirthDate is { } born ? new Fact<int>(AgeAt(born.Value, asOf), born.Effective, born.Source, "years") : null,
            LiverMetastases = liverMets,
            LiverMetastasesInputs = liverMetsInputs,
            PrimarySite = primary,
            PortalVenousPrimary = primary is null ? null : IsPortalVenous(primary.Value),
            Tumour = TumourGrading.Derive(facts, policy.Grading),
            Syndromes = [.. facts.Conditions.Where(c => IsHormonalSyndrome(c.Value))],
            Imaging = imaging,
            Resectability = Resectability.Derive(imaging, facts.ResectableFraction.Newest(), policy.Resection),
            Course = DiseaseCourse.Derive(facts, asOf, policy.DiseaseCourse),
            Chromogranin = ChromograninTrend.Derive(facts, asOf, policy.Chromogranin),
            Urinary5Hiaa = facts.Urinary5Hiaa.Newest(),
            Bilirubin = facts.Bilirubin.Newest(),
            Albumin = facts.Albumin.Newest(),
            Inr = facts.Inr.Newest(),
            CreatinineClearance = facts.CreatinineClearance.Newest(),
            Platelets = facts.Platelets.Newest(),
            Haemoglobin = facts.Haemoglobin.Newest(),
            Ecog = PerformanceStatus(facts),
            Karnofsky = KarnofskyInForce(facts),
            SstrUptake = facts.SstrUptake.Newest(),
            MibgUptake = facts.MibgUptake.Newest(),
            LungShuntFraction = facts.LungShuntFraction.Newest(),
            ResectableFraction = facts.ResectableFraction.Newest(),
            FutureLiverRemnantAdequate = facts.FutureLiverRemnantAdequate.Newest(),
            PrimaryTumourSize = [.. facts.PrimaryTumourSize.OrderBy(s => s.Effective)],
            PrimaryResection = facts.Procedures.Where(p => p.Value == ProcedureKind.PrimaryTumourResection).ToList().Newest(),
            PlannedExenteration = facts.Procedures.Where(p => p.Value == ProcedureKind.PlannedExenteration).ToList().Newest(),
            PriorLiverDirectedTherapy = [.. facts.Procedures.Where(p => p.Value is ProcedureKind.LiverResection or ProcedureKind.ThermalAblation or ProcedureKind.Tae or ProcedureKind.Tace or ProcedureKind.Sirt)],
            PriorPrrt = [.. facts.Procedures.Where(p => p.Value == ProcedureKind.Prrt)],
            Conditions = facts.Conditions,
            Medications = facts.Medications,
        };
    }

    /// <summary>002 Table 2, 001: pancreas, stomach, duodenum, small intestine, appendix and colon drain to the portal vein.</summary>
    public static bool? IsPortalVenous(PrimarySite site) => site switch
    {
        Facts.PrimarySite.Pancreas or Facts.PrimarySite.Stomach or Facts.PrimarySite.Duodenum
            or Facts.PrimarySite.SmallIntestine or Facts.PrimarySite.Appendix or Facts.PrimarySite.Colon => true,
        Facts.PrimarySite.Lung or Facts.PrimarySite.OtherExtraAbdominal => false,
        _ => null,
    };

    /// <summary>Functioning tumour (002, 003 §1): carcinoid syndrome (and its heart disease), insulinoma, gastrinoma, VIPoma, glucagonoma, others.</summary>
    public static bool IsHormonalSyndrome(ConditionKind kind) => kind is ConditionKind.CarcinoidSyndrome
        or ConditionKind.CarcinoidHeartDisease or ConditionKind.ZollingerEllison or ConditionKind.Insulinoma
        or ConditionKind.Glucagonoma or ConditionKind.Vipoma or ConditionKind.OtherHormonalSyndrome;

    internal static int AgeAt(DateOnly birthDate, DateTimeOffset asOf)
    {
        var today = DateOnly.FromDateTime(asOf.UtcDateTime);
        var age = today.Year - birthDate.Year;
        return birthDate > today.AddYears(-age) ? age - 1 : age;
    }

    /// <summary>Karnofsky to ECOG by the usual bands (100-90 → 0, 80-70 → 1, 60-50 → 2, 40-30 → 3, 20-10 → 4, 0 → 5).</summary>
    internal static int EcogFromKarnofsky(int karnofsky) => karnofsky switch
    {
        >= 90 => 0,
        >= 70 => 1,
        >= 50 => 2,
        >= 30 => 3,
        >= 10 => 4,
        _ => 5,
    };

    private static Fact<int>? PerformanceStatus(PatientFacts facts) =>
        KarnofskyInForce(facts) is { } karnofsky
            ? new Fact<int>(EcogFromKarnofsky(karnofsky.Value), karnofsky.Effective, karnofsky.Source, $"(ECOG, from Karnofsky {karnofsky.Value})")
            : facts.Ecog.Newest();

    /// <summary>The newest Karnofsky score when it is newer than the newest ECOG (the newest performance status wins).</summary>
    private static Fact<int>? KarnofskyInForce(PatientFacts facts)
    {
        var ecog = facts.Ecog.Newest();
        var karnofsky = facts.Karnofsky.Newest();
        return karnofsky is not null && (ecog is null || karnofsky.Effective > ecog.Effective) ? karnofsky : null;
    }
}

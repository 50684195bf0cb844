using System.Globalization;
using System.Reflection;

namespace NetCds.Domain.Policy;

/// <summary>
/// Marks a threshold that is not in the cited articles but a configurable default from later trials or
/// guidelines (catalogue "[site policy]"). Findings that use it say so on the card.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SitePolicyAttribute : Attribute;

/// <summary>A setting quoted on a finding: its configuration path and the value in force.</summary>
public sealed record PolicySetting(string Setting, string Value)
{
    public static PolicySetting Of(string setting, decimal value) => new(setting, value.ToString(CultureInfo.InvariantCulture));

    public static PolicySetting Of(string setting, int value) => new(setting, value.ToString(CultureInfo.InvariantCulture));

    public static PolicySetting Of(string setting, Enum value) => new(setting, value.ToString());

    public static PolicySetting Of(string setting, bool value) => new(setting, value.ToString());
}

/// <summary>
/// Every threshold of the rule catalogue, with the catalogue's default. Bound from the configuration
/// section <c>Eligibility</c>; property paths (e.g. <c>Eligibility:Embolization:BilirubinContraindicatedAboveMgDl</c>)
/// are the names findings quote.
/// </summary>
public sealed class EligibilityPolicy
{
    public static EligibilityPolicy Default { get; } = new();

    public FitnessPolicy Fitness { get; init; } = new();

    public GradingPolicy Grading { get; init; } = new();

    public DiseaseCoursePolicy DiseaseCourse { get; init; } = new();

    public ChromograninPolicy Chromogranin { get; init; } = new();

    public ResectionPolicy Resection { get; init; } = new();

    public AblationPolicy Ablation { get; init; } = new();

    public EmbolizationPolicy Embolization { get; init; } = new();

    public RadioembolizationPolicy Radioembolization { get; init; } = new();

    public TransplantPolicy Transplant { get; init; } = new();

    public SomatostatinAnaloguePolicy SomatostatinAnalogues { get; init; } = new();

    public PrrtPolicy Prrt { get; init; } = new();

    public EverolimusPolicy Everolimus { get; init; } = new();

    public SunitinibPolicy Sunitinib { get; init; } = new();

    public AlsoReportedPolicy AlsoReported { get; init; } = new();

    private IReadOnlyList<PolicySetting>? _sitePolicySettings;

    /// <summary>Every [site policy] setting and its value, for the report and the docs (read once: the policy is immutable once bound).</summary>
    public IReadOnlyList<PolicySetting> SitePolicySettings() => _sitePolicySettings ??= ReadSitePolicySettings();

    private List<PolicySetting> ReadSitePolicySettings()
    {
        var settings = new List<PolicySetting>();
        foreach (var group in typeof(EligibilityPolicy).GetProperties().Where(p => p.PropertyType.IsClass && p.GetIndexParameters().Length == 0 && p.Name != nameof(Default)))
        {
            var section = group.GetValue(this);
            if (section is null)
            {
                continue;
            }

            foreach (var setting in group.PropertyType.GetProperties().Where(p => p.GetCustomAttribute<SitePolicyAttribute>() is not null))
            {
                var value = Convert.ToString(setting.GetValue(section), CultureInfo.InvariantCulture) ?? "";
                settings.Add(new PolicySetting($"Eligibility:{group.Name}:{setting.Name}", value));
            }
        }

        return settings;
    }
}

/// <summary>
/// FIT-PS [site policy]: performance status before any therapy (002 Management prior to treatment). ECOG and
/// Karnofsky have their own limits, so a site can move one without the Karnofsky-to-ECOG bands deciding for it.
/// </summary>
public sealed class FitnessPolicy
{
    /// <summary>FIT-PS: ECOG at or above this is poor performance status.</summary>
    [SitePolicy]
    public int EcogPoorFrom { get; init; } = 3;

    /// <summary>FIT-PS: Karnofsky at or below this counts as ECOG 3 or worse.</summary>
    [SitePolicy]
    public int KarnofskyPoorAtMost { get; init; } = 40;
}

/// <summary>WHO 2010 grading (002 Introduction), the 2-3 % Ki-67 gap closed per WHO 2017.</summary>
public sealed class GradingPolicy
{
    /// <summary>G1 when Ki-67 is below this (%). WHO 2010 left 2-3 % unassigned; WHO 2017 closes it at 3.</summary>
    [SitePolicy]
    public decimal Ki67G1Below { get; init; } = 3m;

    /// <summary>G3 when Ki-67 is above this (%).</summary>
    public decimal Ki67G3Above { get; init; } = 20m;

    /// <summary>G1 when mitoses per 10 HPF are below this.</summary>
    public decimal MitosesG1Below { get; init; } = 2m;

    /// <summary>G3 when mitoses per 10 HPF are above this.</summary>
    public decimal MitosesG3Above { get; init; } = 20m;
}

public enum ResponseCriteria
{
    /// <summary>003 §4.3: partial response over 30 % shrinkage, progression over 25 % growth.</summary>
    Vogl2009,

    /// <summary>RECIST 1.1: progression at least 20 % and at least 5 mm over the nadir.</summary>
    Recist11,
}

public sealed class DiseaseCoursePolicy
{
    /// <summary>Progression recorded within this many months counts as "progressing".</summary>
    public int ProgressionWindowMonths { get; init; } = 12;

    /// <summary>Which morphological criteria read the lesion measurements. RECIST 1.1 is the site-policy alternative.</summary>
    [SitePolicy]
    public ResponseCriteria Criteria { get; init; } = ResponseCriteria.Vogl2009;

    /// <summary>003 §4.3 progression: growth above this % of the nadir.</summary>
    public decimal ProgressionGrowthAbovePercent { get; init; } = 25m;

    /// <summary>003 §4.3 partial response: shrinkage above this % of baseline.</summary>
    public decimal ResponseShrinkageAbovePercent { get; init; } = 30m;

    /// <summary>RECIST 1.1 progression: growth of at least this % ...</summary>
    [SitePolicy]
    public decimal RecistProgressionGrowthPercent { get; init; } = 20m;

    /// <summary>... and at least this many cm in absolute terms.</summary>
    [SitePolicy]
    public decimal RecistProgressionAbsoluteCm { get; init; } = 0.5m;

    /// <summary>With no assessment this recent (months) the course is unknown rather than stale-stable.</summary>
    [SitePolicy]
    public int AssessmentStaleAfterMonths { get; init; } = 12;
}

public sealed class ChromograninPolicy
{
    /// <summary>Biochemical response: fall of at least this % from baseline (003 Table 2 uses &gt; 50 %).</summary>
    public decimal ResponseFallPercent { get; init; } = 50m;

    /// <summary>Biochemical progression: rise of at least this % over the nadir.</summary>
    [SitePolicy]
    public decimal ProgressionRisePercent { get; init; } = 25m;

    /// <summary>Creatinine clearance below this (mL/min) flags renal impairment as a cause of false elevation.</summary>
    [SitePolicy]
    public decimal RenalImpairmentClearanceBelow { get; init; } = 60m;
}

public sealed class ResectionPolicy
{
    /// <summary>RES-CUR / RES-DEBULK: at least this % of liver disease resectable or ablatable (80-90 % per 004).</summary>
    public decimal ResectableFractionAtLeastPercent { get; init; } = 90m;

    /// <summary>Likely unresectable with no surgical assessment: bilobar and more than this many lesions ...</summary>
    [SitePolicy]
    public int LikelyUnresectableLesionsAbove { get; init; } = 10;

    /// <summary>... or bilobar and burden above this %.</summary>
    [SitePolicy]
    public decimal LikelyUnresectableBurdenAbovePercent { get; init; } = 50m;

    /// <summary>RES-IDEAL (003 §2.1): lesions in both lobes, fewer than this many (3-5) ...</summary>
    public int IdealBilobarLesionsBelow { get; init; } = 5;

    /// <summary>... each smaller than this (cm).</summary>
    public decimal IdealBilobarSizeBelowCm { get; init; } = 3m;

    /// <summary>RES-IDEAL (003 §6): oligonodular, fewer than this many lesions ...</summary>
    public int OligonodularLesionsBelow { get; init; } = 5;

    /// <summary>... each smaller than this (cm).</summary>
    public decimal OligonodularSizeBelowCm { get; init; } = 5m;
}

public sealed class AblationPolicy
{
    /// <summary>ABL-SIZE: largest lesion below this (cm) is eligible ...</summary>
    public decimal SizeEligibleBelowCm { get; init; } = 5m;

    /// <summary>... above this (cm) ablation is not indicated as sole therapy (a limit of the indication, not a harm); between, consider.</summary>
    public decimal SizeContraindicatedAboveCm { get; init; } = 7m;

    /// <summary>ABL-COUNT: fewer lesions than this are eligible (003 §6: oligonodular is "less than 5") ...</summary>
    public int CountEligibleBelow { get; init; } = 5;

    /// <summary>... up to this many consider (one sitting, 003 §3.2.1); more is not indicated as sole therapy.</summary>
    public int CountConsiderAtMost { get; init; } = 12;

    /// <summary>ABL-3CM: largest lesion above this (cm) predicts shorter survival after RFA.</summary>
    public decimal SurvivalNoteAboveCm { get; init; } = 3m;
}

/// <summary>Liver reserve, shared by EMB-LIVER and SIRT-LIVER.</summary>
public sealed class EmbolizationPolicy
{
    /// <summary>EMB-LIVER: bilirubin above this (mg/dL; 51 µmol/L) is severe dysfunction.</summary>
    [SitePolicy]
    public decimal BilirubinContraindicatedAboveMgDl { get; init; } = 3m;

    /// <summary>EMB-LIVER: bilirubin from this (mg/dL) up to the severe limit gives consider.</summary>
    [SitePolicy]
    public decimal BilirubinConsiderFromMgDl { get; init; } = 2m;

    /// <summary>EMB-PS: ECOG at or above this is poor performance status.</summary>
    [SitePolicy]
    public int EcogContraindicatedFrom { get; init; } = 3;

    /// <summary>EMB-COAG: INR above this is coagulopathy.</summary>
    [SitePolicy]
    public decimal InrContraindicatedAbove { get; init; } = 1.5m;

    /// <summary>EMB-COAG: platelets below this (10⁹/L).</summary>
    [SitePolicy]
    public decimal PlateletsContraindicatedBelow { get; init; } = 50m;

    /// <summary>EMB-COAG: renal failure when creatinine clearance is below this (mL/min).</summary>
    [SitePolicy]
    public decimal RenalFailureClearanceBelow { get; init; } = 30m;

    /// <summary>EMB-BURDEN: up to this % eligible ...</summary>
    public decimal BurdenEligibleAtMostPercent { get; init; } = 50m;

    /// <summary>... above this % contraindicated (000 §4 relative, 002 not applicable); between, consider.</summary>
    [SitePolicy]
    public decimal BurdenContraindicatedAbovePercent { get; init; } = 75m;

    /// <summary>EMB-DEB: drug-eluting beads not advised when the largest lesion is below this (cm).</summary>
    public decimal DrugElutingBeadsLesionBelowCm { get; init; } = 4m;

    /// <summary>EMB-ALB: albumin below this (g/dL) predicts poorer survival after TACE.</summary>
    public decimal AlbuminNoteBelowGdl { get; init; } = 3.5m;
}

public sealed class RadioembolizationPolicy
{
    /// <summary>SIRT-SHUNT: lung shunt fraction above this (%).</summary>
    [SitePolicy]
    public decimal LungShuntContraindicatedAbovePercent { get; init; } = 20m;

    /// <summary>SIRT-BURDEN: burden above this (%) gives consider (001 vs 002).</summary>
    public decimal BurdenConsiderAbovePercent { get; init; } = 75m;
}

/// <summary>Milan-NET criteria (001, 002 Table 2, 003 §2.1).</summary>
public sealed class TransplantPolicy
{
    public int AgeBelow { get; init; } = 55;

    public decimal Ki67Below { get; init; } = 10m;

    public decimal BurdenBelowPercent { get; init; } = 50m;

    public int StableAtLeastMonths { get; init; } = 6;

    /// <summary>
    /// LT-LAST: a patient who meets every criterion with no earlier treatment of the NET recorded is consider, not
    /// eligible (transplant comes after other options); false reports it as a note.
    /// </summary>
    [SitePolicy]
    public bool AfterOtherTreatment { get; init; } = true;
}

public sealed class SomatostatinAnaloguePolicy
{
    /// <summary>SSA-SSTR: Krenning score at or above this counts as positive.</summary>
    public int KrenningPositiveFrom { get; init; } = 2;

    /// <summary>SSA-INSULINOMA: an SSA for insulinoma is consider, not eligible (it may deepen hypoglycaemia).</summary>
    [SitePolicy]
    public bool InsulinomaConsider { get; init; } = true;

    /// <summary>SSA-PROMID: most benefit with liver involvement at most this % (and a resected primary).</summary>
    public decimal PromidBurdenAtMostPercent { get; init; } = 10m;
}

public sealed class PrrtPolicy
{
    /// <summary>PRRT-SSTR: uptake at least equal to normal liver (Krenning 2).</summary>
    public int KrenningAtLeast { get; init; } = 2;

    /// <summary>PRRT-RENAL: creatinine clearance below this (mL/min).</summary>
    [SitePolicy]
    public decimal ClearanceContraindicatedBelow { get; init; } = 50m;

    /// <summary>PRRT-MARROW: haemoglobin below this (g/dL).</summary>
    [SitePolicy]
    public decimal HaemoglobinContraindicatedBelowGdl { get; init; } = 8m;

    /// <summary>PRRT-MARROW: platelets below this (10⁹/L).</summary>
    [SitePolicy]
    public decimal PlateletsContraindicatedBelow { get; init; } = 75m;

    /// <summary>PRRT-IND: burden above this % is the extensive load where early PRRT is discussed (000 §6).</summary>
    public decimal ExtensiveBurdenAbovePercent { get; init; } = 50m;
}

public enum EverolimusLinePolicy
{
    /// <summary>NCCN: everolimus acceptable first line.</summary>
    FirstLineAcceptable,

    /// <summary>ENETS: after chemotherapy failure; first line only in selected cases.</summary>
    AfterChemotherapy,
}

public sealed class EverolimusPolicy
{
    /// <summary>EVE-FAILED: progression recorded while on everolimus makes it not-indicated (treatment failure); false reports it as a note.</summary>
    [SitePolicy]
    public bool ProgressionOnDrugIsFailure { get; init; } = true;

    /// <summary>EVE-LINE (002): which guideline's line of therapy the site follows.</summary>
    [SitePolicy]
    public EverolimusLinePolicy Line { get; init; } = EverolimusLinePolicy.FirstLineAcceptable;

    /// <summary>EVE-NONPANC: consider everolimus for non-functioning lung/GI NET (RADIANT-4, after the articles).</summary>
    [SitePolicy]
    public bool NonPancreatic { get; init; } = true;
}

public sealed class SunitinibPolicy
{
    /// <summary>SUN-FAILED: progression recorded while on sunitinib makes it not-indicated (treatment failure); false reports it as a note.</summary>
    [SitePolicy]
    public bool ProgressionOnDrugIsFailure { get; init; } = true;

    /// <summary>SUN-KI67: benefit lessened above this Ki-67 (%), exploratory (000 §9).</summary>
    public decimal Ki67NoteAbove { get; init; } = 5m;
}

public sealed class AlsoReportedPolicy
{
    /// <summary>PRIMARY: pancreatic primary larger than this (cm) is considered for resection.</summary>
    public decimal PancreaticPrimaryAboveCm { get; init; } = 2m;

    /// <summary>PRIMARY (MEN1): growth above this (cm/year).</summary>
    public decimal Men1GrowthAboveCmPerYear { get; init; } = 0.5m;

    /// <summary>Urinary 5-HIAA above this (µmol/24 h) predicts reduced survival (003 §4.2: 300-500).</summary>
    public decimal Urinary5HiaaPrognosticAbove { get; init; } = 300m;
}

using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using NetCds.Domain.Engine;
using NetCds.Domain.Policy;
using static NetCds.Domain.Engine.Evidence;

namespace NetCds.Domain.Rules;

/// <summary>
/// A threshold of <see cref="EligibilityPolicy"/> a rule applies, named by its configuration path
/// (<c>Eligibility:Embolization:BilirubinContraindicatedAboveMgDl</c>) and read from the policy in force, so the
/// published catalogue shows the site's values, not the defaults (issue 21).
/// </summary>
public sealed class PolicyThreshold
{
    private readonly Func<EligibilityPolicy, object?> _read;

    private PolicyThreshold(string setting, bool sitePolicy, Func<EligibilityPolicy, object?> read) =>
        (Setting, SitePolicy, _read) = (setting, sitePolicy, read);

    /// <summary>Configuration path, as findings quote it.</summary>
    public string Setting { get; }

    /// <summary>True when the threshold is [site policy]: a configurable default, not from the cited articles.</summary>
    public bool SitePolicy { get; }

    public string ValueIn(EligibilityPolicy policy) => Convert.ToString(_read(policy), CultureInfo.InvariantCulture) ?? "";

    /// <summary><c>Of(p =&gt; p.Embolization.BilirubinContraindicatedAboveMgDl)</c>: the path comes from the expression, so a rename cannot leave a stale name.</summary>
    public static PolicyThreshold Of<T>(Expression<Func<EligibilityPolicy, T>> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        if (setting.Body is not MemberExpression { Member: PropertyInfo property, Expression: MemberExpression { Member: PropertyInfo group, Expression: ParameterExpression } })
        {
            throw new ArgumentException("Expected p => p.Group.Setting.", nameof(setting));
        }

        var read = setting.Compile();
        return new PolicyThreshold($"Eligibility:{group.Name}:{property.Name}", property.GetCustomAttribute<SitePolicyAttribute>() is not null, p => read(p));
    }
}

/// <summary>
/// One rule of the catalogue (docs: the clinical rule catalogue): its stable id, its condition in words with the
/// thresholds in force, what it can yield, and the article sections it rests on. Every rule that can fire is
/// listed under each therapy it applies to (FIT-PS, FIT-HEART and SSA-PROPHYLAXIS apply to several).
/// </summary>
/// <param name="Yields">The statuses the rule can vote for, or note/technique. A rule whose input is missing also
/// yields insufficient-data (catalogue: missing safety data is not a pass).</param>
/// <param name="Prerequisite">Work-up the rule asks for before the therapy, when it does.</param>
public sealed record RuleDefinition(
    string Id,
    Func<EligibilityPolicy, string> Condition,
    IReadOnlyList<FindingEffect> Yields,
    IReadOnlyList<Evidence> Evidence,
    IReadOnlyList<PolicyThreshold> Thresholds,
    string? Prerequisite = null)
{
    /// <summary>[site policy] rules: not in the articles, a configurable default from later trials or guidelines.</summary>
    public bool SitePolicy { get; init; }
}

/// <summary>A therapy of the catalogue with its rules in the order the catalogue lists them.</summary>
public sealed record TherapyDefinition(TherapyId Therapy, string Title, string Description, IReadOnlyList<Evidence> Evidence, IReadOnlyList<RuleDefinition> Rules);

/// <summary>
/// The rule catalogue as data (issue 21): what the rule sets in this folder implement, for the published FHIR
/// PlanDefinitions. Kept beside the rules; a test checks that every rule a therapy fires in the vignettes is listed
/// for it here.
/// </summary>
public static class RuleCatalogue
{
    private const FindingEffect Eligible = FindingEffect.Eligible;
    private const FindingEffect Consider = FindingEffect.Consider;
    private const FindingEffect Insufficient = FindingEffect.InsufficientData;
    private const FindingEffect NotIndicated = FindingEffect.NotIndicated;
    private const FindingEffect Contraindicated = FindingEffect.Contraindicated;
    private const FindingEffect Note = FindingEffect.Note;
    private const FindingEffect Technique = FindingEffect.Technique;

    public static IReadOnlyList<TherapyDefinition> Therapies { get; } = Build();

    public static TherapyDefinition For(TherapyId therapy) => Therapies.Single(t => t.Therapy == therapy);

    private static string I(FormattableString text) => FormattableString.Invariant(text);

    private static PolicyThreshold T<TValue>(Expression<Func<EligibilityPolicy, TValue>> setting) => PolicyThreshold.Of(setting);

    private static RuleDefinition R(string id, Func<EligibilityPolicy, string> condition, FindingEffect[] yields, string[] citations, params PolicyThreshold[] thresholds) =>
        new(id, condition, yields, Cite(citations), thresholds);

    /// <summary>FIT-PS [site policy]: poor performance status, per therapy (LT not-indicated, the others consider; not EMB, not SSA).</summary>
    private static RuleDefinition FitPs(FindingEffect whenPoor) => new(
        "FIT-PS",
        p => I($"ECOG ≥ {p.Fitness.EcogPoorFrom} (or Karnofsky ≤ {p.Fitness.KarnofskyPoorAtMost}): poor performance status, {(whenPoor == NotIndicated ? "not a transplant candidate" : "MDT judgement of fitness")}; a missing performance status is listed as missing and changes no status"),
        [whenPoor, Note],
        whenPoor == NotIndicated ? Cite("002 Management prior to treatment", "002 Liver transplantation") : Cite("002 Management prior to treatment"),
        [T(p => p.Fitness.EcogPoorFrom), T(p => p.Fitness.KarnofskyPoorAtMost)])
    {
        SitePolicy = true,
    };

    private static RuleDefinition FitHeart => new(
        "FIT-HEART", _ => "carcinoid heart disease: echocardiography and cardiology review first (no status change)", [Note], Cite("002 Management prior to treatment"), [],
        Prerequisite: "echocardiography and cardiology review")
    {
        SitePolicy = true,
    };

    private static RuleDefinition SsaProphylaxis => new(
        "SSA-PROPHYLAXIS", _ => "functioning tumour and a procedure: peri-procedural octreotide to prevent carcinoid crisis", [Note], Cite("001 Systemic therapies", "000 §3", "000 §6"), [],
        Prerequisite: "peri-procedural octreotide");

    private static RuleDefinition LiverReserve(string id, string[] citations) =>
        R(id, p => I($"total bilirubin > {p.Embolization.BilirubinContraindicatedAboveMgDl} mg/dL (×17.1 for µmol/L) or liver failure: contraindicated; {p.Embolization.BilirubinConsiderFromMgDl}-{p.Embolization.BilirubinContraindicatedAboveMgDl} mg/dL: consider; bilirubin unknown: insufficient-data"),
            [Eligible, Consider, Contraindicated, Insufficient], citations,
            T(p => p.Embolization.BilirubinContraindicatedAboveMgDl), T(p => p.Embolization.BilirubinConsiderFromMgDl));

    private static RuleDefinition HighGrade(string id, string[] citations) =>
        R(id, _ => "poorly differentiated neuroendocrine carcinoma (NEC): not-indicated; well-differentiated NET G3: consider (the articles predate the category)", [NotIndicated, Consider], citations);

    private static List<TherapyDefinition> Build() =>
    [
        new(TherapyId.Res, "Liver resection (curative or cytoreductive)", "Resection of liver metastases when all or nearly all liver disease can be removed.", Cite("000 §2", "001", "002 Surgery", "004"),
        [
            R("RES-IND", p => I($"liver metastases of a well-differentiated NET G1/G2 (Ki-67 < {p.Grading.Ki67G1Below} % is G1, > {p.Grading.Ki67G3Above} % is G3)"), [Eligible, NotIndicated, Consider, Insufficient], ["002", "000 §2"], T(p => p.Grading.Ki67G1Below), T(p => p.Grading.Ki67G3Above)),
            R("RES-CUR", p => I($"at least {p.Resection.ResectableFractionAtLeastPercent} % of the liver disease resectable and/or ablatable, primary resected or resectable; with no surgical assessment, bilobar and > {p.Resection.LikelyUnresectableLesionsAbove} lesions or burden > {p.Resection.LikelyUnresectableBurdenAbovePercent} % is likely unresectable"),
                [Eligible, Consider, Insufficient], ["001 Role of surgery", "000 §2", "002 Surgery", "004"],
                T(p => p.Resection.ResectableFractionAtLeastPercent), T(p => p.Resection.LikelyUnresectableLesionsAbove), T(p => p.Resection.LikelyUnresectableBurdenAbovePercent)) with { Prerequisite = "hepatobiliary surgical assessment" },
            R("RES-EHD", _ => "extrahepatic disease beyond the primary: contraindicated for curative intent; limited stable extrahepatic disease: consider", [Eligible, Consider, Contraindicated, Insufficient], ["000 §2", "001"]),
            R("RES-BONE", _ => "bone metastases: contraindicated", [Eligible, Contraindicated, Insufficient], ["002 Management prior to treatment"]),
            R("RES-DEBULK", p => I($"debulking only when at least {p.Resection.ResectableFractionAtLeastPercent} % can be removed (less: not-indicated); consider for refractory hormonal symptoms or mass effect at the hilum or bowel"), [Eligible, Consider, NotIndicated, Note], ["000 §2", "002 Surgery", "004 Resection"], T(p => p.Resection.ResectableFractionAtLeastPercent)),
            R("RES-IDEAL", p => I($"note: single-lobe disease, or fewer than {p.Resection.IdealBilobarLesionsBelow} bilobar lesions each < {p.Resection.IdealBilobarSizeBelowCm} cm, or oligonodular (< {p.Resection.OligonodularLesionsBelow} lesions each < {p.Resection.OligonodularSizeBelowCm} cm)"), [Note], ["003 §2.1", "003 §6"],
                T(p => p.Resection.IdealBilobarLesionsBelow), T(p => p.Resection.IdealBilobarSizeBelowCm), T(p => p.Resection.OligonodularLesionsBelow), T(p => p.Resection.OligonodularSizeBelowCm)),
            HighGrade("RES-NEC", ["002"]),
            FitPs(Consider), FitHeart, SsaProphylaxis,
        ]),
        new(TherapyId.Abl, "Thermal ablation (RFA, MWA, cryoablation, LITT; PEI)", "Ablation of liver metastases, alone or with resection.", Cite("001 Image guided ablative techniques", "002 Ablative therapies", "003 §3.2.1", "004"),
        [
            R("ABL-IND", _ => "liver metastases of a well-differentiated NET: unresectable lesions, adjunct to resection, recurrence after resection or medically inoperable; consider when resectable (resection preferred)", [Eligible, Consider, NotIndicated, Insufficient], ["001 Image guided ablative techniques", "004", "000 §11"]),
            R("ABL-SIZE", p => I($"largest lesion < {p.Ablation.SizeEligibleBelowCm} cm: eligible; up to {p.Ablation.SizeContraindicatedAboveCm} cm: consider; larger: not-indicated as sole therapy"), [Eligible, Consider, NotIndicated, Insufficient], ["002 Table 1", "002 Ablative therapies", "003 §3.2.1"],
                T(p => p.Ablation.SizeEligibleBelowCm), T(p => p.Ablation.SizeContraindicatedAboveCm)),
            R("ABL-COUNT", p => I($"fewer than {p.Ablation.CountEligibleBelow} lesions: eligible; up to {p.Ablation.CountConsiderAtMost}: consider; more: not-indicated as sole therapy"), [Eligible, Consider, NotIndicated, Insufficient], ["003 §6", "003 §3.2.1"],
                T(p => p.Ablation.CountEligibleBelow), T(p => p.Ablation.CountConsiderAtMost)),
            R("ABL-3CM", p => I($"note: largest lesion > {p.Ablation.SurvivalNoteAboveCm} cm predicts shorter survival after RFA"), [Note], ["000 §3", "004"], T(p => p.Ablation.SurvivalNoteAboveCm)),
            R("ABL-VESSEL", _ => "technique: lesion next to a major hepatic vessel, prefer MWA over RFA (heat sink)", [Technique], ["000 §3", "001"]),
            R("ABL-SURFACE", _ => "technique: lesion at the liver surface or near vital structures, RFA may be contraindicated; cryotherapy or PEI instead", [Technique], ["002 Ablative therapies"]),
            R("ABL-CRYO", _ => "technique: cryoablation causes coagulopathy and transfusion need; avoid with coagulopathy or thrombocytopenia", [Technique], ["000 §3"]),
            HighGrade("ABL-NEC", ["002"]),
            FitPs(Consider), SsaProphylaxis,
        ]),
        new(TherapyId.Emb, "Transarterial embolization / chemoembolization (TAE, TACE, DEB-TACE)", "Hepatic arterial embolization for liver-predominant disease.", Cite("000 §4", "001", "002 Table 1", "003 §6", "004"),
        [
            R("EMB-IND", _ => "unresectable liver-predominant disease of a NET G1/G2, multinodular or high liver load, poorly controlled functioning tumour, recurrence or neoadjuvant downsizing; consider when resectable", [Eligible, Consider, NotIndicated, Insufficient], ["002 Table 1", "003 §6", "003 §5", "004 Summary"]),
            R("EMB-PV", _ => "complete portal vein thrombosis: contraindicated; partial thrombosis: consider; portal vein status unknown: insufficient-data", [Eligible, Consider, Contraindicated, Insufficient], ["000 §4", "001", "002", "004"]),
            LiverReserve("EMB-LIVER", ["000 §4", "001", "002", "004"]),
            R("EMB-BILIARY", _ => "biliary-enteric anastomosis (e.g. Whipple): contraindicated (abscess risk); partial absence of the pancreas without the operation named: consider", [Consider, Contraindicated], ["001", "002"]),
            R("EMB-PS", p => I($"ECOG ≥ {p.Embolization.EcogContraindicatedFrom}: contraindicated; performance status unknown: insufficient-data"), [Eligible, Contraindicated, Insufficient], ["002"], T(p => p.Embolization.EcogContraindicatedFrom)) with { SitePolicy = true },
            R("EMB-COAG", p => I($"uncorrectable coagulopathy (INR > {p.Embolization.InrContraindicatedAbove} or platelets < {p.Embolization.PlateletsContraindicatedBelow} ×10⁹/L) or renal failure (creatinine clearance < {p.Embolization.RenalFailureClearanceBelow} mL/min): contraindicated"), [Eligible, Contraindicated, Insufficient], ["004"],
                T(p => p.Embolization.InrContraindicatedAbove), T(p => p.Embolization.PlateletsContraindicatedBelow), T(p => p.Embolization.RenalFailureClearanceBelow)),
            R("EMB-BURDEN", p => I($"hepatic replacement ≤ {p.Embolization.BurdenEligibleAtMostPercent} %: eligible; up to {p.Embolization.BurdenContraindicatedAbovePercent} %: consider; more: contraindicated"), [Eligible, Consider, Contraindicated, Insufficient], ["000 §4", "002"],
                T(p => p.Embolization.BurdenEligibleAtMostPercent), T(p => p.Embolization.BurdenContraindicatedAbovePercent)),
            R("EMB-EHD", _ => "note: extrahepatic disease and an unresected primary are not contraindications", [Note], ["000 §4", "003 §5"]),
            R("EMB-HILUM", _ => "note: hilar lesions respond poorly for mass-effect symptoms", [Note], ["004"]),
            R("EMB-DEB", p => I($"note: no drug-eluting beads when the largest lesion is < {p.Embolization.DrugElutingBeadsLesionBelowCm} cm (biloma risk)"), [Note], ["000 §4"], T(p => p.Embolization.DrugElutingBeadsLesionBelowCm)),
            R("EMB-ALB", p => I($"note: albumin < {p.Embolization.AlbuminNoteBelowGdl} g/dL predicts poorer survival after TACE"), [Note], ["000 Table 3"], T(p => p.Embolization.AlbuminNoteBelowGdl)),
            R("EMB-CIRRHOSIS", _ => "active cirrhosis or another chronic liver disease: consider (risk of decompensation)", [Consider], ["000 §4"]),
            HighGrade("EMB-NEC", ["002"]),
            FitHeart, SsaProphylaxis,
        ]),
        new(TherapyId.Sirt, "Radioembolization (Y-90 microspheres)", "Selective internal radiation therapy of liver metastases.", Cite("000 §5", "001", "002"),
        [
            R("SIRT-IND", _ => "unresectable liver metastases of a well-differentiated NET, including after TAE/TACE and in disseminated disease; NEC: not-indicated; NET G3: consider; consider when resectable", [Eligible, Consider, NotIndicated, Insufficient], ["001", "002"]),
            LiverReserve("SIRT-LIVER", ["001", "002", "000 §4"]),
            R("SIRT-PV", _ => "compromised portal vein or portal vein thrombosis: contraindicated; portal vein status unknown: insufficient-data", [Eligible, Contraindicated, Insufficient], ["001", "002"]),
            R("SIRT-SHUNT", p => I($"Tc-99m MAA study first; lung shunt fraction > {p.Radioembolization.LungShuntContraindicatedAbovePercent} % or uncorrectable gastrointestinal shunting: contraindicated"), [Eligible, Contraindicated, Insufficient], ["000 §5", "001", "002"],
                T(p => p.Radioembolization.LungShuntContraindicatedAbovePercent)) with { Prerequisite = "Tc-99m MAA shunt study" },
            R("SIRT-BURDEN", p => I($"hepatic replacement > {p.Radioembolization.BurdenConsiderAbovePercent} %: consider (the sources disagree)"), [Eligible, Consider, Insufficient], ["001", "002"], T(p => p.Radioembolization.BurdenConsiderAbovePercent)),
            R("SIRT-LONG", _ => "note: long-term radiation hepatotoxicity is unknown; caution when many years of life are expected", [Note], ["000 §5"]),
            FitPs(Consider), FitHeart, SsaProphylaxis,
        ]),
        new(TherapyId.Lt, "Orthotopic liver transplantation (Milan-NET criteria)", "Selected patients, after other options: every criterion must hold.", Cite("001", "002 Table 2", "003 §2.1", "000 §11"),
        [
            R("LT-AGE", p => I($"age < {p.Transplant.AgeBelow}"), [Eligible, NotIndicated, Insufficient], ["002 Table 2", "003 §2.1"], T(p => p.Transplant.AgeBelow)),
            R("LT-KI67", p => I($"low grade: Ki-67 < {p.Transplant.Ki67Below} % and no reported measure in the G3 range"), [Eligible, NotIndicated, Insufficient], ["002 Table 2"], T(p => p.Transplant.Ki67Below)),
            R("LT-PRIMARY", _ => "primary drained by the portal system, already removed by curative resection", [Eligible, NotIndicated, Insufficient], ["002 Table 2", "001"]),
            R("LT-EHD", _ => "no extrahepatic disease", [Eligible, NotIndicated, Insufficient], ["002 Table 2"]),
            R("LT-BURDEN", p => I($"less than {p.Transplant.BurdenBelowPercent} % of the liver involved"), [Eligible, NotIndicated, Insufficient], ["002 Table 2"], T(p => p.Transplant.BurdenBelowPercent)),
            R("LT-STABLE", p => I($"stable disease for at least {p.Transplant.StableAtLeastMonths} months before listing"), [Eligible, NotIndicated, Insufficient], ["002 Table 2"], T(p => p.Transplant.StableAtLeastMonths)),
            R("LT-UNRES", _ => "liver disease unresectable or likely unresectable (resectable: not-indicated)", [Eligible, NotIndicated, Insufficient], ["000 §11", "004"]),
            R("LT-NEC", _ => "small-cell or high-grade neuroendocrine carcinoma: contraindicated", [Contraindicated], ["002"]),
            R("LT-EXENT", _ => "planned concurrent major abdominal resection (exenteration, Whipple): contraindicated", [Contraindicated], ["000 §10", "001"]),
            R("LT-LAST", p => I($"every criterion met and no earlier treatment of the NET recorded: {(p.Transplant.AfterOtherTreatment ? "consider (transplant comes after other options)" : "a note only")}"), [Eligible, Consider, Note], ["002 Liver transplantation", "003 §2.1", "004 Summary"], T(p => p.Transplant.AfterOtherTreatment)) with { SitePolicy = true },
            FitPs(NotIndicated), FitHeart, SsaProphylaxis,
        ]),
        new(TherapyId.Ssa, "Somatostatin analogues (octreotide LAR, lanreotide)", "Symptom control of functioning tumours and antiproliferative treatment.", Cite("000 §7", "001", "002", "003 §2.2"),
        [
            R("SSA-SYMPTOM", _ => "functioning tumour with a hormonal syndrome: eligible for symptom control, SSTR imaging as prerequisite when missing", [Eligible], ["000 §7", "001", "003 §2.2"]) with { Prerequisite = "somatostatin-receptor imaging" },
            R("SSA-ANTIPROLIF", _ => "well-differentiated G1: eligible; G2: consider; non-functioning pancreatic NET G3: not-indicated", [Eligible, Consider, NotIndicated, Insufficient], ["002"]),
            R("SSA-FAILED", _ => "progression recorded while on an SSA: the antiproliferative use is consider (shorter interval or higher dose)", [Consider], ["002 Somatostatin analogues"]),
            R("SSA-SSTR", p => I($"antiproliferative use needs SSTR imaging: missing: insufficient-data; Krenning 0: not-indicated; Krenning below {p.SomatostatinAnalogues.KrenningPositiveFrom}: consider; from {p.SomatostatinAnalogues.KrenningPositiveFrom}: positive"), [Eligible, Consider, NotIndicated, Insufficient], ["002 Table 1"], T(p => p.SomatostatinAnalogues.KrenningPositiveFrom)),
            R("SSA-PROMID", p => I($"note: most benefit with liver involvement ≤ {p.SomatostatinAnalogues.PromidBurdenAtMostPercent} % and a resected primary"), [Note], ["000 §7", "002"], T(p => p.SomatostatinAnalogues.PromidBurdenAtMostPercent)),
            R("SSA-INSULINOMA", p => I($"insulinoma: {(p.SomatostatinAnalogues.InsulinomaConsider ? "consider (may worsen hypoglycaemia)" : "no change")}"), [Consider], ["002"], T(p => p.SomatostatinAnalogues.InsulinomaConsider)) with { SitePolicy = true },
        ]),
        new(TherapyId.Inf, "Interferon-alpha", "At most consider, usually with an SSA.", Cite("001", "002 Table 1"),
        [
            R("INF-IND", p => I($"consider when any one holds: G1; SSTR-negative (Krenning < {p.SomatostatinAnalogues.KrenningPositiveFrom}) G1/G2; well-differentiated G1/G2 pancreatic NET; progression on an SSA. NEC or NET G3: not-indicated; none holds: not-indicated; only an unknown input could make it consider: insufficient-data"),
                [Consider, NotIndicated, Insufficient], ["001", "002 Table 1"], T(p => p.SomatostatinAnalogues.KrenningPositiveFrom)),
            FitPs(Consider),
        ]),
        new(TherapyId.Prrt, "Peptide receptor radionuclide therapy (Lu-177 / Y-90 DOTATATE)", "For SSTR-positive, well-differentiated metastatic NET.", Cite("000 §6", "001", "002"),
        [
            R("PRRT-SSTR", p => I($"uptake at least equal to normal liver (Krenning ≥ {p.Prrt.KrenningAtLeast}); lower: not-indicated; no SSTR imaging: insufficient-data"), [Eligible, NotIndicated, Insufficient], ["000 §6", "002"], T(p => p.Prrt.KrenningAtLeast)),
            R("PRRT-IND", p => I($"unresectable or inoperable metastatic well-differentiated NET; NEC: not-indicated; NET G3: consider; consider when resectable; burden > {p.Prrt.ExtensiveBurdenAbovePercent} %: early PRRT discussed"), [Eligible, Consider, NotIndicated, Insufficient, Note], ["001", "002", "000 §6"], T(p => p.Prrt.ExtensiveBurdenAbovePercent)),
            R("PRRT-MARROW", p => I($"haemoglobin < {p.Prrt.HaemoglobinContraindicatedBelowGdl} g/dL or platelets < {p.Prrt.PlateletsContraindicatedBelow} ×10⁹/L: contraindicated"), [Eligible, Contraindicated, Insufficient], ["000 §6", "001"],
                T(p => p.Prrt.HaemoglobinContraindicatedBelowGdl), T(p => p.Prrt.PlateletsContraindicatedBelow)) with { SitePolicy = true },
            R("PRRT-RENAL", p => I($"creatinine clearance < {p.Prrt.ClearanceContraindicatedBelow} mL/min: contraindicated"), [Eligible, Contraindicated, Insufficient], ["000 §6", "001"], T(p => p.Prrt.ClearanceContraindicatedBelow)) with { SitePolicy = true },
            FitPs(Consider), FitHeart, SsaProphylaxis,
        ]),
        new(TherapyId.Mibg, "I-131 MIBG therapy", "For tumours with MIBG uptake.", Cite("001"),
        [
            R("MIBG-IND", _ => "positive MIBG uptake scan: consider; negative: not-indicated; no scan: insufficient-data", [Consider, NotIndicated, Insufficient], ["001"]),
            FitPs(Consider),
        ]),
        new(TherapyId.Eve, "Everolimus", "mTOR inhibitor for advanced progressive NET.", Cite("000 §9", "002"),
        [
            R("EVE-IND", p => I($"advanced well-differentiated G1/G2 pancreatic NET progressing within the last {p.DiseaseCourse.ProgressionWindowMonths} months: eligible; documented stable disease: not-indicated; course unknown: insufficient-data; NEC: not-indicated; NET G3: consider"), [Eligible, Consider, NotIndicated, Insufficient], ["000 §9", "002"], T(p => p.DiseaseCourse.ProgressionWindowMonths)),
            R("EVE-LINE", p => I($"line of therapy: {(p.Everolimus.Line == EverolimusLinePolicy.AfterChemotherapy ? "after chemotherapy (ENETS): a chemotherapy-naive eligible becomes consider" : "first line acceptable (NCCN)")}"), [Consider, Note], ["002"], T(p => p.Everolimus.Line)) with { SitePolicy = true },
            R("EVE-CARCINOID", _ => "functioning carcinoid on an SSA progressing within the window: consider; documented stable disease: not-indicated; course unknown: insufficient-data", [Consider, NotIndicated, Insufficient], ["000 §9"]),
            R("EVE-NONPANC", p => I($"non-functioning lung or GI NET: {(p.Everolimus.NonPancreatic ? "consider (RADIANT-4, after the articles)" : "not-indicated")}"), [Consider, NotIndicated, Insufficient], ["000 §9"], T(p => p.Everolimus.NonPancreatic)) with { SitePolicy = true },
            R("EVE-FAILED", p => I($"progression recorded while on everolimus: {(p.Everolimus.ProgressionOnDrugIsFailure ? "not-indicated (treatment failure)" : "a note only")}"), [NotIndicated, Note], ["000 §9"], T(p => p.Everolimus.ProgressionOnDrugIsFailure)) with { SitePolicy = true },
            FitPs(Consider),
        ]),
        new(TherapyId.Sun, "Sunitinib", "For progressive pancreatic NET only.", Cite("000 §9", "002"),
        [
            R("SUN-IND", p => I($"advanced progressive well-differentiated pancreatic NET (progression within {p.DiseaseCourse.ProgressionWindowMonths} months): eligible; stable: not-indicated; course unknown: insufficient-data"), [Eligible, NotIndicated, Insufficient], ["000 §9", "002"], T(p => p.DiseaseCourse.ProgressionWindowMonths)),
            R("SUN-SITE", _ => "non-pancreatic primary: not-indicated; NEC: not-indicated; pancreatic NET G3: consider; primary site unknown: insufficient-data", [Consider, NotIndicated, Insufficient], ["002 Conclusions"]),
            R("SUN-FAILED", p => I($"progression recorded while on sunitinib: {(p.Sunitinib.ProgressionOnDrugIsFailure ? "not-indicated (treatment failure)" : "a note only")}"), [NotIndicated, Note], ["000 §9"], T(p => p.Sunitinib.ProgressionOnDrugIsFailure)) with { SitePolicy = true },
            R("SUN-KI67", p => I($"note: Ki-67 > {p.Sunitinib.Ki67NoteAbove} %: benefit lessened (exploratory)"), [Note], ["000 §9"], T(p => p.Sunitinib.Ki67NoteAbove)),
            FitPs(Consider),
        ]),
        new(TherapyId.Chemo, "Cytotoxic chemotherapy", "Streptozocin- or temozolomide-based for pancreatic NET, platinum-etoposide for NEC.", Cite("000 §8", "002 Chemotherapy", "003 §2.3"),
        [
            R("CHEMO-PNET", p => I($"advanced inoperable pancreatic NET G1/G2 (or foregut NET G2) with progression within {p.DiseaseCourse.ProgressionWindowMonths} months, failure of other treatment or poorly controlled symptoms: streptozocin-based or capecitabine-temozolomide"), [Eligible, Consider, NotIndicated, Insufficient], ["002 Chemotherapy", "002 Table 1", "000 §8"], T(p => p.DiseaseCourse.ProgressionWindowMonths)),
            R("CHEMO-NEC", _ => "NEC G3 of any site: platinum-etoposide eligible", [Eligible], ["002", "000 §8", "003 §2.3"]),
            R("CHEMO-MIDGUT", _ => "well-differentiated G1/G2 midgut NET: not-indicated (responses under 10 %)", [NotIndicated], ["003 §2.3", "000 §8"]),
            R("CHEMO-G3", _ => "NET G3 of any site: consider (capecitabine-temozolomide)", [Consider], ["002"]),
            R("CHEMO-OXALI", _ => "note: oxaliplatin risks sinusoidal obstruction syndrome", [Note], ["000 §8"]),
            FitPs(Consider),
        ]),
    ];
}

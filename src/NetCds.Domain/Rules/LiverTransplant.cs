using NetCds.Domain.Derived;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using static NetCds.Domain.Engine.Evidence;
using static NetCds.Domain.Rules.CommonRules;

namespace NetCds.Domain.Rules;

/// <summary>
/// LT: orthotopic liver transplantation, Milan-NET criteria (001, 002 Table 2, 003 §2.1). Every criterion must hold;
/// one that fails is not-indicated (NEC and a planned exenteration are contraindications), one unknown is insufficient-data.
/// </summary>
public sealed class LiverTransplant : ITherapyRules
{
    public TherapyId Therapy => TherapyId.Lt;

    public TherapyAssessment Assess(EvaluationContext c)
    {
        var a = new AssessmentBuilder(Therapy);
        var d = c.Derived;
        var p = c.Policy.Transplant;
        var milan = Cite("001", "002 Table 2", "003 §2.1");

        // LT-NEC (002): small-cell / high-grade carcinoma recurs in the graft.
        if (d.Tumour.Class == TumourClass.Nec)
        {
            a.Add("LT-NEC", FindingEffect.Contraindicated, "poorly differentiated neuroendocrine carcinoma", Cite("002"), d.Tumour.Inputs);
        }

        // LT-EXENT (000 §10, 001): a concurrent major abdominal resection worsens outcome.
        if (d.PlannedExenteration is { } exenteration)
        {
            a.Add("LT-EXENT", FindingEffect.Contraindicated, "major abdominal resection (exenteration, Whipple) planned with the transplant", Cite("000 §10", "001"), Inputs(FactKind.PlannedExenteration, exenteration));
        }

        // LT-AGE (003, 002: worse outcomes over 50).
        if (d.Age is not { } age)
        {
            a.Missing("LT-AGE", FactKind.BirthDate, "age unknown", milan);
        }
        else
        {
            Criterion(a, "LT-AGE", age.Value < p.AgeBelow, $"age {age.Value}", $"< {p.AgeBelow}", milan, Inputs(FactKind.BirthDate, age));
        }

        // LT-KI67 (002 Table 2: low grade, Ki-67 usually < 10 %): G1/G2 by every reported measure. A mitotic
        // count in the G3 range fails it even with a low or missing Ki-67; an unreported mitotic count does not block.
        var ki67Required = $"Ki-67 < {p.Ki67Below:0.#} % and no measure in the G3 range";
        if (d.Tumour.ShowsG3)
        {
            Criterion(a, "LT-KI67", false, $"{d.Tumour.Describe()}: a reported measure is in the G3 range", ki67Required, milan, d.Tumour.Inputs);
        }
        else if (d.Tumour.Ki67 is not { } ki67)
        {
            a.Missing("LT-KI67", FactKind.Ki67, "no Ki-67 index", milan, d.Tumour.Inputs);
        }
        else if (ki67.Value.IsBelow(p.Ki67Below) is { } low)
        {
            Criterion(a, "LT-KI67", low, $"Ki-67 {ki67.Value} %", ki67Required, milan, d.Tumour.Inputs);
        }
        else
        {
            Undecided(a, "LT-KI67", FactKind.Ki67, $"Ki-67 {ki67.Value} %", $"{p.Ki67Below:0.#} %", milan, d.Tumour.Inputs);
        }

        Primary(a, d, milan);

        // LT-EHD: no extrahepatic disease (bone included).
        if (d.Imaging.BoneMetastases?.Value == true)
        {
            a.Add("LT-EHD", FindingEffect.NotIndicated, "bone metastases", milan, d.Imaging.Inputs(FactKind.BoneMetastases));
        }

        if (d.Imaging.ExtrahepaticDisease is not { } ehd)
        {
            a.Missing("LT-EHD", FactKind.ExtrahepaticDisease, "extrahepatic disease not assessed", milan);
        }
        else
        {
            Criterion(a, "LT-EHD", ehd.Value == ExtrahepaticDisease.None, "extrahepatic disease " + ehd.Value, "none", milan, d.Imaging.Inputs(FactKind.ExtrahepaticDisease));
        }

        // LT-BURDEN: under half the liver involved.
        if (d.Imaging.TumourBurden is not { } burden)
        {
            a.Missing("LT-BURDEN", FactKind.TumourBurden, "hepatic tumour burden not reported", milan);
        }
        else if (burden.Value.IsBelow(p.BurdenBelowPercent) is { } under)
        {
            Criterion(a, "LT-BURDEN", under, $"hepatic burden {burden.Value} %", $"< {p.BurdenBelowPercent:0.#} %", milan, d.Imaging.Inputs(FactKind.TumourBurden));
        }
        else
        {
            Undecided(a, "LT-BURDEN", FactKind.TumourBurden, $"hepatic burden {burden.Value} %", $"{p.BurdenBelowPercent:0.#} %", milan, d.Imaging.Inputs(FactKind.TumourBurden));
        }

        // LT-STABLE: stable disease for at least 6 months before listing.
        if (KnownCourse(a, c, "LT-STABLE", milan) is { } course)
        {
            var stable = course.Kind == CourseKind.Stable && course.StableMonths >= p.StableAtLeastMonths;
            var what = course.Kind == CourseKind.Progressing ? course.Reason : $"stable for {course.StableMonths} months";
            Criterion(a, "LT-STABLE", stable, what, $"stable ≥ {p.StableAtLeastMonths} months", milan, course.Inputs);
        }

        // LT-UNRES (000 §11, 004): transplant is for liver disease that cannot be resected.
        var unresectable = Cite("000 §11", "004");
        if (LiverMetastasesPresent(a, c, "LT-UNRES", unresectable))
        {
            var r = d.Resectability;
            switch (r.Kind)
            {
                case ResectabilityKind.Unknown:
                    a.Missing("LT-UNRES", FactKind.ResectableFraction, "resectability unknown", unresectable, r.Inputs);
                    break;
                case ResectabilityKind.LikelyUnresectable:
                    // Without a surgical assessment the [site policy] thresholds decide, so the card quotes them.
                    var rp = c.Policy.Resection;
                    Criterion(a, "LT-UNRES", true, $"liver disease {r.Code}", "unresectable", unresectable, r.Inputs,
                        [PolicySetting.Of("Eligibility:Resection:LikelyUnresectableLesionsAbove", rp.LikelyUnresectableLesionsAbove),
                            PolicySetting.Of("Eligibility:Resection:LikelyUnresectableBurdenAbovePercent", rp.LikelyUnresectableBurdenAbovePercent)]);
                    break;
                default:
                    Criterion(a, "LT-UNRES", r.Kind != ResectabilityKind.Resectable, $"liver disease {r.Code}", "unresectable", unresectable, r.Inputs);
                    break;
            }
        }

        AfterOtherTreatment(a, c);

        // SSA-PROPHYLAXIS: a transplant is surgery like any other for carcinoid crisis (001; 000 §3, §6).
        CarcinoidCrisisProphylaxis(a, c);
        a.Note("Liver transplantation is never standard care (000 §11): selected patients, after other options, at a transplant centre.");
        return a.Build();
    }

    /// <summary>
    /// LT-LAST [site policy]: transplant comes after other options (002 Liver transplantation, 003 §2.1, 004 Summary),
    /// so a patient who meets every criterion with no earlier treatment of the NET on record (a liver-directed
    /// procedure, an SSA, PRRT or a systemic drug) is consider, not eligible. The primary's resection does not count:
    /// LT-PRIMARY requires it of every candidate.
    /// </summary>
    private static void AfterOtherTreatment(AssessmentBuilder a, EvaluationContext c)
    {
        if (a.CurrentStatus != EligibilityStatus.Eligible)
        {
            return;
        }

        var d = c.Derived;
        var enabled = c.Policy.Transplant.AfterOtherTreatment;
        var evidence = Cite("002 Liver transplantation", "003 §2.1", "004 Summary");
        var setting = PolicySetting.Of("Eligibility:Transplant:AfterOtherTreatment", enabled);
        var earlier = d.PriorLiverDirectedTherapy.Concat(d.PriorPrrt).Select(p => InputReference.From(FactKind.PriorTreatment, p))
            .Concat(d.Medications.Where(m => m.Value.Kind is MedicationKind.SomatostatinAnalogue or MedicationKind.Everolimus or MedicationKind.Sunitinib or MedicationKind.Chemotherapy)
                .Select(m => InputReference.From(FactKind.Medication, m)))
            .ToList();
        if (earlier.Count > 0)
        {
            a.Add("LT-LAST", FindingEffect.Eligible, "earlier treatment of the NET on record: transplant after other options", evidence, earlier, [setting]);
        }
        else
        {
            a.Add("LT-LAST", enabled ? FindingEffect.Consider : FindingEffect.Note,
                "meets every criterion but no earlier treatment of the NET is recorded (liver-directed procedure, SSA, PRRT or systemic drug): transplant comes after other options",
                evidence, [], [setting]);
        }
    }

    private static void Primary(AssessmentBuilder a, DerivedFacts d, IReadOnlyList<Evidence> milan)
    {
        // LT-PRIMARY: primary drained by the portal system and already removed by curative resection.
        var site = Inputs(FactKind.PrimarySite, d.PrimarySite);
        switch (d.PortalVenousPrimary)
        {
            case null:
                a.Missing("LT-PRIMARY", FactKind.PrimarySite, d.PrimarySite is null ? "primary site not recorded" : $"primary site {d.PrimarySite.Value}: portal drainage uncertain", milan, site);
                break;
            case false:
                a.Add("LT-PRIMARY", FindingEffect.NotIndicated, $"primary ({d.PrimarySite!.Value}) not drained by the portal system", milan, site);
                break;
            default:
                if (d.PrimaryResection is { } resection)
                {
                    a.Add("LT-PRIMARY", FindingEffect.Eligible, $"portal-venous primary ({d.PrimarySite!.Value}) resected", milan, [.. site, InputReference.From(FactKind.PrimaryResection, resection)]);
                }
                else
                {
                    a.Missing("LT-PRIMARY", FactKind.PrimaryResection, "no curative resection of the primary on record", milan, site);
                }

                break;
        }
    }

    private static void Criterion(AssessmentBuilder a, string rule, bool met, string found, string required, IReadOnlyList<Evidence> evidence, IReadOnlyList<InputReference> inputs,
        IReadOnlyList<PolicySetting>? sitePolicy = null) =>
        a.Add(rule, met ? FindingEffect.Eligible : FindingEffect.NotIndicated, met ? $"{found} (criterion {required})" : $"{found}: criterion is {required}", evidence, inputs, sitePolicy);
}

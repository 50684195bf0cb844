using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Vignettes;

/// <summary>
/// Clinical vignettes drawn from the case types the five review articles discuss. Each row gives the patient and the
/// status of all twelve therapies as the rule catalogue (docs/clinical-rules.md) reads them, not as the engine happens
/// to answer. Columns are in card order: RES ABL EMB SIRT LT SSA INF PRRT MIBG EVE SUN CHEMO.
/// </summary>
public sealed class VignetteTests
{
    private const EligibilityStatus E = EligibilityStatus.Eligible;
    private const EligibilityStatus C = EligibilityStatus.Consider;
    private const EligibilityStatus I = EligibilityStatus.InsufficientData;
    private const EligibilityStatus N = EligibilityStatus.NotIndicated;
    private const EligibilityStatus X = EligibilityStatus.Contraindicated;

    public sealed record Vignette(string Name, Func<Patient> Build, EligibilityStatus[] Expected);

    private static readonly Vignette[] All =
    [
        // 000 §4 and §7, 003 §6: midgut carcinoid syndrome with multinodular bilobar disease beyond surgery.
        new("small-bowel NET G1, carcinoid syndrome, bilobar unresectable",
            () => WorkUp(PrimarySite.SmallIntestine, ki67: 2m, age: 62)
                .Condition(ConditionKind.CarcinoidSyndrome).Medication(MedicationKind.SomatostatinAnalogue)
                .Procedure(ProcedureKind.PrimaryTumourResection, Ago.Months(24))
                .Lesions(15, 4m, LesionDistribution.Bilobar).Burden(35m).ResectableFraction(40m)
                .StableFor(12),
            //  RES ABL EMB SIRT LT SSA INF PRRT MIBG EVE SUN CHEMO
            [N, N, E, E, N, E, C, E, N, N, N, N]),

        // 000 §9 and 002 Targeted medical therapy: progressive pancreatic NET G2 on an SSA (everolimus, sunitinib, chemotherapy).
        new("pancreatic NET G2 progressive on SSA",
            () => WorkUp(PrimarySite.Pancreas, ki67: 8m, age: 58)
                .Medication(MedicationKind.SomatostatinAnalogue)
                .Procedure(ProcedureKind.PrimaryTumourResection, Ago.Months(30))
                .Lesions(8, 4m, LesionDistribution.Bilobar).Burden(30m).ResectableFraction(60m)
                .DiseaseStatus(DiseaseStatus.Stable, Ago.Months(10)).DiseaseStatus(DiseaseStatus.Worsened, Ago.Months(2)),
            [N, C, E, E, N, C, C, E, N, E, E, E]),

        // 002 Therapeutic approach: malignant insulinoma, hypoglycaemia controlled with feeds and diazoxide rather than an SSA.
        new("metastatic insulinoma, unilobar",
            () => WorkUp(PrimarySite.Pancreas, ki67: 1.5m, age: 50)
                .Condition(ConditionKind.Insulinoma)
                .Procedure(ProcedureKind.PrimaryTumourResection, Ago.Months(18))
                .Lesions(3, 3m, LesionDistribution.Unilobar).Burden(10m).Sstr(2)
                .StableFor(8),
            [E, C, C, C, N, C, C, C, N, N, N, C]),

        // 002 Introduction and Therapeutic approach: gastrinoma/Zollinger-Ellison on a PPI, extensive bilobar disease, primary in place.
        new("pancreatic gastrinoma (ZES), extensive bilobar, progressing",
            () => WorkUp(PrimarySite.Pancreas, ki67: 5m, age: 48)
                .Condition(ConditionKind.ZollingerEllison).Medication(MedicationKind.ProtonPumpInhibitor)
                .Lesions(12, 3.5m, LesionDistribution.Bilobar).Burden(55m).Sstr(4)
                .Progressing(Ago.Months(3)),
            [I, C, C, E, N, E, C, E, N, E, E, E]),

        // 002 Therapeutic approach and Chemotherapy, 000 §8: poorly differentiated pancreatic NEC, Ki-67 60 %: platinum-etoposide only.
        new("pancreatic NEC, Ki-67 60 %",
            () => WorkUp(PrimarySite.Pancreas, ki67: 60m, age: 64, Differentiation.Poorly)
                .Lesions(6, 5.5m, LesionDistribution.Bilobar).Burden(40m).Sstr(1)
                .Progressing(),
            [N, N, N, N, X, N, N, N, N, N, N, E]),

        // 002 Introduction (WHO grading); NET G3 is WHO 2017, after the articles: catalogue "Grade" turns exclusions into consider.
        new("well-differentiated pancreatic NET G3, Ki-67 30 %, oligonodular",
            () => WorkUp(PrimarySite.Pancreas, ki67: 30m, age: 52)
                .Procedure(ProcedureKind.PrimaryTumourResection, Ago.Months(12))
                .Lesions(4, 4m, LesionDistribution.Bilobar).Burden(25m)
                .Progressing(Ago.Months(2)),
            [C, C, C, C, N, N, N, C, N, C, C, C]),

        // 003 §6 and 001 Role of surgery: oligonodular disease fully resectable: surgery first, the rest as adjuncts.
        new("small-bowel NET G1, oligonodular, surgeon: 100 % resectable",
            () => WorkUp(PrimarySite.SmallIntestine, ki67: 1m, age: 56)
                .Procedure(ProcedureKind.PrimaryTumourResection, Ago.Months(20))
                .Lesions(2, 2m, LesionDistribution.Bilobar).Burden(5m).ResectableFraction(100m)
                .StableFor(10),
            [E, C, C, C, N, E, C, C, N, C, N, N]),

        // 002 Liver transplantation (Milan criteria) and 003 §2.1: young patient, resected pancreatic primary, diffuse unresectable low-grade disease.
        new("young Milan-criteria transplant candidate",
            () => WorkUp(PrimarySite.Pancreas, ki67: 2m, age: 40)
                .Procedure(ProcedureKind.PrimaryTumourResection, Ago.Months(36))
                .Lesions(20, 3m, LesionDistribution.Bilobar).Burden(30m).ResectableFraction(30m)
                .StableFor(12),
            [N, N, E, E, C, E, C, E, N, N, N, N]),

        // 000 §4, 001 Intra-arterial therapies, 002 Hepatic arterial embolization: complete portal vein thrombosis rules out TAE/TACE and SIRT.
        new("small-bowel NET G2, complete portal vein thrombosis, progressing on SSA",
            () => WorkUp(PrimarySite.SmallIntestine, ki67: 4m, age: 66)
                .Medication(MedicationKind.SomatostatinAnalogue)
                .Procedure(ProcedureKind.PrimaryTumourResection, Ago.Months(40))
                .Lesions(9, 4.5m, LesionDistribution.Bilobar).Burden(40m).ResectableFraction(40m)
                .PortalVein(PortalVeinStatus.CompleteThrombosis)
                .Progressing(),
            [N, C, X, X, N, C, C, E, N, C, N, N]),

        // 000 §4 and 001 Intra-arterial therapies: severe hepatic dysfunction (bilirubin 3.5 mg/dL) rules out embolization and SIRT, not systemic therapy.
        new("pancreatic NET G2, bilirubin 3.5 mg/dL",
            () => WorkUp(PrimarySite.Pancreas, ki67: 12m, age: 59)
                .Bilirubin(3.5m)
                .Lesions(15, 6m, LesionDistribution.Bilobar).Burden(60m).ResectableFraction(20m)
                .Progressing(),
            [N, N, X, X, N, C, C, E, N, E, E, E]),

        // 002 Table 2 and 001 Role of liver transplantation: a bronchial primary does not drain to the portal vein; 002 Chemotherapy: foregut NET G2.
        new("lung NET (atypical bronchial carcinoid) G2, progressing",
            () => WorkUp(PrimarySite.Lung, ki67: 15m, age: 50)
                .Procedure(ProcedureKind.PrimaryTumourResection, Ago.Months(24))
                .Lesions(7, 3m, LesionDistribution.Bilobar).Burden(20m).Sstr(2)
                .Progressing(Ago.Months(2)),
            [I, C, E, E, N, C, N, E, N, C, N, E]),

        // 001 Intra-arterial therapies and 002 Hepatic arterial embolization: post-Whipple biliary-enteric anastomosis rules out TAE/TACE.
        new("pancreatic head NET G2 after Whipple, progressing",
            () => WorkUp(PrimarySite.Pancreas, ki67: 6m, age: 53)
                .Condition(ConditionKind.BiliaryEntericAnastomosis, Ago.Months(30))
                .Procedure(ProcedureKind.PrimaryTumourResection, Ago.Months(30))
                .Lesions(10, 3.5m, LesionDistribution.Bilobar).Burden(45m).ResectableFraction(50m)
                .Progressing(),
            [N, C, X, E, N, C, C, E, N, E, E, E]),

        // 002 Table 1 (interferon for SSTR-negative G1) and 001 Systemic therapies (I-131 MIBG when the uptake scan is positive).
        new("SSTR-negative pancreatic NET G1, MIBG-avid",
            () => WorkUp(PrimarySite.Pancreas, ki67: 2m, age: 57)
                .Sstr(0).Mibg(true)
                .Procedure(ProcedureKind.PrimaryTumourResection, Ago.Months(26))
                .Lesions(6, 2.5m, LesionDistribution.Bilobar).Burden(15m).ResectableFraction(60m)
                .StableFor(8),
            [N, C, E, E, N, N, C, N, C, N, N, N]),

        // 000 §5 and 002 Non-functioning tumors and widespread liver disease: a MAA study showing a high lung shunt rules out SIRT.
        new("small-bowel NET G1, carcinoid syndrome, lung shunt 25 %",
            () => WorkUp(PrimarySite.SmallIntestine, ki67: 1m, age: 61)
                .Condition(ConditionKind.CarcinoidSyndrome).Medication(MedicationKind.SomatostatinAnalogue)
                .Procedure(ProcedureKind.PrimaryTumourResection, Ago.Months(24))
                .Lesions(14, 5m, LesionDistribution.Bilobar).Burden(45m).ResectableFraction(30m).LungShunt(25m)
                .StableFor(9),
            [N, N, E, X, N, E, C, E, N, N, N, N]),

        // 000 §4 (relative), 002 Hepatic arterial embolization (not applicable) and 001/002 on SIRT: more than 75 % of the liver replaced.
        new("pancreatic NET G2, more than 75 % hepatic replacement",
            () => WorkUp(PrimarySite.Pancreas, ki67: 10m, age: 63)
                .Lesions(30, 9m, LesionDistribution.Bilobar).Burden(80m)
                .Progressing(),
            [I, N, X, C, N, C, C, E, N, E, E, E]),

        // 002 Hepatic arterial embolization: poor performance status rules out TAE/TACE; Karnofsky 40 recorded after an older ECOG.
        new("elderly small-bowel NET G1, carcinoid syndrome, Karnofsky 40 (ECOG 3)",
            () => WorkUp(PrimarySite.SmallIntestine, ki67: 2m, age: 82)
                .Condition(ConditionKind.CarcinoidSyndrome).Medication(MedicationKind.SomatostatinAnalogue)
                .Procedure(ProcedureKind.PrimaryTumourResection, Ago.Months(60))
                .Karnofsky(40)
                .Lesions(9, 3m, LesionDistribution.Bilobar).Burden(30m).ResectableFraction(40m)
                .StableFor(6),
            [N, C, X, C, N, E, C, C, N, N, N, N]),

        // 002 Surgery (MEN-1) and Table 1: MEN1 with a 2.5 cm pancreatic primary still in place and limited unilobar liver disease.
        new("MEN1, pancreatic NET G1, unilobar liver metastases",
            () => WorkUp(PrimarySite.Pancreas, ki67: 1.5m, age: 35)
                .Condition(ConditionKind.Men1).PrimarySize(2.5m)
                .Lesions(2, 2m, LesionDistribution.Unilobar).Burden(5m)
                .StableFor(12),
            [E, C, C, C, N, E, C, C, N, N, N, N]),

        // 000 §11 and 001 Conclusion: new diagnosis before the work-up is complete; missing safety data is never a pass.
        new("new small-bowel NET G1 with carcinoid syndrome, work-up incomplete",
            () => Patient.New()
                .BornYearsAgo(58).Primary(PrimarySite.SmallIntestine).Condition(ConditionKind.LiverMetastases)
                .Differentiation(Differentiation.Well).Ki67(2m)
                .Condition(ConditionKind.CarcinoidSyndrome).Medication(MedicationKind.SomatostatinAnalogue)
                .Lesions(5, 3m, LesionDistribution.Bilobar).Burden(15m)
                .PortalVein(PortalVeinStatus.Patent).Extrahepatic(ExtrahepaticDisease.None).Bilirubin(0.8m),
            [I, C, I, E, N, E, C, I, I, I, N, N]),

        // 002 Table 2 and 001 Role of liver transplantation: a rectal primary leaves portal drainage uncertain.
        new("young rectal NET G1, diffuse unresectable",
            () => WorkUp(PrimarySite.Rectum, ki67: 2m, age: 45)
                .Procedure(ProcedureKind.PrimaryTumourResection, Ago.Months(24))
                .Lesions(12, 3m, LesionDistribution.Bilobar).Burden(30m).ResectableFraction(40m)
                .StableFor(10),
            [N, C, E, E, I, E, C, E, N, C, N, N]),

        // 000 §4 (hepatic comorbidity before embolization) and 002 (biliary-enteric anastomosis): a distal pancreatectomy
        // recorded only as Z90.411, and compensated cirrhosis: EMB and SIRT consider, the card asks which operation it was.
        new("pancreatic NET G2 after a partial pancreatectomy (Z90.411), cirrhosis",
            () => WorkUp(PrimarySite.Pancreas, ki67: 8m, age: 61)
                .Condition(ConditionKind.PartialAbsenceOfPancreas, Ago.Months(24)).Condition(ConditionKind.Cirrhosis, Ago.Months(6))
                .Procedure(ProcedureKind.PrimaryTumourResection, Ago.Months(24))
                .Lesions(7, 3.5m, LesionDistribution.Bilobar).Burden(30m).ResectableFraction(50m)
                .StableFor(9),
            [N, C, C, C, N, C, C, E, N, N, N, N]),
    ];

    public static TheoryData<string> Names => new(All.Select(v => v.Name));

    /// <summary>The vignette patients, for tests that check something of every report (the rule catalogue, issue 21).</summary>
    internal static IEnumerable<(string Name, Func<Patient> Build)> Patients => All.Select(v => (v.Name, v.Build));

    /// <summary>
    /// A complete, reassuring work-up dated two months ago: liver metastases diagnosed, portal vein patent, no extrahepatic
    /// or bone disease, normal liver, renal and blood tests, ECOG 0, SSTR Krenning 3, MIBG scan negative, lung shunt 8 %.
    /// Anything a vignette adds later (default date one month ago) is newer and so replaces it.
    /// </summary>
    private static Patient WorkUp(PrimarySite site, decimal ki67, int age, Differentiation differentiation = Differentiation.Well)
    {
        var at = Ago.Months(2);
        return Patient.New()
            .BornYearsAgo(age)
            .Primary(site, Ago.Months(36))
            .Condition(ConditionKind.LiverMetastases, at)
            .Differentiation(differentiation, at)
            .Ki67(ki67, at)
            .PortalVein(PortalVeinStatus.Patent, at)
            .Extrahepatic(ExtrahepaticDisease.None, at)
            .BoneMetastases(false, at)
            .Bilirubin(0.7m, at).Albumin(4.1m, at).Inr(1.0m, at).Clearance(95m, at).Platelets(240m, at).Haemoglobin(13.5m, at)
            .Ecog(0, at)
            .Sstr(3, at)
            .Mibg(false, at)
            .LungShunt(8m, at);
    }

    [Fact]
    public void There_are_at_least_14_vignettes_each_with_12_expectations_and_a_unique_name()
    {
        All.Should().HaveCountGreaterThanOrEqualTo(14);
        All.Should().OnlyContain(v => v.Expected.Length == 12);
        All.Select(v => v.Name).Should().OnlyHaveUniqueItems();
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_therapy_has_the_status_the_catalogue_gives(string name)
    {
        var vignette = All.Single(v => v.Name == name);

        var report = vignette.Build().Evaluate();

        var therapies = report.Assessments.Select(a => a.Therapy).ToList();
        therapies.Should().HaveCount(vignette.Expected.Length);
        var wrong = report.Assessments
            .Select((assessment, i) => (assessment, expected: vignette.Expected[i]))
            .Where(x => x.assessment.Status != x.expected)
            .Select(x => $"{x.assessment.Therapy.Code()} expected {x.expected.Code()}: {AssessmentAssertions.Explain(x.assessment)}")
            .ToList();
        wrong.Should().BeEmpty($"{name} should match the catalogue");
    }
}

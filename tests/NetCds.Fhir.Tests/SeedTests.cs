using System.Text;
using NetCds.Domain.Engine;
using NetCds.Domain.Policy;
using NetCds.Fhir.Input;
using NetCds.Fhir.Mapping;
using NetCds.Fhir.Terminology;

namespace NetCds.Fhir.Tests;

/// <summary>
/// The demo seeds (seeds/*.json, see seeds/README.md) evaluated at the fixed demo instant. Each row gives the status of
/// all twelve therapies as the rule catalogue (docs/clinical-rules.md) reads the seed, not as the engine happens to
/// answer. Columns are in card order: RES ABL EMB SIRT LT SSA INF PRRT MIBG EVE SUN CHEMO.
/// </summary>
public sealed class SeedTests
{
    private const EligibilityStatus E = EligibilityStatus.Eligible;
    private const EligibilityStatus C = EligibilityStatus.Consider;
    private const EligibilityStatus I = EligibilityStatus.InsufficientData;
    private const EligibilityStatus N = EligibilityStatus.NotIndicated;
    private const EligibilityStatus X = EligibilityStatus.Contraindicated;

    private const string DataProblemSeed = "20-data-problems.json";

    private static readonly DateTimeOffset AsOf = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly TherapyId[] CardOrder =
    [
        TherapyId.Res, TherapyId.Abl, TherapyId.Emb, TherapyId.Sirt, TherapyId.Lt, TherapyId.Ssa,
        TherapyId.Inf, TherapyId.Prrt, TherapyId.Mibg, TherapyId.Eve, TherapyId.Sun, TherapyId.Chemo,
    ];

    private static readonly (string File, EligibilityStatus[] Expected)[] Rows =
    [
        //                                                           RES ABL EMB SIRT LT SSA INF PRRT MIBG EVE SUN CHEMO
        // Surgeon 40 %: debulking not indicated; 18 lesions > 12; age 58; syndrome: SSA; on SSA but stable, SSTR+; MIBG+;
        // carcinoid with documented stable disease: EVE-CARCINOID not indicated; midgut.
        ("01-ileal-carcinoid-syndrome-unresectable.json", [N, N, E, E, N, E, C, E, C, N, N, N]),

        // Surgeon 60 %: debulking not indicated; ABL 6 cm and 9 lesions; G2 SSA consider; pNET G2: INF consider (INF-IND c);
        // progressive pNET: EVE, SUN, CHEMO.
        ("02-pancreatic-net-g2-progressive.json", [N, C, E, E, N, C, C, E, N, E, E, E]),

        // Unilobar fits RES-IDEAL: resectable, so liver-directed and PRRT consider, LT not indicated; SSA-INSULINOMA caps at consider;
        // no MIBG scan; stable pNET: EVE/SUN not indicated, functioning: CHEMO consider.
        ("03-metastatic-insulinoma-unilobar.json", [E, C, C, C, N, C, C, C, I, N, N, C]),

        // Partial PV thrombosis: EMB consider, SIRT contraindicated; limited EHD: LT not indicated; progressing on lanreotide: INF consider.
        // Surgeon's fraction below 90 %: RES-DEBULK not indicated (limited stable EHD is only consider).
        ("04-pancreatic-gastrinoma-zes-progressing.json", [N, C, C, X, N, E, C, E, N, E, E, E]),

        // NEC: not indicated everywhere except LT-NEC (contraindicated), CHEMO-NEC (eligible) and MIBG (no scan).
        ("05-pancreatic-nec-ki67-60.json", [N, N, N, N, X, N, N, N, I, N, N, E]),

        // NET G3 (WHO 2017): consider wherever G3/NEC is excluded; non-functioning pNET G3: SSA not indicated; Ki-67 30: LT not indicated.
        ("06-pancreatic-net-g3-ki67-30.json", [C, C, C, C, N, N, N, C, N, C, C, C]),

        // Surgeon 100 %: RES eligible, the rest consider; LT not indicated (resectable); foregut G2 stable non-functioning: CHEMO not indicated.
        ("07-gastric-net-g2-oligonodular-resectable.json", [E, C, C, C, N, C, N, C, N, C, N, N]),

        // Milan criteria all met but no earlier treatment of the NET recorded: LT-LAST consider; 25 lesions: ABL not indicated;
        // surgeon 30 %: debulking not indicated.
        ("08-ileal-net-g1-transplant-candidate.json", [N, N, E, E, C, E, C, E, N, C, N, N]),

        // Complete PV thrombosis: EMB and SIRT contraindicated; creatinine clearance 45: PRRT contraindicated.
        // pNET G2: INF consider (INF-IND c); debulking not indicated.
        ("09-pancreatic-net-complete-portal-vein-thrombosis.json", [N, C, X, X, N, C, C, X, N, E, E, E]),

        // Bilirubin 3.5: EMB and SIRT contraindicated; 8 cm: ABL not indicated (a limit of the indication); likely unresectable
        // without assessment: RES insufficient; progressing on octreotide: SSA-FAILED, SSA still eligible for symptoms.
        ("10-ileal-net-g2-bilirubin-3-5.json", [I, N, X, X, N, E, C, E, C, C, N, N]),

        // Lung primary: LT not indicated (not portal-venous), SUN not indicated, EVE consider (RADIANT-4), foregut G2 progressive: CHEMO eligible.
        ("11-bronchial-net-g2-progressive.json", [I, C, E, E, N, C, N, E, N, C, N, E]),

        // Whipple status: EMB contraindicated, SIRT still eligible; stable pNET: EVE, SUN, CHEMO not indicated.
        ("12-pancreatic-net-g2-after-whipple.json", [N, N, X, E, N, C, C, E, N, N, N, N]),

        // Krenning 0: SSA and PRRT not indicated, INF consider; rectal G1: CHEMO not indicated.
        ("13-rectal-net-g1-sstr-negative.json", [N, C, E, E, N, N, C, N, N, C, N, N]),

        // Lung shunt 25 %: SIRT contraindicated; 20 lesions: ABL not indicated; progressive pNET G1.
        ("14-pancreatic-net-g1-lung-shunt-25.json", [I, N, E, X, N, E, C, E, N, E, E, E]),

        // Burden 80 %: EMB contraindicated, SIRT consider; bone and unresectable EHD: RES contraindicated; 9 cm: ABL not indicated;
        // platelets 62: PRRT contraindicated.
        ("15-ileal-net-g2-burden-over-75.json", [X, N, X, C, N, E, C, X, C, C, N, N]),

        // ECOG 3: EMB contraindicated (EMB-PS), SIRT, EVE, SUN and CHEMO consider (FIT-PS); Krenning 1: SSA consider, PRRT not
        // indicated, INF consider (INF-IND b, c); no MIBG scan.
        ("16-pancreatic-net-g2-ecog-3.json", [I, C, X, C, N, C, C, N, I, C, C, C]),

        // New MEN1 pNET: no SSTR imaging, no disease course, no surgical assessment; 5 small lesions: ABL consider (ABL-COUNT: eligible below 5);
        // G1: INF consider (INF-IND a).
        ("17-men1-pancreatic-net-workup-incomplete.json", [I, C, E, E, I, I, C, I, I, I, I, I]),

        // Surgeon 60 % (remnant inadequate after hepatectomy): RES not indicated, ABL eligible; age 56: LT not indicated; G1: INF consider.
        ("18-ileal-net-g1-recurrence-after-hepatectomy.json", [N, E, E, E, N, E, C, E, N, C, N, N]),

        // Referral with a diagnosis only: insufficient data everywhere.
        ("19-minimal-data-referral.json", [I, I, I, I, I, I, I, I, I, I, I, I]),

        // Preliminary Ki-67 not used, the other patient's Ki-67 not used, bilirubin in mg% not used: grade and bilirubin unknown.
        ("20-data-problems.json", [I, I, I, I, N, I, I, I, N, I, I, I]),

        // Seed 02 on everolimus since 2026-03 with progression 2026-08: EVE-FAILED not indicated, SUN and CHEMO still eligible;
        // lung shunt "< 10 %" is wholly under 20 %: SIRT-SHUNT passes.
        ("21-pancreatic-net-g2-progressing-on-everolimus.json", [N, C, E, E, N, C, C, E, N, N, E, E]),

        // Seed 08 on lanreotide since 2025-06 (an earlier treatment of the NET): every Milan criterion and LT-LAST met, LT eligible.
        ("22-ileal-net-g1-transplant-candidate-on-lanreotide.json", [N, N, E, E, E, E, C, E, N, C, N, N]),
    ];

    /// <summary>
    /// Therapy × status combinations the catalogue never gives: INF and MIBG cap at consider; ABL (its limits are of the
    /// indication since 2026-12-06), SSA and the systemic agents have no contraindication rule.
    /// </summary>
    private static readonly (TherapyId Therapy, EligibilityStatus Status)[] NotInCatalogue =
    [
        (TherapyId.Abl, X),
        (TherapyId.Inf, E), (TherapyId.Inf, X),
        (TherapyId.Mibg, E), (TherapyId.Mibg, X),
        (TherapyId.Ssa, X), (TherapyId.Eve, X), (TherapyId.Sun, X), (TherapyId.Chemo, X),
    ];

    /// <summary>What seeds/README.md claims the set reaches: every combination the catalogue allows (51 of 60).</summary>
    private static readonly (TherapyId Therapy, EligibilityStatus Status)[] ClaimedCoverage =
    [
        .. CardOrder.SelectMany(t => Enum.GetValues<EligibilityStatus>().Select(s => (t, s))).Except(NotInCatalogue),
    ];

    public static TheoryData<string> Files => new(Rows.Select(r => r.File));

    [Theory]
    [MemberData(nameof(Files))]
    public void Seed_evaluates_as_the_catalogue_reads_it(string file)
    {
        var expected = Rows.Single(r => r.File == file).Expected;
        expected.Should().HaveCount(CardOrder.Length);

        var evaluation = Evaluate(file);

        var actual = CardOrder.Select(t => $"{t.Code()} {evaluation.Report[t].Status.Code()}");
        var wanted = CardOrder.Select((t, i) => $"{t.Code()} {expected[i].Code()}");
        actual.Should().Equal(wanted, "{0} should read as the catalogue says; the engine found:{1}{2}", file, Environment.NewLine, Describe(evaluation));
    }

    [Fact]
    public void Every_seed_file_has_a_row()
    {
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "seeds"), "*.json").Select(Path.GetFileName);

        files.Should().BeEquivalentTo(Rows.Select(r => r.File));
        Rows.Should().HaveCountGreaterThanOrEqualTo(16);
    }

    [Fact]
    public void The_set_reaches_every_therapy_and_status_the_catalogue_allows()
    {
        var reached = Rows.SelectMany(r => Evaluate(r.File).Report.Assessments.Select(a => (a.Therapy, a.Status))).ToHashSet();

        var missing = ClaimedCoverage.Where(c => !reached.Contains(c)).Select(c => $"{c.Therapy.Code()} {c.Status.Code()}");
        missing.Should().BeEmpty("the seeds should show every therapy with every status the catalogue allows");
        reached.Should().NotIntersectWith(NotInCatalogue, "the catalogue never gives these");

        // Every therapy reachable as eligible or consider, and each status shown for at least 8 therapies
        // (contraindicated exists for 5 therapies only: RES, EMB, SIRT, LT, PRRT).
        var indicated = reached.Where(r => r.Status is E or C).Select(r => r.Therapy).Distinct();
        indicated.Should().BeEquivalentTo(CardOrder, "every therapy should be shown eligible or consider at least once");
        foreach (var status in Enum.GetValues<EligibilityStatus>())
        {
            var therapies = reached.Where(r => r.Status == status).Select(r => r.Therapy).Distinct().Count();
            therapies.Should().BeGreaterThanOrEqualTo(status == X ? 5 : 8, "status {0} should be shown across therapies", status.Code());
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Seed_maps_without_data_problems_unless_it_is_the_data_problem_seed(string file)
    {
        if (file == DataProblemSeed)
        {
            return;
        }

        var evaluation = Evaluate(file);

        evaluation.Mapping.Problems.Should().BeEmpty("{0} is a clean demo patient", file);
    }

    [Fact]
    public void The_data_problem_seed_reports_the_three_planted_problems()
    {
        var evaluation = Evaluate(DataProblemSeed);

        evaluation.Mapping.Problems.Select(p => (p.Resource, p.Kind)).Should().BeEquivalentTo(
        [
            ("Observation/seed-20-ki67", DataProblemKind.NotUsable),
            ("Observation/seed-20-bilirubin", DataProblemKind.UnknownUnit),
            ("Observation/seed-20-ki67-other-patient", DataProblemKind.OtherPatient),
        ]);
        evaluation.Report.Facts.Tumour.Ki67.Should().BeNull("neither the preliminary nor the other patient's Ki-67 is used");
        evaluation.Report.Facts.Bilirubin.Should().BeNull("a bilirubin in mg% is not guessed");
    }

    private static Evaluation Evaluate(string file)
    {
        var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "seeds", file));
        var parsed = FhirInput.Parse(json);
        parsed.Succeeded.Should().BeTrue("{0} should be valid FHIR R4", file);

        var evaluation = new FhirEvaluation(TerminologyMap.Default, EligibilityPolicy.Default).Evaluate(parsed.Resource!, AsOf);
        evaluation.Should().NotBeNull("{0} names its patient", file);
        evaluation!.Report.Patient.Should().Be($"Patient/seed-{file[..2]}");
        return evaluation;
    }

    private static string Describe(Evaluation evaluation)
    {
        var text = new StringBuilder();
        foreach (var assessment in evaluation.Report.Assessments)
        {
            text.AppendLine($"  {assessment.Therapy.Code()} {assessment.Status.Code()}");
            foreach (var finding in assessment.Findings)
            {
                text.AppendLine($"    {finding.Rule} {finding.Effect.Code()}: {finding.Reason}");
            }
        }

        foreach (var problem in evaluation.Mapping.Problems)
        {
            text.AppendLine($"  data problem {problem.Kind} {problem.Resource} {problem.Element}: {problem.Message}");
        }

        return text.ToString();
    }
}

using NetCds.Domain.Derived;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Derived;

/// <summary>Catalogue "Grade" (002 Introduction, WHO 2010; 2-3 % gap closed per WHO 2017, site policy).</summary>
public sealed class GradingTests
{
    private static TumourGrading GradeOf(Patient patient, GradingPolicy? policy = null) =>
        TumourGrading.Derive(patient.Build(), policy ?? new GradingPolicy());

    public static TheoryData<decimal, Grade> Ki67Boundaries => new()
    {
        { 0m, Grade.G1 },
        { 2.9m, Grade.G1 },
        { 3m, Grade.G2 },
        { 20m, Grade.G2 },
        { 20.1m, Grade.G3 },
    };

    public static TheoryData<decimal, Grade> MitosisBoundaries => new()
    {
        { 1.9m, Grade.G1 },
        { 2m, Grade.G2 },
        { 20m, Grade.G2 },
        { 20.1m, Grade.G3 },
    };

    [Theory]
    [MemberData(nameof(Ki67Boundaries))]
    public void Ki67_boundaries_follow_who(decimal ki67, Grade expected)
    {
        var grading = GradeOf(Patient.New().Ki67(ki67));

        grading.Grade.Should().Be(expected);
        grading.Ki67!.Value.Exact.Should().Be(ki67);
    }

    [Theory]
    [MemberData(nameof(MitosisBoundaries))]
    public void Mitotic_count_boundaries_follow_who(decimal mitoses, Grade expected)
    {
        // A Ki-67 of 1 % is G1, so the mitotic count alone decides whether the grade rises.
        var grading = GradeOf(Patient.New().Ki67(1m).Mitoses(mitoses));

        grading.Grade.Should().Be(expected);
    }

    [Fact]
    public void High_ki67_with_low_mitoses_is_graded_by_the_ki67()
    {
        GradeOf(Patient.New().Ki67(25m).Mitoses(1m)).Grade.Should().Be(Grade.G3);
    }

    [Fact]
    public void Low_ki67_with_g2_mitoses_is_graded_by_the_mitoses()
    {
        var grading = GradeOf(Patient.New().Ki67(1m).Mitoses(5m));

        grading.Grade.Should().Be(Grade.G2);
        grading.Class.Should().Be(TumourClass.NetG2);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(60)]
    public void Poorly_differentiated_histology_is_nec_whatever_the_ki67(int ki67)
    {
        var grading = GradeOf(Patient.New().Differentiation(Differentiation.Poorly).Ki67(ki67));

        grading.Class.Should().Be(TumourClass.Nec);
        grading.Missing.Should().BeEmpty();
    }

    [Fact]
    public void Poorly_differentiated_histology_is_nec_even_without_a_ki67()
    {
        var grading = GradeOf(Patient.New().Differentiation(Differentiation.Poorly));

        grading.Class.Should().Be(TumourClass.Nec);
        grading.Missing.Should().BeEmpty();
    }

    [Fact]
    public void Well_differentiated_with_ki67_above_20_is_net_g3()
    {
        var grading = GradeOf(Patient.New().Differentiation(Differentiation.Well).Ki67(30m));

        grading.Grade.Should().Be(Grade.G3);
        grading.Class.Should().Be(TumourClass.NetG3);
    }

    [Fact]
    public void G3_with_differentiation_unknown_leaves_the_class_open_and_asks_for_differentiation()
    {
        var grading = GradeOf(Patient.New().Ki67(30m));

        grading.Grade.Should().Be(Grade.G3);
        grading.Class.Should().BeNull();
        grading.Missing.Should().Contain(FactKind.Differentiation);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(10)]
    public void G1_or_g2_without_differentiation_is_taken_as_a_well_differentiated_net(int ki67)
    {
        var grading = GradeOf(Patient.New().Ki67(ki67));

        grading.Class.Should().BeOneOf(TumourClass.NetG1, TumourClass.NetG2);
        grading.DifferentiationInferred.Should().BeTrue();
        grading.Missing.Should().BeEmpty();
    }

    [Fact]
    public void No_ki67_leaves_the_grade_unknown_and_asks_for_ki67()
    {
        var grading = GradeOf(Patient.New().Differentiation(Differentiation.Well));

        grading.Grade.Should().BeNull();
        grading.Class.Should().BeNull();
        grading.Missing.Should().Contain(FactKind.Ki67);
    }

    [Fact]
    public void A_mitotic_g1_without_ki67_is_not_decisive()
    {
        var grading = GradeOf(Patient.New().Differentiation(Differentiation.Well).Mitoses(1m));

        grading.Grade.Should().BeNull();
        grading.Class.Should().BeNull();
        grading.Missing.Should().Contain(FactKind.Ki67);
    }

    [Fact]
    public void A_mitotic_g2_without_ki67_is_not_decisive()
    {
        GradeOf(Patient.New().Differentiation(Differentiation.Well).Mitoses(10m)).Grade.Should().BeNull();
    }

    [Fact]
    public void A_mitotic_g3_without_ki67_is_decisive()
    {
        var grading = GradeOf(Patient.New().Differentiation(Differentiation.Well).Mitoses(25m));

        grading.Grade.Should().Be(Grade.G3);
        grading.Class.Should().Be(TumourClass.NetG3);
        grading.Missing.Should().BeEmpty();
    }

    [Fact]
    public void The_highest_grade_across_specimens_wins()
    {
        var grading = GradeOf(Patient.New()
            .Ki67(2m, Ago.Months(2), specimen: "primary")
            .Ki67(8m, Ago.Months(6), specimen: "liver-biopsy"));

        grading.Grade.Should().Be(Grade.G2);
        grading.Ki67!.Value.Exact.Should().Be(8m);
        grading.Ki67.Specimen.Should().Be("liver-biopsy");
    }

    [Fact]
    public void A_newer_report_on_the_same_specimen_replaces_an_older_higher_one()
    {
        var grading = GradeOf(Patient.New()
            .Ki67(15m, Ago.Months(12), specimen: "primary")
            .Ki67(2m, Ago.Months(1), specimen: "primary"));

        grading.Grade.Should().Be(Grade.G1);
        grading.Ki67!.Value.Exact.Should().Be(2m);
    }

    [Fact]
    public void Ki67_and_mitoses_are_read_from_the_same_specimen()
    {
        // Specimen A: Ki-67 G1 and mitoses G1. Specimen B: only mitoses G2, not decisive without its Ki-67.
        var grading = GradeOf(Patient.New()
            .Ki67(1m, specimen: "A").Mitoses(1m, specimen: "A")
            .Mitoses(10m, specimen: "B"));

        grading.Grade.Should().Be(Grade.G1);
    }

    [Fact]
    public void The_ki67_behind_the_grade_is_cited_with_its_source()
    {
        var grading = GradeOf(Patient.New().Ki67(5m).Differentiation(Differentiation.Well));

        grading.Inputs.Select(i => i.Fact).Should().Contain([FactKind.Ki67, FactKind.Differentiation]);
        grading.Inputs.Should().OnlyContain(i => !string.IsNullOrEmpty(i.Source));
    }

    [Fact]
    public void A_changed_grading_policy_moves_the_boundary()
    {
        var patient = Patient.New().Ki67(2.5m);

        GradeOf(patient).Grade.Should().Be(Grade.G1);
        GradeOf(patient, new GradingPolicy { Ki67G1Below = 2m }).Grade.Should().Be(Grade.G2);
    }

    [Fact]
    public void The_default_grading_policy_closes_the_who_2010_gap_at_3_percent()
    {
        var defaults = EligibilityPolicy.Default.Grading;

        defaults.Ki67G1Below.Should().Be(3m);
        defaults.Ki67G3Above.Should().Be(20m);
    }
}

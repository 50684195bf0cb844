using NetCds.Domain.Derived;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;
using NetCds.Domain.Tests.Support;

namespace NetCds.Domain.Tests.Derived;

/// <summary>Catalogue "Disease course": mCODE status as stated, lesion sums read with 003 §4.3 or RECIST 1.1 (site policy).</summary>
public sealed class DiseaseCourseTests
{
    private static readonly DiseaseCoursePolicy Recist = new() { Criteria = ResponseCriteria.Recist11 };

    private static DiseaseCourse CourseOf(Patient patient, DiseaseCoursePolicy? policy = null) =>
        DiseaseCourse.Derive(patient.Build(), Ago.AsOf, policy ?? new DiseaseCoursePolicy());

    private static DateTimeOffset On(int year, int month, int day) => new(year, month, day, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1)]
    [InlineData(11)]
    [InlineData(12)]
    public void Worsened_status_within_12_months_is_progressing(int monthsAgo)
    {
        var course = CourseOf(Patient.New().DiseaseStatus(DiseaseStatus.Worsened, Ago.Months(monthsAgo)));

        course.Kind.Should().Be(CourseKind.Progressing);
        course.LastProgression.Should().Be(Ago.Months(monthsAgo));
    }

    [Fact]
    public void Worsened_status_13_months_ago_with_nothing_newer_is_unknown_not_stable()
    {
        var course = CourseOf(Patient.New().DiseaseStatus(DiseaseStatus.Worsened, Ago.Months(13)));

        course.Kind.Should().Be(CourseKind.Unknown);
        course.LastProgression.Should().Be(Ago.Months(13));
    }

    [Fact]
    public void Stable_assessments_after_an_old_progression_count_months_from_the_progression()
    {
        var course = CourseOf(Patient.New()
            .DiseaseStatus(DiseaseStatus.Worsened, Ago.Months(14))
            .DiseaseStatus(DiseaseStatus.Stable, Ago.Months(8))
            .DiseaseStatus(DiseaseStatus.Stable, Ago.Months(1)));

        course.Kind.Should().Be(CourseKind.Stable);
        course.StableMonths.Should().Be(13);
        course.LastProgression.Should().Be(Ago.Months(14));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(6)]
    [InlineData(9)]
    public void Two_stable_statuses_spanning_n_months_are_stable_for_n_months(int months)
    {
        var course = CourseOf(Patient.New().StableFor(months));

        course.Kind.Should().Be(CourseKind.Stable);
        course.StableMonths.Should().Be(months);
    }

    [Fact]
    public void Stable_months_are_calendar_months()
    {
        // 31 January to 30 October is not yet 9 calendar months; to 31 October it is.
        var almostNine = CourseOf(Patient.New()
            .DiseaseStatus(DiseaseStatus.Stable, On(2026, 1, 31))
            .DiseaseStatus(DiseaseStatus.Stable, On(2026, 10, 30)));
        var nine = CourseOf(Patient.New()
            .DiseaseStatus(DiseaseStatus.Stable, On(2026, 1, 31))
            .DiseaseStatus(DiseaseStatus.Stable, On(2026, 10, 31)));

        almostNine.StableMonths.Should().Be(8);
        nine.StableMonths.Should().Be(9);
    }

    [Fact]
    public void A_single_measurement_shows_no_course()
    {
        var course = CourseOf(Patient.New().DiameterSum(6m, Ago.Months(2)));

        course.Kind.Should().Be(CourseKind.Unknown);
    }

    [Fact]
    public void No_assessment_at_all_is_unknown()
    {
        var course = CourseOf(Patient.New());

        course.Kind.Should().Be(CourseKind.Unknown);
        course.Inputs.Should().BeEmpty();
    }

    [Fact]
    public void Growth_of_exactly_25_percent_is_not_progression_under_the_default_criteria()
    {
        var course = CourseOf(Patient.New().DiameterSum(10m, Ago.Months(7)).DiameterSum(12.5m, Ago.Months(1)));

        course.Kind.Should().Be(CourseKind.Stable);
        course.StableMonths.Should().Be(6);
    }

    [Fact]
    public void Growth_of_25_1_percent_is_progression_under_the_default_criteria()
    {
        var course = CourseOf(Patient.New().DiameterSum(10m, Ago.Months(7)).DiameterSum(12.51m, Ago.Months(1)));

        course.Kind.Should().Be(CourseKind.Progressing);
        course.LastProgression.Should().Be(Ago.Months(1));
    }

    [Fact]
    public void Default_criteria_are_vogl_2009()
    {
        EligibilityPolicy.Default.DiseaseCourse.Criteria.Should().Be(ResponseCriteria.Vogl2009);
    }

    [Fact]
    public void Recist_growth_of_20_percent_but_only_4_mm_is_not_progression()
    {
        var course = CourseOf(Patient.New().DiameterSum(2.0m, Ago.Months(5)).DiameterSum(2.4m, Ago.Months(1)), Recist);

        course.Kind.Should().Be(CourseKind.Stable);
    }

    [Fact]
    public void Recist_growth_of_20_percent_and_6_mm_is_progression()
    {
        var patient = Patient.New().DiameterSum(3.0m, Ago.Months(5)).DiameterSum(3.6m, Ago.Months(1));

        CourseOf(patient, Recist).Kind.Should().Be(CourseKind.Progressing);
        CourseOf(patient).Kind.Should().Be(CourseKind.Stable, "20 % growth is below the 25 % of 003 §4.3");
    }

    [Fact]
    public void Growth_is_measured_from_the_nadir_not_the_baseline()
    {
        // 10 → 6 → 7.6 cm: 24 % below baseline, but 26.7 % above the nadir.
        var course = CourseOf(Patient.New()
            .DiameterSum(10m, Ago.Months(9))
            .DiameterSum(6m, Ago.Months(5))
            .DiameterSum(7.6m, Ago.Months(1)));

        course.Kind.Should().Be(CourseKind.Progressing);
    }

    [Fact]
    public void Shrinkage_then_growth_below_the_threshold_from_the_nadir_is_stable()
    {
        var course = CourseOf(Patient.New()
            .DiameterSum(10m, Ago.Months(9))
            .DiameterSum(6m, Ago.Months(5))
            .DiameterSum(7.4m, Ago.Months(1)));

        course.Kind.Should().Be(CourseKind.Stable);
        course.StableMonths.Should().Be(8);
    }

    [Fact]
    public void Largest_lesion_stands_in_when_no_diameter_sums_were_reported()
    {
        var course = CourseOf(Patient.New().LargestLesion(2m, Ago.Months(6)).LargestLesion(3m, Ago.Months(1)));

        course.Kind.Should().Be(CourseKind.Progressing);
    }

    [Fact]
    public void Largest_lesion_stands_in_when_only_one_diameter_sum_is_known_at_the_evaluation_instant()
    {
        // The second sum is dated after the evaluation instant, so the largest-lesion series (2 → 3 cm, +50 %) is the one to read.
        var course = CourseOf(Patient.New()
            .DiameterSum(4m, Ago.Months(3)).DiameterSum(9m, Ago.AsOf.AddDays(10))
            .LargestLesion(2m, Ago.Months(6)).LargestLesion(3m, Ago.Months(1)));

        course.Kind.Should().Be(CourseKind.Progressing);
    }

    [Fact]
    public void Undetermined_status_is_ignored()
    {
        var course = CourseOf(Patient.New()
            .DiseaseStatus(DiseaseStatus.Stable, Ago.Months(10))
            .DiseaseStatus(DiseaseStatus.Stable, Ago.Months(4))
            .DiseaseStatus(DiseaseStatus.Undetermined, Ago.Months(1)));

        course.Kind.Should().Be(CourseKind.Stable);
        course.StableMonths.Should().Be(6);
        course.LatestAssessment.Should().Be(Ago.Months(4));
    }

    [Fact]
    public void Only_undetermined_statuses_leave_the_course_unknown()
    {
        CourseOf(Patient.New().DiseaseStatus(DiseaseStatus.Undetermined)).Kind.Should().Be(CourseKind.Unknown);
    }

    [Fact]
    public void Assessments_after_the_evaluation_instant_are_ignored()
    {
        var course = CourseOf(Patient.New()
            .StableFor(8)
            .DiseaseStatus(DiseaseStatus.Worsened, Ago.AsOf.AddDays(3))
            .DiameterSum(4m, Ago.Months(3))
            .DiameterSum(9m, Ago.AsOf.AddDays(10)));

        course.Kind.Should().Be(CourseKind.Stable);
        course.LatestAssessment.Should().BeOnOrBefore(Ago.AsOf);
    }

    [Fact]
    public void Every_assessment_used_is_cited()
    {
        var course = CourseOf(Patient.New().StableFor(6));

        course.Inputs.Should().HaveCount(2);
        course.Inputs.Should().OnlyContain(i => i.Fact == FactKind.DiseaseStatus && !string.IsNullOrEmpty(i.Source));
    }
    [Fact]
    public void One_measurement_after_a_stated_progression_has_nothing_to_compare_with()
    {
        var course = CourseOf(Patient.New()
            .DiseaseStatus(DiseaseStatus.Worsened, Ago.Months(13))
            .LargestLesion(4m, Ago.Months(1)));

        course.Kind.Should().Be(CourseKind.Unknown);
    }

    [Fact]
    public void One_measurement_after_a_measured_progression_is_compared_with_it()
    {
        var course = CourseOf(Patient.New()
            .DiameterSum(10m, Ago.Months(16))
            .DiameterSum(13m, Ago.Months(13))
            .DiameterSum(13.2m, Ago.Months(1)));

        course.Kind.Should().Be(CourseKind.Stable);
        course.StableMonths.Should().Be(12);
    }
}

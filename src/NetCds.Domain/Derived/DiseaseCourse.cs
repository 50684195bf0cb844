using System.Globalization;
using NetCds.Domain.Engine;
using NetCds.Domain.Facts;
using NetCds.Domain.Policy;

namespace NetCds.Domain.Derived;

public enum CourseKind
{
    Progressing,
    Stable,
    Unknown,
}

/// <summary>
/// Disease course from dated assessments: mCODE disease status taken as stated, and the lesion-size series
/// read with 003 §4.3 (or RECIST 1.1, site policy).
/// </summary>
/// <param name="StableMonths">For <see cref="CourseKind.Stable"/>: months spanned by assessments without progression.</param>
public sealed record DiseaseCourse(
    CourseKind Kind,
    int StableMonths,
    DateTimeOffset? LastProgression,
    DateTimeOffset? LatestAssessment,
    string Reason,
    IReadOnlyList<InputReference> Inputs)
{
    /// <summary>Every progression recorded by <c>asOf</c>, oldest first (EVE-FAILED and SUN-FAILED date them against a drug).</summary>
    public IReadOnlyList<InputReference> Progressions { get; init; } = [];

    private sealed record Assessment(DateTimeOffset Date, bool Progression, bool Measured, InputReference Input);

    public static DiseaseCourse Derive(PatientFacts facts, DateTimeOffset asOf, DiseaseCoursePolicy policy)
    {
        var assessments = new List<Assessment>();
        foreach (var status in facts.DiseaseStatus.Where(s => s.Effective <= asOf && s.Value != DiseaseStatus.Undetermined))
        {
            assessments.Add(new Assessment(status.Effective, status.Value == DiseaseStatus.Worsened, false, InputReference.From(FactKind.DiseaseStatus, status)));
        }

        // The sum of diameters is what both criteria measure; the largest lesion stands in when fewer than two sums
        // were reported by asOf (sums dated later do not count).
        var sums = facts.LesionDiameterSum.Where(m => m.Effective <= asOf).OrderBy(m => m.Effective).ToList();
        var (series, kind) = sums.Count(m => m.Value.Exact is not null) >= 2
            ? (sums, FactKind.LesionDiameterSum)
            : (facts.LargestLesion.Where(m => m.Effective <= asOf).OrderBy(m => m.Effective).ToList(), FactKind.LargestLesion);
        assessments.AddRange(ReadMeasurements(series, kind, policy));

        if (assessments.Count == 0)
        {
            return Unknown("no dated disease status or lesion measurements", null, []);
        }

        assessments.Sort((a, b) => a.Date.CompareTo(b.Date));
        return Classify(assessments, asOf, policy) with { Progressions = [.. assessments.Where(a => a.Progression).Select(a => a.Input)] };
    }

    private static DiseaseCourse Classify(List<Assessment> assessments, DateTimeOffset asOf, DiseaseCoursePolicy policy)
    {
        var inputs = assessments.Select(a => a.Input).ToList();
        var latest = assessments[^1].Date;
        var lastProgression = assessments.Where(a => a.Progression).Select(a => (DateTimeOffset?)a.Date).LastOrDefault();
        var window = asOf.AddMonths(-policy.ProgressionWindowMonths);

        if (lastProgression is { } progressed && progressed >= window)
        {
            return new DiseaseCourse(CourseKind.Progressing, 0, progressed, latest,
                $"progression recorded {Day(progressed)}, within {policy.ProgressionWindowMonths} months", inputs);
        }

        if (latest < asOf.AddMonths(-policy.AssessmentStaleAfterMonths))
        {
            return Unknown($"latest assessment {Day(latest)} is older than {policy.AssessmentStaleAfterMonths} months", lastProgression, inputs);
        }

        var sinceProgression = assessments.Where(a => !a.Progression && (lastProgression is null || a.Date > lastProgression)).ToList();
        var stated = sinceProgression.Any(a => !a.Measured);
        var measuredPoints = sinceProgression.Count(a => a.Measured);

        // One measurement on its own shows no course; a stated "stable", two measurements, or a measurement
        // after a measured progression (which became the new baseline it is compared with) do. A stated
        // progression leaves no baseline, so one later measurement compares with nothing.
        var progressionMeasured = assessments.Any(a => a.Progression && a.Measured && a.Date == lastProgression);
        if (!stated && measuredPoints < (progressionMeasured ? 1 : 2))
        {
            return Unknown("a single assessment shows no course", lastProgression, inputs);
        }

        var from = lastProgression ?? sinceProgression[0].Date;
        var months = FactSelection.MonthsBetween(from, sinceProgression[^1].Date);
        return new DiseaseCourse(CourseKind.Stable, months, lastProgression, latest,
            $"no progression from {Day(from)} to {Day(sinceProgression[^1].Date)} ({months} months)", inputs);
    }

    /// <summary>
    /// Growth is measured between values, so only exact sizes form the series; a size reported as a bound
    /// ("&lt; 1 cm") still counts for the size rules but says nothing about growth.
    /// </summary>
    private static IEnumerable<Assessment> ReadMeasurements(List<Fact<Interval>> reported, FactKind kind, DiseaseCoursePolicy policy)
    {
        var series = reported.Where(m => m.Value.Exact is not null).Select(m => (Fact: m, Size: m.Value.Exact!.Value)).ToList();
        if (series.Count == 0)
        {
            yield break;
        }

        var nadir = series[0].Size;
        yield return new Assessment(series[0].Fact.Effective, false, true, InputReference.From(kind, series[0].Fact));
        foreach (var (measurement, size) in series.Skip(1))
        {
            var growth = size - nadir;
            var growthPercent = nadir == 0 ? (growth > 0 ? decimal.MaxValue : 0) : growth / nadir * 100m;
            var progression = policy.Criteria == ResponseCriteria.Recist11
                ? growthPercent >= policy.RecistProgressionGrowthPercent && growth >= policy.RecistProgressionAbsoluteCm
                : growthPercent > policy.ProgressionGrowthAbovePercent;
            yield return new Assessment(measurement.Effective, progression, true, InputReference.From(kind, measurement));

            // A progression is the new baseline for what follows (a change of treatment usually follows it).
            nadir = progression ? size : Math.Min(nadir, size);
        }
    }

    private static DiseaseCourse Unknown(string reason, DateTimeOffset? lastProgression, List<InputReference> inputs) =>
        new(CourseKind.Unknown, 0, lastProgression, inputs.Count == 0 ? null : inputs.Max(i => i.Date), reason, inputs);

    internal static string Day(DateTimeOffset date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

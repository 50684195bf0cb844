using Microsoft.Extensions.Options;
using NetCds.Domain.Policy;

namespace NetCds.Service.Eligibility;

/// <summary>
/// Rejects thresholds that cannot be meant: percentages outside 0-100, bands whose lower edge is above the upper.
/// Each failure names the configuration key, so the operator knows what to fix.
/// </summary>
public sealed class EligibilityPolicyValidator : IValidateOptions<EligibilityPolicy>
{
    public ValidateOptionsResult Validate(string? name, EligibilityPolicy options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();

        void Percent(string key, decimal value)
        {
            if (value is < 0 or > 100)
            {
                errors.Add($"Eligibility:{key} must be a percentage from 0 to 100 (was {value}).");
            }
        }

        void Positive(string key, decimal value)
        {
            if (value <= 0)
            {
                errors.Add($"Eligibility:{key} must be greater than 0 (was {value}).");
            }
        }

        void Ordered(string lowKey, decimal low, string highKey, decimal high)
        {
            if (low > high)
            {
                errors.Add($"Eligibility:{lowKey} ({low}) must not exceed Eligibility:{highKey} ({high}).");
            }
        }

        var fit = options.Fitness;
        if (fit.EcogPoorFrom is < 0 or > 5)
        {
            errors.Add($"Eligibility:Fitness:EcogPoorFrom must be an ECOG grade 0-5 (was {fit.EcogPoorFrom}).");
        }

        if (fit.KarnofskyPoorAtMost is < 0 or > 100)
        {
            errors.Add($"Eligibility:Fitness:KarnofskyPoorAtMost must be a Karnofsky score 0-100 (was {fit.KarnofskyPoorAtMost}).");
        }

        var g = options.Grading;
        Ordered("Grading:Ki67G1Below", g.Ki67G1Below, "Grading:Ki67G3Above", g.Ki67G3Above);
        Ordered("Grading:MitosesG1Below", g.MitosesG1Below, "Grading:MitosesG3Above", g.MitosesG3Above);
        Percent("Grading:Ki67G3Above", g.Ki67G3Above);

        var course = options.DiseaseCourse;
        Positive("DiseaseCourse:ProgressionWindowMonths", course.ProgressionWindowMonths);
        Positive("DiseaseCourse:AssessmentStaleAfterMonths", course.AssessmentStaleAfterMonths);
        Positive("DiseaseCourse:ProgressionGrowthAbovePercent", course.ProgressionGrowthAbovePercent);
        Positive("DiseaseCourse:RecistProgressionGrowthPercent", course.RecistProgressionGrowthPercent);

        Percent("Chromogranin:ResponseFallPercent", options.Chromogranin.ResponseFallPercent);
        Positive("Chromogranin:ProgressionRisePercent", options.Chromogranin.ProgressionRisePercent);

        var r = options.Resection;
        Percent("Resection:ResectableFractionAtLeastPercent", r.ResectableFractionAtLeastPercent);
        Percent("Resection:LikelyUnresectableBurdenAbovePercent", r.LikelyUnresectableBurdenAbovePercent);

        var a = options.Ablation;
        Ordered("Ablation:SizeEligibleBelowCm", a.SizeEligibleBelowCm, "Ablation:SizeContraindicatedAboveCm", a.SizeContraindicatedAboveCm);
        Ordered("Ablation:CountEligibleBelow", a.CountEligibleBelow, "Ablation:CountConsiderAtMost", a.CountConsiderAtMost);

        var e = options.Embolization;
        Ordered("Embolization:BilirubinConsiderFromMgDl", e.BilirubinConsiderFromMgDl, "Embolization:BilirubinContraindicatedAboveMgDl", e.BilirubinContraindicatedAboveMgDl);
        Ordered("Embolization:BurdenEligibleAtMostPercent", e.BurdenEligibleAtMostPercent, "Embolization:BurdenContraindicatedAbovePercent", e.BurdenContraindicatedAbovePercent);
        Percent("Embolization:BurdenContraindicatedAbovePercent", e.BurdenContraindicatedAbovePercent);
        if (e.EcogContraindicatedFrom is < 0 or > 5)
        {
            errors.Add($"Eligibility:Embolization:EcogContraindicatedFrom must be an ECOG grade 0-5 (was {e.EcogContraindicatedFrom}).");
        }

        Percent("Radioembolization:LungShuntContraindicatedAbovePercent", options.Radioembolization.LungShuntContraindicatedAbovePercent);
        Percent("Radioembolization:BurdenConsiderAbovePercent", options.Radioembolization.BurdenConsiderAbovePercent);

        var t = options.Transplant;
        Positive("Transplant:AgeBelow", t.AgeBelow);
        Percent("Transplant:Ki67Below", t.Ki67Below);
        Percent("Transplant:BurdenBelowPercent", t.BurdenBelowPercent);

        if (options.SomatostatinAnalogues.KrenningPositiveFrom is < 0 or > 4 || options.Prrt.KrenningAtLeast is < 0 or > 4)
        {
            errors.Add("Eligibility:SomatostatinAnalogues:KrenningPositiveFrom and Eligibility:Prrt:KrenningAtLeast must be Krenning scores 0-4.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

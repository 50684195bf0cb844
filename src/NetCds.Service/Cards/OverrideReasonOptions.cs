using Microsoft.Extensions.Options;

namespace NetCds.Service.Cards;

/// <summary>
/// Configuration section <c>CdsHooks</c>: the override reasons every card offers (CDS Hooks 2.0 <c>overrideReasons</c>),
/// and so the only reasons feedback may give (issue 20). Each needs a code, a system and a display.
/// </summary>
public sealed class OverrideReasonOptions
{
    public const string Section = "CdsHooks";

    /// <summary>
    /// The site's override reasons (Codings: <c>Code</c>, <c>System</c>, <c>Display</c>), offered on every card;
    /// feedback with another reason is refused. None configured: NetCds's own four (discussed-at-mdt, data-elsewhere,
    /// not-relevant-now, patient-preference).
    /// </summary>
    public IList<OverrideReasonSetting> OverrideReasons { get; } = [];

    /// <summary>NetCds's reasons, offered when the site configures none (what every card carried before issue 20).</summary>
    public static IReadOnlyList<Coding> Defaults { get; } =
    [
        new("discussed-at-mdt", CardBuilder.OverrideReasonSystem, "Already discussed at the multidisciplinary team meeting"),
        new("data-elsewhere", CardBuilder.OverrideReasonSystem, "The missing data exist elsewhere, not yet in this record"),
        new("not-relevant-now", CardBuilder.OverrideReasonSystem, "Not relevant for this patient at this time"),
        new("patient-preference", CardBuilder.OverrideReasonSystem, "Patient preference"),
    ];

    /// <summary>The reasons in force: the configured ones, or <see cref="Defaults"/>.</summary>
    public IReadOnlyList<Coding> InForce() =>
        OverrideReasons.Count == 0 ? Defaults : [.. OverrideReasons.Select(r => new Coding(r.Code!, r.System, r.Display))];
}

/// <summary>One configured override reason (a FHIR Coding).</summary>
public sealed class OverrideReasonSetting
{
    /// <summary>The reason's code, as feedback sends it back.</summary>
    public string? Code { get; set; }

    /// <summary>The code system (an absolute URI).</summary>
    public string? System { get; set; }

    /// <summary>What the clinician reads (CDS Hooks 2.0: every override reason has a display).</summary>
    public string? Display { get; set; }
}

/// <summary>Every reason has a code, an absolute-URI system and a display; no system and code twice. Failures name the key.</summary>
public sealed class OverrideReasonOptionsValidator : IValidateOptions<OverrideReasonOptions>
{
    public ValidateOptionsResult Validate(string? name, OverrideReasonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        for (var i = 0; i < options.OverrideReasons.Count; i++)
        {
            var key = $"{OverrideReasonOptions.Section}:{nameof(OverrideReasonOptions.OverrideReasons)}:{i}";
            var reason = options.OverrideReasons[i];
            if (string.IsNullOrWhiteSpace(reason.Code))
            {
                errors.Add($"{key}:{nameof(OverrideReasonSetting.Code)} is required.");
            }

            if (!Uri.TryCreate(reason.System, UriKind.Absolute, out _))
            {
                errors.Add($"{key}:{nameof(OverrideReasonSetting.System)} must be an absolute URI (was '{reason.System}').");
            }

            if (string.IsNullOrWhiteSpace(reason.Display))
            {
                errors.Add($"{key}:{nameof(OverrideReasonSetting.Display)} is required (clinicians choose by it).");
            }
        }

        errors.AddRange(options.OverrideReasons.Where(r => !string.IsNullOrWhiteSpace(r.Code))
            .GroupBy(r => (r.System, r.Code)).Where(g => g.Count() > 1)
            .Select(g => $"{OverrideReasonOptions.Section}:{nameof(OverrideReasonOptions.OverrideReasons)} lists {g.Key.System}|{g.Key.Code} more than once."));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

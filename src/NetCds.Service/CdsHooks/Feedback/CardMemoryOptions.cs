using Microsoft.Extensions.Options;

namespace NetCds.Service.CdsHooks.Feedback;

/// <summary>Configuration section <c>CdsHooks</c>: how long returned cards are remembered for feedback, and how (issue 20).</summary>
public sealed class CardMemoryOptions
{
    public const string Section = "CdsHooks";

    /// <summary>Cards (and the feedback on them) older than this are deleted; feedback on an older card is refused as unknown.</summary>
    public TimeSpan CardMemoryRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often the retention job runs.</summary>
    public TimeSpan CardMemoryPurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Hook answers whose cards wait to be written (the call never waits for the store): about 20 s of a store outage
    /// at 1,000 calls/s. When full, the answer's cards are not remembered, counted in
    /// <c>netcds_cds_card_memory_dropped_total</c> and logged; the call is never held up.
    /// </summary>
    public int CardMemoryQueueCapacity { get; set; } = 20_000;

    /// <summary>Most hook answers whose cards are written in one transaction.</summary>
    public int CardMemoryBatchSize { get; set; } = 500;

    /// <summary>
    /// The key of the patient hash (HMAC-SHA256), at least 32 characters; a secret: set it from the environment
    /// (<c>CdsHooks__PatientHashKey</c>). None: a random key generated once and kept in the store (<c>install_secrets</c>).
    /// </summary>
    public string? PatientHashKey { get; set; }
}

/// <summary>Retention and interval positive, capacity and batch at least 1, a configured key long enough. Failures name the key.</summary>
public sealed class CardMemoryOptionsValidator : IValidateOptions<CardMemoryOptions>
{
    public ValidateOptionsResult Validate(string? name, CardMemoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var prefix = CardMemoryOptions.Section + ":";
        if (options.CardMemoryRetention <= TimeSpan.Zero)
        {
            errors.Add($"{prefix}{nameof(CardMemoryOptions.CardMemoryRetention)} must be positive (was {options.CardMemoryRetention}).");
        }

        if (options.CardMemoryPurgeInterval <= TimeSpan.Zero)
        {
            errors.Add($"{prefix}{nameof(CardMemoryOptions.CardMemoryPurgeInterval)} must be positive (was {options.CardMemoryPurgeInterval}).");
        }

        if (options.CardMemoryQueueCapacity < 1)
        {
            errors.Add($"{prefix}{nameof(CardMemoryOptions.CardMemoryQueueCapacity)} must be at least 1.");
        }

        if (options.CardMemoryBatchSize < 1)
        {
            errors.Add($"{prefix}{nameof(CardMemoryOptions.CardMemoryBatchSize)} must be at least 1.");
        }

        if (options.PatientHashKey is { } key && key.Length < 32)
        {
            // The length only: the key itself is never echoed.
            errors.Add($"{prefix}{nameof(CardMemoryOptions.PatientHashKey)} must be at least 32 characters (was {key.Length}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

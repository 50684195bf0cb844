using Microsoft.Extensions.Options;
using NetCds.Domain.Policy;

namespace NetCds.Service.Eligibility;

public static class EligibilityExtensions
{
    /// <summary>Configuration section holding every catalogue threshold (see <see cref="EligibilityPolicy"/>).</summary>
    public const string Section = "Eligibility";

    /// <summary>
    /// Binds the eligibility policy from configuration, checks it at start-up (a bad threshold stops the host
    /// rather than producing quietly wrong cards), and exposes it as a singleton for the engine.
    /// </summary>
    public static IHostApplicationBuilder AddEligibility(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EligibilityPolicy>()
            .BindConfiguration(Section)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EligibilityPolicy>, EligibilityPolicyValidator>();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<EligibilityPolicy>>().Value);
        return builder;
    }
}

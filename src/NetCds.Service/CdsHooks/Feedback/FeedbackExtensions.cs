using Microsoft.Extensions.Options;
using NetCds.Service.Cards;
using NetCds.Service.Security;

namespace NetCds.Service.CdsHooks.Feedback;

/// <summary>Card memory, checked feedback, its summary and retention (issue 20).</summary>
public static class FeedbackExtensions
{
    /// <summary>
    /// The admin summary is no CDS Hooks answer: its empty lists (a rule never overridden has <c>reasons: []</c>) are
    /// written, as <c>netcds feedback</c> reads them; only nulls are left out.
    /// </summary>
    private static readonly System.Text.Json.JsonSerializerOptions SummaryJson = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static IHostApplicationBuilder AddCardFeedback(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OverrideReasonOptions>().BindConfiguration(OverrideReasonOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OverrideReasonOptions>, OverrideReasonOptionsValidator>();
        builder.Services.AddOptions<CardMemoryOptions>().BindConfiguration(CardMemoryOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<CardMemoryOptions>, CardMemoryOptionsValidator>();
        builder.Services.AddSingleton<PatientHasher>();
        builder.Services.AddSingleton<CardMemory>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CardMemory>());
        builder.Services.AddSingleton<CardMemoryRetention>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CardMemoryRetention>());
        builder.Services.AddScoped<FeedbackReceiver>();
        builder.Services.AddScoped<FeedbackSummaryQuery>();
        return builder;
    }

    /// <summary><c>GET /admin/feedback</c>: the summary, behind the admin policy.</summary>
    public static IEndpointRouteBuilder MapFeedbackSummary(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/feedback", async (FeedbackSummaryQuery summary, CancellationToken cancellationToken) =>
                TypedResults.Json(await summary.ReadAsync(cancellationToken), SummaryJson))
            .WithTags("Admin")
            .RequireAuthorization(AdminAuthorization.Policy)
            .Produces<FeedbackSummary>(StatusCodes.Status200OK);
        return app;
    }
}

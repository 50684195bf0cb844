using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NetCds.Ops.DeadLetters;

namespace NetCds.Service.Messaging;

/// <summary>
/// The admin API's authorization: policy <see cref="Policy"/> needs an authenticated caller whose <c>scope</c> claim
/// (space-separated, OAuth 2.0 style) holds <see cref="Scope"/>. The service's bearer-token scheme plugs in by
/// becoming the default authentication scheme; until one is registered, a scheme that authenticates nobody answers
/// 401, so the admin routes are closed rather than open.
/// </summary>
public static class AdminAuthorization
{
    public const string Policy = "admin";

    public const string Scope = "netcds.admin";

    public const string ClosedScheme = "netcds-closed";

    public static IHostApplicationBuilder AddAdminAuthorization(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ClosedHandler>(ClosedScheme, null);
        builder.Services.PostConfigure<AuthenticationOptions>(o => o.DefaultScheme ??= ClosedScheme);
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy
            .RequireAuthenticatedUser()
            .RequireAssertion(context => context.User.FindAll("scope").SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Contains(Scope)));
        return builder;
    }

    /// <summary>Authenticates no one (no credentials are accepted until a real scheme is configured).</summary>
    private sealed class ClosedHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());
    }
}

/// <summary>
/// <c>/admin/dead-letters</c>: list, show, replay one or all, purge one or all (RabbitMQ only), behind the admin policy.
/// </summary>
public static class DeadLettersApi
{
    public sealed record ReplayResult(int Replayed);

    public sealed record PurgeResult(int Purged);

    public static IEndpointRouteBuilder MapDeadLettersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin/dead-letters").WithTags("Admin").RequireAuthorization(AdminAuthorization.Policy);
        group.MapGet("", ListAsync);
        group.MapGet("/{messageId}", ShowAsync);
        group.MapPost("/replay", (IConfiguration configuration, IOptions<MessagingOptions> messaging, CancellationToken ct) => ReplayAsync(null, configuration, messaging, ct));
        group.MapPost("/{messageId}/replay", ReplayAsync);
        group.MapDelete("", (IConfiguration configuration, IOptions<MessagingOptions> messaging, CancellationToken ct) => PurgeAsync(null, configuration, messaging, ct));
        group.MapDelete("/{messageId}", PurgeAsync);
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<DeadLetter>>, ProblemHttpResult>> ListAsync(int? limit, IConfiguration configuration, IOptions<MessagingOptions> messaging, CancellationToken cancellationToken)
    {
        if (Unavailable(messaging) is { } problem)
        {
            return problem;
        }

        await using var queue = await DeadLetterStore.ConnectAsync(Broker(configuration), cancellationToken);
        return TypedResults.Ok(await queue.ListAsync(Math.Clamp(limit ?? 100, 1, 10_000), cancellationToken));
    }

    private static async Task<Results<Ok<DeadLetter>, NotFound, ProblemHttpResult>> ShowAsync(string messageId, IConfiguration configuration, IOptions<MessagingOptions> messaging, CancellationToken cancellationToken)
    {
        if (Unavailable(messaging) is { } problem)
        {
            return problem;
        }

        await using var queue = await DeadLetterStore.ConnectAsync(Broker(configuration), cancellationToken);
        return await queue.FindAsync(messageId, cancellationToken) is { } letter ? TypedResults.Ok(letter) : TypedResults.NotFound();
    }

    private static async Task<Results<Ok<ReplayResult>, NotFound, ProblemHttpResult>> ReplayAsync(string? messageId, IConfiguration configuration, IOptions<MessagingOptions> messaging, CancellationToken cancellationToken)
    {
        if (Unavailable(messaging) is { } problem)
        {
            return problem;
        }

        await using var queue = await DeadLetterStore.ConnectAsync(Broker(configuration), cancellationToken);
        var replayed = await queue.ReplayAsync(messageId, cancellationToken);
        return messageId is not null && replayed == 0 ? TypedResults.NotFound() : TypedResults.Ok(new ReplayResult(replayed));
    }

    private static async Task<Results<Ok<PurgeResult>, NotFound, ProblemHttpResult>> PurgeAsync(string? messageId, IConfiguration configuration, IOptions<MessagingOptions> messaging, CancellationToken cancellationToken)
    {
        if (Unavailable(messaging) is { } problem)
        {
            return problem;
        }

        await using var queue = await DeadLetterStore.ConnectAsync(Broker(configuration), cancellationToken);
        var purged = await queue.PurgeAsync(messageId, cancellationToken);
        return messageId is not null && purged == 0 ? TypedResults.NotFound() : TypedResults.Ok(new PurgeResult(purged));
    }

    private static ProblemHttpResult? Unavailable(IOptions<MessagingOptions> messaging) => messaging.Value.Transport == MessagingTransport.RabbitMq
        ? null
        : TypedResults.Problem("Dead letters are RabbitMQ error queues; Messaging:Transport is InMemory.", statusCode: StatusCodes.Status409Conflict);

    private static Uri Broker(IConfiguration configuration) => new(configuration.GetConnectionString("RabbitMq")!);
}

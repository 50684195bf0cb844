using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NetCds.Ops.DeadLetters;

using NetCds.Service.Security;

namespace NetCds.Service.Messaging;

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

using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NetCds.Ops.DeadLetters;
using NetCds.Service.Records;
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
        group.MapPost("/replay", (IConfiguration configuration, IOptions<MessagingOptions> messaging, IServiceScopeFactory scopes, TimeProvider clock, CancellationToken ct) => ReplayAsync(null, configuration, messaging, scopes, clock, ct));
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

    private static async Task<Results<Ok<ReplayResult>, NotFound, ProblemHttpResult>> ReplayAsync(string? messageId, IConfiguration configuration, IOptions<MessagingOptions> messaging, IServiceScopeFactory scopes, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Unavailable(messaging) is { } problem)
        {
            return problem;
        }

        await using var queue = await DeadLetterStore.ConnectAsync(Broker(configuration), cancellationToken);
        var replayed = await queue.ReplayAsync(messageId, cancellationToken, (endpoint, body, ct) => RecomputeDirectlyAsync(endpoint, body, scopes, clock, ct));
        return messageId is not null && replayed == 0 ? TypedResults.NotFound() : TypedResults.Ok(new ReplayResult(replayed));
    }

    /// <summary>
    /// A dead-lettered recompute is replayed by calling the recompute service (issue 19), as the backfill does, not by
    /// queueing the message again: an unconditional recompute of its patient (the generation it named may be long
    /// past). Other letters, or a body that cannot be read, are republished as before.
    /// </summary>
    private static async Task<bool> RecomputeDirectlyAsync(string endpoint, ReadOnlyMemory<byte> body, IServiceScopeFactory scopes, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (endpoint != RecomputeEligibilityConsumerDefinition.Queue || PatientOf(body) is not { } patient)
        {
            return false;
        }

        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<EligibilityRecompute>().RecomputeAsync(patient, generation: null, clock.GetUtcNow(), cancellationToken);
        return true;
    }

    /// <summary>The patient of a MassTransit envelope carrying a RecomputeEligibility (<c>message.patient</c>), or null.</summary>
    private static string? PatientOf(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var envelope = JsonDocument.Parse(body);
            return envelope.RootElement.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object
                && message.TryGetProperty("patient", out var patient) && patient.GetString() is { Length: > 0 } id && id.StartsWith("Patient/", StringComparison.Ordinal)
                ? id
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
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

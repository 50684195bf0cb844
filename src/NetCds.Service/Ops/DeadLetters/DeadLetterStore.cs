using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

// Shared, as source, by the service (admin API) and the CLI (netcds dead-letters): it needs RabbitMQ.Client only.
namespace NetCds.Ops.DeadLetters;

/// <summary>
/// One message in an <c>_error</c> queue, described without its content: what failed, when, and a hash of the
/// patient it was about (never the id itself).
/// </summary>
public sealed record DeadLetter(
    string Queue,
    string MessageId,
    string? MessageType,
    string? Reason,
    string? ExceptionType,
    DateTimeOffset? FirstFailedAt,
    string? PatientHash);

/// <summary>
/// The dead letters of NetCds's receive endpoints, on RabbitMQ: MassTransit moves a message whose consumer gave up
/// (or that could not be read) to <c>&lt;queue&gt;_error</c>, with the reason in its <c>MT-Fault-*</c> headers.
/// Replay publishes it again to its original queue (without the fault headers) and removes it from the error queue.
/// </summary>
public sealed partial class DeadLetterStore : IAsyncDisposable
{
    /// <summary>The service's receive endpoints (see the consumer definitions).</summary>
    public static readonly IReadOnlyList<string> Endpoints = ["netcds-recompute-eligibility", "netcds-fhir-inbound", "netcds-fhir-raw"];

    private readonly IConnection _connection;

    private DeadLetterStore(IConnection connection) => _connection = connection;

    public static async Task<DeadLetterStore> ConnectAsync(Uri broker, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = broker, ClientProvidedName = "netcds-dead-letters" };
        return new DeadLetterStore(await factory.CreateConnectionAsync(cancellationToken));
    }

    /// <summary>The dead letters now waiting, oldest first per queue, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        var found = new List<DeadLetter>();
        foreach (var endpoint in Endpoints)
        {
            await BrowseAsync(ErrorQueue(endpoint), (_, letter) =>
            {
                found.Add(letter);
                return Task.FromResult(found.Count >= limit ? Browse.Stop : Browse.Keep);
            }, cancellationToken);
            if (found.Count >= limit)
            {
                break;
            }
        }

        return found;
    }

    public async Task<DeadLetter?> FindAsync(string messageId, CancellationToken cancellationToken) =>
        (await ListAsync(int.MaxValue, cancellationToken)).FirstOrDefault(d => d.MessageId == messageId);

    /// <summary>
    /// Replays one dead letter (<paramref name="messageId"/>) or all of them (null); returns how many.
    /// <paramref name="direct"/>, when given, is offered each letter first (its endpoint and body): when it handles the
    /// letter itself (true), the letter is removed without being published again (the service replays a recompute by
    /// calling the recompute, issue 19).
    /// </summary>
    public async Task<int> ReplayAsync(string? messageId, CancellationToken cancellationToken, Func<string, ReadOnlyMemory<byte>, CancellationToken, Task<bool>>? direct = null)
    {
        var options = new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);
        await using var publisher = await _connection.CreateChannelAsync(options, cancellationToken);
        var replayed = 0;
        foreach (var endpoint in Endpoints)
        {
            await BrowseAsync(ErrorQueue(endpoint), async (message, letter) =>
            {
                if (messageId is not null && letter.MessageId != messageId)
                {
                    return Browse.Keep;
                }

                if (direct is not null && await direct(endpoint, message.Body, cancellationToken))
                {
                    replayed++;
                    return messageId is null ? Browse.Remove : Browse.RemoveAndStop;
                }

                var properties = new BasicProperties(message.BasicProperties)
                {
                    Headers = (message.BasicProperties.Headers ?? new Dictionary<string, object?>())
                        .Where(h => !h.Key.StartsWith("MT-Fault-", StringComparison.Ordinal) && h.Key != "MT-Reason" && !h.Key.StartsWith("MT-Host-", StringComparison.Ordinal))
                        .ToDictionary(h => h.Key, h => h.Value),
                };

                // MassTransit binds an exchange of the endpoint's name to its queue; the confirm is awaited before the ack.
                await publisher.BasicPublishAsync(endpoint, "", mandatory: true, properties, message.Body, cancellationToken);
                replayed++;
                return messageId is null ? Browse.Remove : Browse.RemoveAndStop;
            }, cancellationToken);
            if (messageId is not null && replayed > 0)
            {
                break;
            }
        }

        return replayed;
    }

    /// <summary>Deletes one dead letter (<paramref name="messageId"/>) or all of them (null); returns how many.</summary>
    public async Task<int> PurgeAsync(string? messageId, CancellationToken cancellationToken)
    {
        var purged = 0;
        foreach (var endpoint in Endpoints)
        {
            await BrowseAsync(ErrorQueue(endpoint), (_, letter) =>
            {
                if (messageId is not null && letter.MessageId != messageId)
                {
                    return Task.FromResult(Browse.Keep);
                }

                purged++;
                return Task.FromResult(messageId is null ? Browse.Remove : Browse.RemoveAndStop);
            }, cancellationToken);
        }

        return purged;
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private static string ErrorQueue(string endpoint) => endpoint + "_error";

    private enum Browse
    {
        Keep,
        Stop,
        Remove,
        RemoveAndStop,
    }

    /// <summary>
    /// Looks at every message now in the queue (at most the count it had at the start, so replayed messages that fail
    /// again are not seen twice), without taking the ones kept: they return to the queue when the channel closes.
    /// </summary>
    private async Task BrowseAsync(string queue, Func<BasicGetResult, DeadLetter, Task<Browse>> visit, CancellationToken cancellationToken)
    {
        await using var channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
        uint count;
        try
        {
            count = (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException closed) when (closed.ShutdownReason?.ReplyCode == 404)
        {
            return;
        }

        for (var i = 0; i < count; i++)
        {
            if (await channel.BasicGetAsync(queue, autoAck: false, cancellationToken) is not { } message)
            {
                break;
            }

            var decision = await visit(message, Describe(queue, message));
            if (decision is Browse.Remove or Browse.RemoveAndStop)
            {
                await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken);
            }

            if (decision is Browse.Stop or Browse.RemoveAndStop)
            {
                break;
            }
        }

        // Closing the channel returns every message not acknowledged to the queue, in order.
        await channel.CloseAsync(cancellationToken);
    }

    private static DeadLetter Describe(string queue, BasicGetResult message)
    {
        var headers = message.BasicProperties.Headers ?? new Dictionary<string, object?>();
        string? Header(string name) => headers.TryGetValue(name, out var value) ? value switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            null => null,
            var other => Convert.ToString(other, CultureInfo.InvariantCulture),
        } : null;

        var body = Encoding.UTF8.GetString(message.Body.Span);
        string? messageType = null;
        string? patient = null;
        var messageId = message.BasicProperties.MessageId;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("message", out var inner) && root.TryGetProperty("messageType", out var types))
            {
                messageType = types.EnumerateArray().Select(t => t.GetString()).FirstOrDefault()?.Split(':').Last();
                messageId ??= root.TryGetProperty("messageId", out var id) ? id.GetString() : null;
                patient = inner.TryGetProperty("patient", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()
                    : inner.TryGetProperty("json", out var json) && json.ValueKind == JsonValueKind.String ? PatientIn(json.GetString()!)
                    : null;
            }
            else
            {
                messageType = "raw FHIR JSON";
                patient = PatientIn(body);
            }
        }
        catch (JsonException)
        {
            messageType = "not JSON";
        }

        // A raw message may have no id: its content's hash names it, stably.
        messageId ??= "sha256-" + Convert.ToHexStringLower(SHA256.HashData(message.Body.Span))[..24];
        var failedAt = DateTimeOffset.TryParse(Header("MT-Fault-Timestamp"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : (DateTimeOffset?)null;
        return new DeadLetter(queue, messageId, messageType, Header("MT-Fault-Message"), Header("MT-Fault-ExceptionType"), failedAt, patient is null ? null : HashPatient(patient));
    }

    /// <summary>The first patient a FHIR document refers to (<c>Patient/id</c>), or null.</summary>
    private static string? PatientIn(string json)
    {
        var match = PatientReference().Match(json);
        if (match.Success)
        {
            return "Patient/" + match.Groups[1].Value;
        }

        var patient = PatientResource().Match(json);
        return patient.Success ? "Patient/" + patient.Groups[1].Value : null;
    }

    /// <summary>Enough to tell two patients' messages apart or match one to a known id; not the id.</summary>
    public static string HashPatient(string patient) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(patient)))[..16];

    [GeneratedRegex("\"reference\"\\s*:\\s*\"(?:[^\"]*/)?Patient/([A-Za-z0-9\\-.]{1,64})\"")]
    private static partial Regex PatientReference();

    [GeneratedRegex("\"resourceType\"\\s*:\\s*\"Patient\"\\s*,\\s*\"id\"\\s*:\\s*\"([A-Za-z0-9\\-.]{1,64})\"")]
    private static partial Regex PatientResource();
}

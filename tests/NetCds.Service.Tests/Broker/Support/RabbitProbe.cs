using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace NetCds.Service.Tests.Broker.Support;

/// <summary>A message read from RabbitMQ: the MassTransit envelope's <c>message</c> and the AMQP headers as strings.</summary>
internal sealed record BrokerMessage(JsonElement Envelope, IReadOnlyDictionary<string, string> Headers)
{
    public JsonElement Message => Envelope.GetProperty("message");
}

/// <summary>Looks at the broker from outside the service, with RabbitMQ.Client.</summary>
internal sealed class RabbitProbe : IAsyncDisposable
{
    /// <summary>MassTransit names a message type's exchange after its full type name.</summary>
    public const string EligibilityChangedExchange = "NetCds.Service.Messaging.Contracts.V2:EligibilityChanged";

    private readonly IConnection _connection;
    private IChannel _channel;

    private RabbitProbe(IConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
    }

    public static async Task<RabbitProbe> ConnectAsync()
    {
        var connection = await new ConnectionFactory { Uri = new Uri(BrokerEnvironment.Rabbit) }.CreateConnectionAsync(TestContext.Current.CancellationToken);
        return new RabbitProbe(connection, await connection.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken));
    }

    /// <summary>
    /// A temporary queue bound to a message type's exchange. The exchange is declared the way MassTransit declares
    /// it (durable fanout), since it only exists once something was published.
    /// </summary>
    public async Task<string> BindTemporaryQueueAsync(string exchange)
    {
        var ct = TestContext.Current.CancellationToken;
        await _channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
        var queue = await _channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: ct);
        await _channel.QueueBindAsync(queue.QueueName, exchange, "", cancellationToken: ct);
        return queue.QueueName;
    }

    /// <summary>Takes (acknowledges) every message now in the queue.</summary>
    public async Task<List<BrokerMessage>> DrainAsync(string queue)
    {
        var messages = new List<BrokerMessage>();
        while (await _channel.BasicGetAsync(queue, autoAck: true, TestContext.Current.CancellationToken) is { } got)
        {
            messages.Add(Read(got));
        }

        return messages;
    }

    /// <summary>
    /// Looks through a queue that other runs may also have left messages in: takes the first message matching
    /// <paramref name="match"/> and leaves the others. Null when the queue does not exist yet or holds no match.
    /// </summary>
    public async Task<BrokerMessage?> TakeAsync(string queue, Func<BrokerMessage, bool> match)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var channel = await _connection.CreateChannelAsync(cancellationToken: ct);
        try
        {
            var found = (BrokerMessage?)null;
            while (found is null && await channel.BasicGetAsync(queue, autoAck: false, ct) is { } got)
            {
                var message = Read(got);
                if (match(message))
                {
                    await channel.BasicAckAsync(got.DeliveryTag, multiple: false, ct);
                    found = message;
                }
            }

            // Closing the channel returns every unacknowledged message to the queue.
            await channel.CloseAsync(ct);
            return found;
        }
        catch (OperationInterruptedException closed) when (closed.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    /// <summary>Ready messages and consumers of a queue, or null when it does not exist.</summary>
    public async Task<(uint Messages, uint Consumers)?> InspectAsync(string queue)
    {
        try
        {
            var ok = await _channel.QueueDeclarePassiveAsync(queue, TestContext.Current.CancellationToken);
            return (ok.MessageCount, ok.ConsumerCount);
        }
        catch (OperationInterruptedException closed) when (closed.ShutdownReason?.ReplyCode == 404)
        {
            // A failed passive declare closes the channel.
            _channel = await _connection.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken);
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private static BrokerMessage Read(BasicGetResult got)
    {
        var headers = (got.BasicProperties.Headers ?? new Dictionary<string, object?>()).ToDictionary(
            h => h.Key,
            h => h.Value switch
            {
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                null => "",
                var other => other.ToString() ?? "",
            },
            StringComparer.Ordinal);
        return new BrokerMessage(JsonDocument.Parse(got.Body).RootElement.Clone(), headers);
    }
}

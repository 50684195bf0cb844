using System.Globalization;
using NetCds.Ops.DeadLetters;

namespace NetCds.Cli;

/// <summary>
/// <c>netcds dead-letters list|show|replay|purge</c>: the service's RabbitMQ error queues, from the broker directly
/// (so it works with the service down). The broker is <c>--broker amqp://...</c> or <c>ConnectionStrings__RabbitMq</c>.
/// </summary>
public static class DeadLetterCommands
{
    public const string Usage = """
        usage: netcds dead-letters list [--limit 100]
               netcds dead-letters show <message-id>
               netcds dead-letters replay <message-id> | --all
               netcds dead-letters purge <message-id> | --all
          Messages a NetCds consumer gave up on (RabbitMQ <queue>_error queues): why, when, and a hash of the patient.
          replay publishes them to their queue again (fix the cause first, e.g. add the missing code to the site's
          terminology map and restart); purge deletes them.
          --broker  amqp URI (default: the ConnectionStrings__RabbitMq environment variable)
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var positional = new List<string>();
        var broker = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
        var all = false;
        var limit = 100;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--broker" when i + 1 < args.Length:
                    broker = args[++i];
                    break;
                case "--all":
                    all = true;
                    break;
                case "--limit" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0:
                    limit = n;
                    i++;
                    break;
                case var option when option.StartsWith("--", StringComparison.Ordinal):
                    error.WriteLine($"unknown or incomplete option '{option}'");
                    error.WriteLine(Usage);
                    return 2;
                default:
                    positional.Add(args[i]);
                    break;
            }
        }

        var command = positional.FirstOrDefault();
        var id = positional.Skip(1).FirstOrDefault();
        var valid = command switch
        {
            "list" => id is null && !all,
            "show" => id is not null && !all,
            "replay" or "purge" => (id is null) == all,
            _ => false,
        };
        if (!valid)
        {
            error.WriteLine(Usage);
            return 2;
        }

        if (string.IsNullOrWhiteSpace(broker) || !Uri.TryCreate(broker, UriKind.Absolute, out var uri))
        {
            error.WriteLine("No broker: pass --broker amqp://user:password@host:5672/vhost or set ConnectionStrings__RabbitMq.");
            return 2;
        }

        await using var store = await DeadLetterStore.ConnectAsync(uri, cancellationToken);
        switch (command)
        {
            case "list":
                var letters = await store.ListAsync(limit, cancellationToken);
                output.WriteLine($"{"message id",-38} {"queue",-34} {"failed at (UTC)",-20} {"patient hash",-16} reason");
                foreach (var letter in letters)
                {
                    output.WriteLine($"{letter.MessageId,-38} {letter.Queue,-34} {letter.FirstFailedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),-20} {letter.PatientHash,-16} {letter.Reason}");
                }

                output.WriteLine($"{letters.Count} dead letter(s)");
                return 0;
            case "show":
                if (await store.FindAsync(id!, cancellationToken) is not { } found)
                {
                    error.WriteLine($"no dead letter {id}");
                    return 1;
                }

                output.WriteLine($"message id:     {found.MessageId}");
                output.WriteLine($"queue:          {found.Queue}");
                output.WriteLine($"message type:   {found.MessageType}");
                output.WriteLine($"first failure:  {found.FirstFailedAt?.ToString("O", CultureInfo.InvariantCulture)}");
                output.WriteLine($"exception type: {found.ExceptionType}");
                output.WriteLine($"reason:         {found.Reason}");
                output.WriteLine($"patient hash:   {found.PatientHash}");
                return 0;
            case "replay":
                var replayed = await store.ReplayAsync(id, cancellationToken);
                output.WriteLine($"{replayed} dead letter(s) replayed");
                return id is not null && replayed == 0 ? 1 : 0;
            default:
                var purged = await store.PurgeAsync(id, cancellationToken);
                output.WriteLine($"{purged} dead letter(s) purged");
                return id is not null && purged == 0 ? 1 : 0;
        }
    }
}

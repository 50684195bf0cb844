using System.CommandLine;
using System.Globalization;
using NetCds.Ops.DeadLetters;

namespace NetCds.Cli;

/// <summary>
/// <c>netcds dead-letters list|show|replay|purge</c>: the service's RabbitMQ error queues, from the broker directly
/// (so it works with the service down). The broker is <c>--broker amqp://...</c> or <c>ConnectionStrings__RabbitMq</c>.
/// Exit codes (<see cref="ExitCodes"/>): 0 done, 1 no such dead letter, 2 usage or no broker given.
/// </summary>
public static class DeadLetterCommands
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var broker = new Option<string?>("--broker")
        {
            Description = "The broker's amqp URI (default: the ConnectionStrings__RabbitMq environment variable).",
            HelpName = "amqp://user:password@host:5672/vhost",
            Recursive = true,
        };
        var limit = new Option<int>("--limit") { Description = "At most this many.", DefaultValueFactory = _ => 100, CustomParser = CommandLine.ParsePositive };
        var list = new Command("list", "List dead letters: message id, queue, when it failed, a hash of the patient, why.") { limit };
        var showId = new Argument<string>("message-id") { Description = "The message id, as list shows it." };
        var show = new Command("show", "Show one dead letter in full.") { showId };
        var replay = SelectOne("replay", "Publish dead letters to their queue again (fix the cause first, e.g. add the missing code to the site's terminology map and restart).");
        var purge = SelectOne("purge", "Delete dead letters.");
        var command = new Command("dead-letters", "Messages a NetCds consumer gave up on (RabbitMQ <queue>_error queues), from the broker directly, so it works with the service down.")
        {
            broker, list, show, replay.Command, purge.Command,
        };

        list.SetAction((parsed, ct) => RunAsync("list", null, parsed.GetValue(limit), parsed.GetValue(broker), output, error, ct));
        show.SetAction((parsed, ct) => RunAsync("show", parsed.GetRequiredValue(showId), 0, parsed.GetValue(broker), output, error, ct));
        replay.Command.SetAction((parsed, ct) => RunAsync("replay", parsed.GetValue(replay.Id), 0, parsed.GetValue(broker), output, error, ct));
        purge.Command.SetAction((parsed, ct) => RunAsync("purge", parsed.GetValue(purge.Id), 0, parsed.GetValue(broker), output, error, ct));
        return command;
    }

    /// <summary>replay and purge take one message id or <c>--all</c>, never both and never neither.</summary>
    private static (Command Command, Argument<string?> Id) SelectOne(string name, string description)
    {
        var id = new Argument<string?>("message-id") { Description = "The message id, as list shows it.", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Every dead letter." };
        var command = new Command(name, description) { id, all };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(id) is null) != result.GetValue(all))
            {
                result.AddError($"{name} needs a message id or --all (one of them)");
            }
        });
        return (command, id);
    }

    /// <summary>One dead-letter command against the broker (<paramref name="id"/> null with replay/purge means all).</summary>
    private static async Task<int> RunAsync(string command, string? id, int limit, string? broker, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        broker ??= Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
        if (string.IsNullOrWhiteSpace(broker) || !Uri.TryCreate(broker, UriKind.Absolute, out var uri))
        {
            error.WriteLine("No broker: pass --broker amqp://user:password@host:5672/vhost or set ConnectionStrings__RabbitMq.");
            return ExitCodes.Usage;
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
                return ExitCodes.Success;
            case "show":
                if (await store.FindAsync(id!, cancellationToken) is not { } found)
                {
                    error.WriteLine($"no dead letter {id}");
                    return ExitCodes.Failed;
                }

                output.WriteLine($"message id:     {found.MessageId}");
                output.WriteLine($"queue:          {found.Queue}");
                output.WriteLine($"message type:   {found.MessageType}");
                output.WriteLine($"first failure:  {found.FirstFailedAt?.ToString("O", CultureInfo.InvariantCulture)}");
                output.WriteLine($"exception type: {found.ExceptionType}");
                output.WriteLine($"reason:         {found.Reason}");
                output.WriteLine($"patient hash:   {found.PatientHash}");
                return ExitCodes.Success;
            case "replay":
                var replayed = await store.ReplayAsync(id, cancellationToken);
                output.WriteLine($"{replayed} dead letter(s) replayed");
                return id is not null && replayed == 0 ? ExitCodes.Failed : ExitCodes.Success;
            default:
                var purged = await store.PurgeAsync(id, cancellationToken);
                output.WriteLine($"{purged} dead letter(s) purged");
                return id is not null && purged == 0 ? ExitCodes.Failed : ExitCodes.Success;
        }
    }
}

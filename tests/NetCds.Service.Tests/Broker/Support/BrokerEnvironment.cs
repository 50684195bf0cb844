using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using NetCds.Service.Tests.Support;
using Npgsql;

namespace NetCds.Service.Tests.Broker.Support;

/// <summary>Every RabbitMQ test shares one vhost and the service's fixed queue and exchange names: never in parallel.</summary>
[CollectionDefinition("RabbitMq", DisableParallelization = true)]
public sealed class RabbitMqSerial;

/// <summary>The real RabbitMQ and PostgreSQL started by deploy/local (./test.sh exports these variables).</summary>
internal static class BrokerEnvironment
{
    public static string Rabbit => Environment.GetEnvironmentVariable("NETCDS_TEST_RABBITMQ") ?? "";

    public static string Postgres => Environment.GetEnvironmentVariable("NETCDS_TEST_POSTGRES") ?? "";

    public static void SkipUnlessAvailable() =>
        Assert.SkipWhen(
            string.IsNullOrEmpty(Rabbit) || string.IsNullOrEmpty(Postgres),
            "NETCDS_TEST_RABBITMQ or NETCDS_TEST_POSTGRES is not set: run ./test.sh, or eval \"$(deploy/local/postgres.sh up)\"; eval \"$(deploy/local/rabbitmq.sh up)\" first");

    /// <summary>A patient id no other test (or earlier run) uses.</summary>
    public static string NewPatientId() => $"brk-{Guid.NewGuid():N}"[..24];

    /// <summary>A demo seed bundle with its patient id (and so every resource id derived from it) replaced.</summary>
    public static string Seed(string name, string seedPatientId, string patientId) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "seeds", name + ".json")).Replace(seedPatientId, patientId, StringComparison.Ordinal);

    /// <summary>Polls until <paramref name="probe"/> returns a value (see <see cref="Eventually"/>), or fails after <paramref name="timeout"/>.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what, Func<string>? lastSeen = null)
        where T : class
    {
        var value = await Eventually.PollAsync(probe, v => v is not null, timeout);
        if (value is null)
        {
            Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}. {lastSeen?.Invoke()}");
        }

        return value;
    }

    /// <summary>Runs rabbitmqctl against the local node; null when it is not installed or not allowed.</summary>
    public static async Task<string?> RabbitMqCtlAsync(params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo("rabbitmqctl") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in (string[])["-n", "rabbit@localhost", "-q", .. arguments])
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            _ = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            return process.ExitCode == 0 ? await output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}

/// <summary>A fresh PostgreSQL database, dropped (even with the service still connected) on dispose.</summary>
internal sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly string _name = $"netcds_broker_{Guid.NewGuid():N}";

    private PostgresDatabase()
    {
        ConnectionString = new NpgsqlConnectionStringBuilder(BrokerEnvironment.Postgres) { Database = _name }.ConnectionString;
    }

    public string ConnectionString { get; }

    public static async Task<PostgresDatabase> CreateAsync()
    {
        var database = new PostgresDatabase();
        await ExecuteAsync($"CREATE DATABASE {database._name}");
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await TestDatabases.DropAsync(BrokerEnvironment.Postgres, _name);
    }

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(BrokerEnvironment.Postgres);
        await connection.OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }
}

/// <summary>The real service on RabbitMQ and PostgreSQL, JWT off.</summary>
internal sealed class BrokerServiceFactory(string store) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseSetting("Messaging:Transport", "RabbitMq");
        builder.UseSetting("ConnectionStrings:RabbitMq", BrokerEnvironment.Rabbit);
        builder.UseSetting("Storage:Provider", "PostgreSql");
        builder.UseSetting("ConnectionStrings:Store", store);
        builder.UseSetting("CdsHooks:RequireJwt", "false");
        builder.TrustAuthorizationServer();
        builder.UseTestClock();
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }
}

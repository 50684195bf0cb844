using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace NetCds.Service.Tests.Support;

/// <summary>
/// <see cref="ServiceFactory"/> on a throwaway PostgreSQL database of its own (dropped on dispose), so a test class
/// written for the embedded store runs on PostgreSQL too: the write path differs per provider (issue 19, deliverable 8:
/// PostgreSQL writes a group's rows as arrays in one statement). Needs <c>NETCDS_TEST_POSTGRES</c>; test classes
/// skip without it (<see cref="SkipUnlessAvailable"/>).
/// </summary>
public sealed class PostgreSqlServiceFactory : ServiceFactory
{
    private static readonly string Admin = Environment.GetEnvironmentVariable("NETCDS_TEST_POSTGRES") ?? "";

    private readonly string _database = $"netcds_test_{Guid.NewGuid():N}";
    private bool _created;

    public static ServiceFactory SkipUnlessAvailable(PostgreSqlServiceFactory factory)
    {
        Assert.SkipWhen(string.IsNullOrEmpty(Admin), "NETCDS_TEST_POSTGRES is not set: run ./test.sh, or eval \"$(deploy/local/postgres.sh up)\" first");
        return factory;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        base.ConfigureWebHost(builder);
        if (!_created)
        {
            using var connection = new NpgsqlConnection(Admin);
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {_database}", connection);
            create.ExecuteNonQuery();
            _created = true;
        }

        builder.UseSetting("Storage:Provider", "PostgreSql");
        builder.UseSetting("ConnectionStrings:Store", new NpgsqlConnectionStringBuilder(Admin) { Database = _database }.ConnectionString);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (_created)
        {
            TestDatabases.DropAsync(Admin, _database).GetAwaiter().GetResult();
        }
    }
}

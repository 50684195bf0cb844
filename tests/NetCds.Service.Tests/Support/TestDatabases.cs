using Npgsql;

namespace NetCds.Service.Tests.Support;

/// <summary>Creates and drops the throwaway PostgreSQL databases the tests use.</summary>
internal static class TestDatabases
{
    /// <summary>Creates an empty database named <paramref name="prefix"/> and a fresh GUID; returns its name.</summary>
    public static async Task<string> CreateAsync(string adminConnectionString, string prefix)
    {
        var database = $"{prefix}_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
        await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        return database;
    }

    /// <summary>
    /// <c>DROP DATABASE ... WITH (FORCE)</c>, retried for up to 30 s: the force only ends sessions our role may end,
    /// so an autovacuum worker still busy on a freshly written database makes it fail with 42501 until it finishes.
    /// </summary>
    public static async Task DropAsync(string adminConnectionString, string database)
    {
        NpgsqlConnection.ClearAllPools();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(adminConnectionString);
                await connection.OpenAsync(CancellationToken.None);
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync(CancellationToken.None);
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < 30)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            }
        }
    }
}

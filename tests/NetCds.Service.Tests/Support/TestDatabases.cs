using Npgsql;

namespace NetCds.Service.Tests.Support;

/// <summary>Drops the throwaway PostgreSQL databases the tests create.</summary>
internal static class TestDatabases
{
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

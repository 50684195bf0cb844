using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace NetCds.Service.Storage;

/// <summary>
/// Lets SQLite itself wait for the write lock (its busy handler retries within milliseconds) instead of failing at
/// once into Microsoft.Data.Sqlite's own retry loop, which sleeps 150 ms between attempts: under concurrent writes
/// (ingestion, recompute, outbox) that sleep, not the work, set the embedded default's latency.
/// </summary>
public sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    private const string Pragma = "PRAGMA busy_timeout = 30000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace NetCds.Service.Storage;

public enum StorageProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>Configuration section <c>Storage</c>; the connection string is <c>ConnectionStrings:Store</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Chosen explicitly; there is no silent fallback from one provider to another.</summary>
    [Required]
    public StorageProvider Provider { get; init; } = StorageProvider.Sqlite;

    /// <summary>Apply pending migrations at start (on by default; turn off to migrate as a deployment step).</summary>
    public bool MigrateOnStart { get; init; } = true;

    /// <summary>
    /// Whether this instance is the only one writing to the store; unset: yes on Sqlite, no on PostgreSql. When it is,
    /// a CDS Hooks call answers from the patient's held fact state without reading the store while nothing this
    /// instance wrote for the patient since its last read says otherwise; when it is not, each call reads the patient's
    /// generation and stored report (one indexed query). Set false when several instances share one SQLite file or
    /// anything else writes to it while the service runs (restart the service after a restore).
    /// </summary>
    public bool? SoleWriter { get; init; }
}

public static class StorageExtensions
{
    /// <summary>SQLite file used when nothing is configured: the embedded default needs no server.</summary>
    public const string DefaultSqlite = "Data Source=netcds.db";

    private static readonly SqliteBusyTimeout BusyTimeout = new();

    public static IHostApplicationBuilder AddStore(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<StoreWriteTurn>();
        builder.Services.AddSingleton<PatientWrites>();

        // Both providers are registered; configuration (read when first used, never guessed) picks one. Pooled (issue
        // 20: creating a context was 2 % of a hook call): a context holds no state of its own beyond EF's, which the
        // pool resets when a scope returns it; the options are built once from the root provider's configuration.
        builder.Services.AddDbContextPool<SqliteStoreContext>((sp, o) => o.UseSqlite(ConnectionString(sp) ?? DefaultSqlite).AddInterceptors(BusyTimeout));
        builder.Services.AddDbContextPool<PostgreSqlStoreContext>((sp, o) => o.UseNpgsql(ConnectionString(sp)
            ?? throw new InvalidOperationException("Storage:Provider is PostgreSql but ConnectionStrings:Store is not set.")));
        builder.Services.AddScoped<StoreContext>(sp => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<StorageOptions>>().Value.Provider switch
        {
            StorageProvider.PostgreSql => sp.GetRequiredService<PostgreSqlStoreContext>(),
            _ => sp.GetRequiredService<SqliteStoreContext>(),
        });
        return builder;
    }

    private static string? ConnectionString(IServiceProvider services)
    {
        var connection = services.GetRequiredService<IConfiguration>().GetConnectionString("Store");
        return string.IsNullOrWhiteSpace(connection) ? null : connection;
    }

    /// <summary>Brings the schema up to date before the service takes requests.</summary>
    public static async Task MigrateStoreAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<StorageOptions>>().Value.MigrateOnStart)
        {
            return;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
        if (store is PostgreSqlStoreContext)
        {
            await CreateMigrationHistoryAsync(store);
        }

        await store.Database.MigrateAsync();
    }

    /// <summary>
    /// Creates EF's migration history table when it is missing, before <c>MigrateAsync</c>. Npgsql's history repository
    /// does not look for the table: it reads it and takes the "relation does not exist" failure as "no migrations yet",
    /// and EF logs that failed command as an Error (npgsql/efcore.pg#3407), so every first start on an empty PostgreSQL
    /// database put a false Error in front of an operator. Two instances starting together may both try to create it: the
    /// one that loses finds it made.
    /// </summary>
    private static async Task CreateMigrationHistoryAsync(StoreContext store)
    {
        var script = store.GetService<IHistoryRepository>().GetCreateIfNotExistsScript();
        try
        {
            await store.Database.ExecuteSqlRawAsync(script);
        }
        catch (Npgsql.PostgresException raced) when (raced.SqlState is Npgsql.PostgresErrorCodes.UniqueViolation or Npgsql.PostgresErrorCodes.DuplicateTable)
        {
            // Created by the other instance meanwhile.
        }
    }
}

/// <summary>For <c>dotnet ef migrations add ... --context SqliteStoreContext</c>.</summary>
public sealed class SqliteStoreContextFactory : IDesignTimeDbContextFactory<SqliteStoreContext>
{
    public SqliteStoreContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteStoreContext>().UseSqlite(StorageExtensions.DefaultSqlite).Options);
}

/// <summary>For <c>dotnet ef migrations add ... --context PostgreSqlStoreContext</c> (no server needed to generate).</summary>
public sealed class PostgreSqlStoreContextFactory : IDesignTimeDbContextFactory<PostgreSqlStoreContext>
{
    public PostgreSqlStoreContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgreSqlStoreContext>().UseNpgsql("Host=127.0.0.1;Database=netcds_design").Options);
}

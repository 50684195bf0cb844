using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests;

/// <summary>
/// The real service, with its own SQLite file so test classes never share (or race on) a database, trusting the test
/// <see cref="AuthorizationServer"/>: call the API with <c>CreateApiClient()</c>. It runs on <see cref="Clock"/>
/// (<see cref="TestClock.Shared"/> unless a fixture pins another).
/// </summary>
public class ServiceFactory : WebApplicationFactory<Program>
{
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"netcds-test-{Guid.NewGuid():N}.db");

    /// <summary>The clock the service runs on, and the one tokens and test data are dated by.</summary>
    public virtual TimeProvider Clock => TestClock.Shared;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseSetting("ConnectionStrings:Store", $"Data Source={_database}");
        builder.UseSetting("Storage:Provider", "Sqlite");

        // The recompute gather (500 ms by default) would add its wait to every test that waits for a report; the
        // gather itself is tested with its own, longer setting (RecomputeGatherTests).
        builder.UseSetting("Ingestion:RecomputeGather", "00:00:00.020");
        builder.TrustAuthorizationServer();
        builder.UseTestClock(Clock);
        builder.ConfigureLogging(logging => logging.AddProvider(RunLogScan.Logs));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _database, _database + "-wal", _database + "-shm" })
        {
            File.Delete(file);
        }
    }
}

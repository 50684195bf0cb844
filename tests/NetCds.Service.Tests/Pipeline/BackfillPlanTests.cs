using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NetCds.Cli;
using NetCds.Service.Tests.Support;
using Npgsql;

namespace NetCds.Service.Tests.Pipeline;

/// <summary>
/// Issue 19, deliverable 8, on PostgreSQL: a backfill fills <c>fhir_resources</c> faster than autovacuum analyzes it, so
/// its statements run on a table the planner has no statistics for. Profiled: the read of a part's stored rows
/// (<c>"ResourceId" = ANY(@ids)</c>) was then planned as a scan of every row of the type, and the window's recompute
/// reads on plans priced for an empty table (PostgreSQL CPU 0.158 s per 1,000 resources instead of 0.035 s). Autovacuum
/// is switched off on the table here, so "never analyzed" is what each test sees, not a race with its launcher.
/// </summary>
public sealed class BackfillPlanTests(PostgreSqlServiceFactory factory) : IClassFixture<PostgreSqlServiceFactory>
{
    private readonly ServiceFactory _factory = PostgreSqlServiceFactory.SkipUnlessAvailable(factory);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<NpgsqlConnection> OpenAsync()
    {
        // The service's own database (created and migrated when the host starts). Its configured connection string: a
        // pooled context's connection, once opened, no longer carries the password.
        var connection = new NpgsqlConnection(_factory.Services.GetRequiredService<IConfiguration>().GetConnectionString("Store"));
        await connection.OpenAsync(Token);
        await using var off = new NpgsqlCommand("ALTER TABLE fhir_resources SET (autovacuum_enabled = false)", connection);
        await off.ExecuteNonQueryAsync(Token);
        return connection;
    }

    [Fact]
    public async Task Closing_an_import_window_analyzes_the_table_its_parts_outgrew()
    {
        using var client = _factory.CreateApiClient();
        await using var connection = await OpenAsync();
        var run = $"ba{Guid.NewGuid():N}"[..14];
        var lines = new List<string> { $$"""{"resourceType":"Patient","id":"{{run}}-p","gender":"female","birthDate":"1960-01-01"}""" };
        lines.AddRange(Enumerable.Range(0, 900).Select(i => Observation($"{run}-o{i}", $"{run}-p")));
        (await PostPartAsync(client, lines)).Should().AllBe("201 Created");
        (await AnalyzedAsync(connection)).Should().BeNull("nothing analyzed the table yet");

        using var close = await client.PostAsync(new Uri("/recompute", UriKind.Relative), null, Token);

        close.StatusCode.Should().Be(HttpStatusCode.OK);
        (await AnalyzedAsync(connection)).Should().NotBeNull("the window's close analyzed the table before its recomputes read it back");
        await using var tuples = new NpgsqlCommand("SELECT reltuples FROM pg_class WHERE oid = 'fhir_resources'::regclass", connection);
        ((float)(await tuples.ExecuteScalarAsync(Token))!).Should().BeGreaterThanOrEqualTo(lines.Count, "the planner knows the rows the parts wrote");
    }

    /// <summary>When <c>fhir_resources</c> was last analyzed by a command (not autovacuum); null if never.</summary>
    private static async Task<DateTime?> AnalyzedAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT last_analyze FROM pg_stat_user_tables WHERE relid = 'fhir_resources'::regclass", connection);
        return await command.ExecuteScalarAsync(Token) as DateTime?;
    }

    private static string Observation(string id, string patient) =>
        $$$"""{"resourceType":"Observation","id":"{{{id}}}","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"1975-2"}]},"subject":{"reference":"Patient/{{{patient}}}"},"effectiveDateTime":"{{{TestClock.DaysAgo(3)}}}","valueQuantity":{"value":5,"unit":"umol/L","system":"http://unitsofmeasure.org","code":"umol/L"}}""";

    private static async Task<List<string>> PostPartAsync(HttpClient client, IEnumerable<string> lines)
    {
        using var content = new StringContent(string.Join('\n', lines) + "\n", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/fhir+ndjson");
        content.Headers.Add(ImportCommand.RecomputeHeader, "deferred");
        using var response = await client.PostAsync(new Uri("/fhir", UriKind.Relative), content, Token);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var bundle = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));
        return [.. bundle.RootElement.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("response").GetProperty("status").GetString()!)];
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using NetCds.Cli;
using NetCds.Service.Tests.Broker.Support;
using NetCds.Service.Tests.Support;
using static NetCds.Service.Tests.Pipeline.PipelineSupport;

namespace NetCds.Service.Tests.Broker;

/// <summary>
/// Issue 19, deliverable 8, on PostgreSQL: what a backfill part sends to the database, read from EF Core's executed
/// commands (not timed). A part's new resources go in one multi-row statement (the rows as arrays, one per column,
/// through <c>unnest</c>), not one statement per resource (EF Core's change tracker sent 301 single-row INSERTs for a part
/// of 301), and the part queues no recompute. In the RabbitMQ collection: its host consumes the service's fixed queues,
/// so run beside another RabbitMQ test it could take that test's messages (or be handed what another left queued).
/// </summary>
[Collection("RabbitMq")]
public sealed class BackfillSqlTests
{
    [Fact]
    public async Task A_backfill_part_inserts_its_resources_in_one_multi_row_statement_and_queues_no_recompute()
    {
        BrokerEnvironment.SkipUnlessAvailable();
        await using var database = await PostgresDatabase.CreateAsync();
        // Listening before the host starts: EF remembers for a while that nobody listened, and pooled contexts keep that.
        var databaseName = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString).Database!;
        using var sql = StoreCommandLog.OnDatabase(databaseName);
        await using var service = new BrokerServiceFactory(database.ConnectionString);
        using var client = service.CreateApiClient();
        var patient = BrokerEnvironment.NewPatientId();
        var lines = new List<string> { $$"""{"resourceType":"Patient","id":"{{patient}}","gender":"female","birthDate":"1960-01-01"}""" };
        lines.AddRange(Enumerable.Range(0, 300).Select(i =>
            $$$"""{"resourceType":"Observation","id":"{{{patient}}}-o{{{i}}}","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"1975-2"}]},"subject":{"reference":"Patient/{{{patient}}}"},"effectiveDateTime":"2020-01-01T00:00:00Z","valueQuantity":{"value":{{{i % 30 + 1}}},"unit":"umol/L","system":"http://unitsofmeasure.org","code":"umol/L"}}"""));
        using var content = new StringContent(string.Join('\n', lines) + "\n", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/fhir+ndjson");
        content.Headers.Add(ImportCommand.RecomputeHeader, "deferred");
        using var response = await client.PostAsync(new Uri("/fhir", UriKind.Relative), content, TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var inserts = sql.Texts.Where(c => c.Contains("INSERT INTO fhir_resources", StringComparison.Ordinal)).ToList();
        inserts.Should().ContainSingle("the part's new resources are inserted by one statement, not one per resource")
            .Which.Split("INSERT INTO fhir_resources").Should().HaveCount(2, "one statement, not a batch of single-row ones");
        inserts[0].Should().Contain("unnest(", "the rows go as arrays, one parameter per column");
        sql.Texts.Should().NotContain(c => c.Contains("UPDATE fhir_resources", StringComparison.Ordinal), "nothing was stored before");
        var stored = await QueryAsync(service.Services, s => s.Resources.CountAsync(r => r.Patient == $"Patient/{patient}", TestContext.Current.CancellationToken));
        stored.Should().Be(lines.Count, "every new resource is inserted");
        sql.Texts.Should().NotContain(c => c.Contains("INSERT INTO outbox", StringComparison.Ordinal), "a backfill part queues no recompute");
    }
}

using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NetCds.Domain.Engine;
using NetCds.Fhir;
using NetCds.Service.Storage;
using NetCds.Service.Tests.CdsHooks.Support;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests.Pipeline;

/// <summary>HTTP, store and polling helpers shared by the ingestion and pipeline tests.</summary>
internal static class PipelineSupport
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>A seed with its patient (and every resource id derived from it) renamed, so tests sharing a database never meet.</summary>
    /// <summary>A final total bilirubin Observation (LOINC 1975-2, mg/dL), or another LOINC <paramref name="code"/>.</summary>
    public static JsonObject Bilirubin(string id, string patientId, decimal value, DateTimeOffset effective, string code = "1975-2") => new()
    {
        ["resourceType"] = "Observation",
        ["id"] = id,
        ["status"] = "final",
        ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = code }) },
        ["subject"] = new JsonObject { ["reference"] = $"Patient/{patientId}" },
        ["effectiveDateTime"] = effective.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        ["valueQuantity"] = new JsonObject { ["value"] = value, ["unit"] = "mg/dL", ["system"] = "http://unitsofmeasure.org", ["code"] = "mg/dL" },
    };

    public static (string Json, string PatientId) UniqueSeed(string name)
    {
        var json = HookCalls.Seed(name);
        var original = HookCalls.PatientIdOf(json);
        var patientId = $"t{Guid.NewGuid():N}"[..20];
        return (json.Replace(original, patientId, StringComparison.Ordinal), patientId);
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/fhir+json");
        }

        using var response = await client.SendAsync(request, Token);
        var text = await response.Content.ReadAsStringAsync(Token);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public static Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient client, string path, string json) => SendAsync(client, HttpMethod.Post, path, json);

    /// <summary>Polls until <paramref name="probe"/> gives a value that satisfies <paramref name="done"/> (<see cref="Eventually"/>'s bound); returns the last value.</summary>
    public static Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done) => Eventually.PollAsync(probe, done);

    /// <summary>Runs a query against the service's own store, in a scope of its own.</summary>
    public static async Task<T> QueryAsync<T>(IServiceProvider services, Func<StoreContext, Task<T>> query)
    {
        await using var scope = services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<StoreContext>());
    }

    public static Task<StoredResource?> RowAsync(IServiceProvider services, string type, string id) =>
        QueryAsync(services, s => s.Resources.AsNoTracking().SingleOrDefaultAsync(r => r.ResourceType == type && r.ResourceId == id, Token));

    /// <summary>The latest report, polled until it exists (and satisfies <paramref name="done"/> when given).</summary>
    public static async Task<JsonElement> ReportAsync(HttpClient client, string patientId, Func<JsonElement, bool>? done = null)
    {
        var (status, body) = await EventuallyAsync(
            () => SendAsync(client, HttpMethod.Get, $"/eligibility/{patientId}"),
            r => r.Status == HttpStatusCode.OK && (done is null || done(r.Body)));
        status.Should().Be(HttpStatusCode.OK, "the recompute should have stored a report within the timeout");
        if (done is not null)
        {
            done(body).Should().BeTrue("the report should have reached the expected state within the timeout");
        }

        return body;
    }

    public static Dictionary<string, string> Statuses(JsonElement report) =>
        report.GetProperty("assessments").EnumerateArray().ToDictionary(a => a.GetProperty("therapy").GetString()!, a => a.GetProperty("status").GetString()!);

    /// <summary>The statuses the engine gives in process for <paramref name="json"/> at the instant the stored report was computed.</summary>
    public static Dictionary<string, string> InProcess(IServiceProvider services, string json, JsonElement report)
    {
        var at = report.GetProperty("evaluatedAt").GetDateTimeOffset();
        var evaluation = services.GetRequiredService<FhirEvaluation>().Evaluate(NetCds.Fhir.Input.FhirInput.Parse(json).Resource!, at)!;
        return evaluation.Report.Assessments.ToDictionary(a => a.Therapy.Code(), a => a.Status.Code());
    }

    public static IEnumerable<string> Issues(JsonElement outcome, string property) =>
        outcome.GetProperty("issue").EnumerateArray().SelectMany(i => i.TryGetProperty(property, out var v)
            ? v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(e => e.GetString()!) : [v.GetString()!]
            : []);
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using NetCds.Fhir.Input;
using NetCds.Service.CdsHooks.Prefetch;
using NetCds.Service.Messaging;
using NetCds.Service.Messaging.Contracts.V1;
using NetCds.Service.Tests.CdsHooks.Support;
using NetCds.Service.Tests.Support;
using static NetCds.Service.Tests.Pipeline.PipelineSupport;

namespace NetCds.Service.Tests.Pipeline;

/// <summary>
/// One FHIR input edge (issue 19, deliverable 6): the same malformed input sent through every way in (POST /fhir,
/// an NDJSON line, a bus message, a CDS Hooks prefetch value and a read from the EHR's FHIR server) is refused with
/// the path and message <see cref="FhirInput"/> gives, each in its own shape. The CDS Hooks shapes carry the path
/// only: they are logged, and the messages quote values.
/// </summary>
public sealed class InputEdgeTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private const string PatientId = "pt-edge-19";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Each input, and whether it can be a JSON value inside a CDS Hooks request and a string in a bus message.</summary>
    public static TheoryData<string, byte[], bool> Malformed => new()
    {
        { "bad JSON", Encoding.UTF8.GetBytes("""{"resourceType":"Observation","status":"final" """), false },
        { "unknown element", Encoding.UTF8.GetBytes("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/pt-edge-19"},"foo":1}"""), true },
        { "wrong type", Encoding.UTF8.GetBytes("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":"twelve"}}"""), true },
        { "no resourceType", Encoding.UTF8.GetBytes("""{"id":"o1","status":"final"}"""), true },
        { "not UTF-8", [.. Encoding.UTF8.GetBytes("""{"resourceType":"Patient","id":"p"""), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}")], false },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task The_same_malformed_input_gives_the_same_path_and_message_at_every_edge(string why, byte[] input, bool isJson)
    {
        var expected = FhirInput.Parse(input.AsSpan()).Error!;
        expected.Should().NotBeNull(why);
        using var client = factory.CreateApiClient();

        // HTTP: a 400 OperationOutcome.
        var (status, outcome) = await PostBytesAsync(client, input, "application/fhir+json");
        status.Should().Be(HttpStatusCode.BadRequest, why);
        var issue = outcome.GetProperty("issue")[0];
        issue.GetProperty("diagnostics").GetString().Should().Be(expected.Message, why);
        Expression(issue).Should().Be(expected.Path, why);

        // NDJSON: that line answered 400 in the batch-response, "line N: message (path)".
        var (ndjsonStatus, batch) = await PostBytesAsync(client, input, "application/fhir+ndjson");
        ndjsonStatus.Should().Be(HttpStatusCode.OK, why);
        var entry = batch.GetProperty("entry")[0].GetProperty("response");
        entry.GetProperty("status").GetString().Should().StartWith("400", why);
        entry.GetProperty("outcome").GetProperty("issue")[0].GetProperty("diagnostics").GetString().Should().Be($"line 1: {expected}", why);

        // Bus: the message faults (and so dead-letters) with the path and message as its reason. The message's
        // contract carries a string, so bytes that are not UTF-8 cannot be sent in it.
        if (input.AsSpan().IndexOf((byte)0xC3) < 0)
        {
            var json = Encoding.UTF8.GetString(input);
            var observer = new FaultObserver();
            using var connected = factory.Services.GetRequiredService<IBus>().ConnectConsumeObserver(observer);
            await factory.Services.GetRequiredService<IBus>().Publish(new FhirResourceSubmitted(json), Token);
            var faults = await EventuallyAsync(() => Task.FromResult(observer.Faults.Where(f => f.Json == json).ToList()), f => f.Count > 0);
            faults[0].Exception.Should().BeOfType<InvalidMessageException>().Which.Message.Should().Be($"Invalid FHIR: {expected}", why);
        }

        // CDS Hooks: a prefetch value (when the input can be one) and a read from the EHR's FHIR server.
        await using var ehr = await FakeFhirServer.StartAsync();
        ehr.On("Condition", FakeReply.Ok(input));
        await using var cds = await PrefetchHarness.StartAsync(new Dictionary<string, string?> { ["CdsHooks:Fhir:TotalBudgetMilliseconds"] = "20000", ["CdsHooks:Fhir:AttemptTimeoutMilliseconds"] = "10000" });
        var prefetch = new Dictionary<string, JsonElement>(StringComparer.Ordinal) { ["patient"] = JsonDocument.Parse($$"""{"resourceType":"Patient","id":"{{PatientId}}"}""").RootElement };
        var context = new Dictionary<string, JsonElement>(StringComparer.Ordinal) { ["patientId"] = JsonSerializer.SerializeToElement(PatientId) };
        var fetched = await cds.Resolver.ResolveAsync(prefetch, context, ehr.BaseUri.AbsoluteUri, null, Token);
        fetched.Keys["conditions"].Source.Should().Be(PrefetchSource.Unavailable, why);
        fetched.Keys["conditions"].Reason.Should().EndWith($"is not a valid FHIR resource{expected.Locations}", why);
        if (isJson)
        {
            expected.Locations.Should().Contain(expected.Path!);
            prefetch["observations"] = JsonDocument.Parse(input).RootElement;
            var sent = await cds.Resolver.ResolveAsync(prefetch, context, null, null, Token);
            sent.Keys["observations"].Reason.Should().StartWith($"prefetched value is not a valid FHIR resource{expected.Locations};", why);
        }
    }

    private static string? Expression(JsonElement issue) =>
        issue.TryGetProperty("expression", out var expression) ? expression[0].GetString() : null;

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostBytesAsync(HttpClient client, byte[] body, string mediaType)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await client.PostAsync(new Uri("/fhir", UriKind.Relative), content, Token);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));
        return (response.StatusCode, json.RootElement.Clone());
    }

    private sealed class FaultObserver : IConsumeObserver
    {
        public ConcurrentQueue<(string Json, Exception Exception)> Faults { get; } = new();

        public Task PreConsume<T>(ConsumeContext<T> context)
            where T : class => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context)
            where T : class => Task.CompletedTask;

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
            where T : class
        {
            if (context.Message is FhirResourceSubmitted submitted)
            {
                Faults.Enqueue((submitted.Json, exception));
            }

            return Task.CompletedTask;
        }
    }
}

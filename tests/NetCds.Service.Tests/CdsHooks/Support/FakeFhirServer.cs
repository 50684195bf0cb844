using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests.CdsHooks.Support;

/// <summary>What the fake EHR answers: a status, a JSON body (or raw bytes), headers, optionally after a delay.</summary>
public sealed record FakeReply(int Status, string? Json = null, TimeSpan Delay = default, IReadOnlyDictionary<string, string>? Headers = null)
{
    /// <summary>The body as bytes, sent as they are (e.g. not UTF-8); wins over <see cref="Json"/>.</summary>
    public byte[]? Bytes { get; init; }

    public static FakeReply Ok(string json) => new(200, json);

    public static FakeReply Ok(byte[] body) => new(200) { Bytes = body };

    public static FakeReply WithStatus(int status, string? retryAfter = null) =>
        new(status, FhirJson.OperationOutcome($"status {status}"), Headers: retryAfter is null ? null : new Dictionary<string, string> { ["Retry-After"] = retryAfter });

    public FakeReply After(TimeSpan delay) => this with { Delay = delay };
}

/// <summary>A request the fake EHR saw.</summary>
public sealed record SeenRequest(string Method, string Path, string RawQuery, IReadOnlyDictionary<string, string> Query, string? Authorization, string? Accept, DateTimeOffset At, string Body = "");

/// <summary>
/// A fake EHR FHIR server: a real Kestrel app on loopback, base <c>http://127.0.0.1:{port}/fhir</c>. Each route
/// answers its replies in turn, repeating the last; the newest matching route wins; no route → 404.
/// Every request is recorded.
/// </summary>
public sealed class FakeFhirServer : IAsyncDisposable
{
    private const string BasePath = "/fhir";
    private readonly WebApplication _app;
    private readonly List<Route> _routes = [];
    private readonly ConcurrentQueue<SeenRequest> _seen = new();
    private readonly Lock _gate = new();

    private FakeFhirServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>The FHIR base URL to put in a request's <c>fhirServer</c>.</summary>
    public Uri BaseUri { get; }

    public IReadOnlyList<SeenRequest> Requests => [.. _seen];

    public static async Task<FakeFhirServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeFhirServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync(TestContext.Current.CancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server = new FakeFhirServer(app, new Uri(address.TrimEnd('/') + BasePath));
        return server;
    }

    /// <summary>Answers requests to <c>{base}/{path}</c> (any query).</summary>
    public FakeFhirServer On(string path, params FakeReply[] replies) =>
        On(request => request.Path == path.TrimStart('/'), replies);

    /// <summary>Answers requests the predicate accepts (it sees the path relative to the base, and the query).</summary>
    public FakeFhirServer On(Func<SeenRequest, bool> match, params FakeReply[] replies)
    {
        ArgumentOutOfRangeException.ThrowIfZero(replies.Length);
        lock (_gate)
        {
            _routes.Add(new Route(match, replies));
        }

        return this;
    }

    public IReadOnlyList<SeenRequest> RequestsTo(string path) => [.. Requests.Where(r => r.Path == path.TrimStart('/'))];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.StartsWithSegments(BasePath, out var rest) ? rest.Value?.TrimStart('/') ?? "" : context.Request.Path.Value ?? "";
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var seen = new SeenRequest(
            context.Request.Method,
            path,
            context.Request.QueryString.Value ?? "",
            context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()),
            context.Request.Headers.Authorization.FirstOrDefault(),
            context.Request.Headers.Accept.FirstOrDefault(),
            TestClock.Now,
            body);
        _seen.Enqueue(seen);

        FakeReply reply;
        lock (_gate)
        {
            var route = _routes.LastOrDefault(r => r.Match(seen));
            reply = route?.Next() ?? new FakeReply(404, FhirJson.OperationOutcome("not found"));
        }

        if (reply.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(reply.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = reply.Status;
        foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (reply.Bytes is not null)
        {
            context.Response.ContentType = "application/fhir+json";
            await context.Response.Body.WriteAsync(reply.Bytes, context.RequestAborted);
        }
        else if (reply.Json is not null)
        {
            context.Response.ContentType = "application/fhir+json";
            await context.Response.WriteAsync(reply.Json, context.RequestAborted);
        }
    }

    private sealed class Route(Func<SeenRequest, bool> match, FakeReply[] replies)
    {
        private int _next;

        public bool Match(SeenRequest request) => match(request);

        public FakeReply Next() => replies[Math.Min(_next++, replies.Length - 1)];
    }
}

using System.Net;

namespace NetCds.Service.Tests.Mdt;

/// <summary>
/// Issue 19, memory: an MDT view parses and maps the patient's whole record, so the views prepared at once are bounded
/// (<c>Mdt:ConcurrentViews</c>, 2 by default); more wait their turn, and past <c>Mdt:QueuedViews</c> waiting ones are
/// answered 503 with Retry-After. Eight concurrent views of 26,000-resource records took the process to 885 MB.
/// </summary>
public sealed class MdtViewConcurrencyTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private const int Views = 16;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<HttpResponseMessage[]> ViewsAtOnceAsync(HttpClient client)
    {
        // Released together, without blocking a thread each (a barrier starved the thread pool for seconds).
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var views = Enumerable.Range(0, Views).Select(async _ =>
        {
            await start.Task;
            return await client.GetAsync(new Uri("/mdt/seed-02?history=full", UriKind.Relative), Ct);
        }).ToArray();
        start.SetResult();
        return await Task.WhenAll(views);
    }

    [Fact]
    public async Task Views_beyond_the_concurrent_ones_wait_their_turn_and_are_all_answered()
    {
        using var client = factory.CreateClient();

        var responses = await ViewsAtOnceAsync(client);

        responses.Select(r => r.StatusCode).Should().AllBeEquivalentTo(HttpStatusCode.OK);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_view_that_finds_no_turn_and_no_place_to_wait_is_answered_503_with_retry_after()
    {
        using var limited = factory.WithWebHostBuilder(b => b.UseSetting("Mdt:ConcurrentViews", "1").UseSetting("Mdt:QueuedViews", "0"));
        using var client = limited.CreateClient();

        // Sixteen views sent together overlap (each parses, evaluates and renders a seed); one round almost always
        // shows a refusal, and a few rounds make it certain on a slow or idle machine alike.
        HttpResponseMessage? refused = null;
        for (var round = 0; round < 20 && refused is null; round++)
        {
            var responses = await ViewsAtOnceAsync(client);
            responses.Select(r => r.StatusCode).Should().OnlyContain(s => s == HttpStatusCode.OK || s == HttpStatusCode.ServiceUnavailable);
            refused = responses.FirstOrDefault(r => r.StatusCode == HttpStatusCode.ServiceUnavailable);
        }

        refused.Should().NotBeNull("one view at a time, none waiting: a concurrent one is refused");
        refused!.Headers.RetryAfter.Should().NotBeNull();
        (await refused.Content.ReadAsStringAsync(Ct)).Should().Contain("Too many MDT views");
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using NetCds.Service.Tests.Support;

namespace NetCds.Service.Tests.Security;

/// <summary>
/// Requests as bytes on a socket to the real Kestrel (issue 20): an HttpClient would tidy the URL before sending it.
/// Dot segments, which Kestrel removes before routing, get the 400 error body; what Kestrel refuses itself (a
/// request line over its limit, a NUL in the path) is answered by Kestrel with no body, as docs/security.md says.
/// </summary>
public sealed class RawRequestTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private int Port()
    {
        var served = factory.WithWebHostBuilder(b => b.UseSetting("urls", "http://127.0.0.1:0"));
        served.UseKestrel();
        served.StartServer();
        using var probe = served.CreateClient();
        return probe.BaseAddress!.Port;
    }

    /// <summary>Sends one HTTP/1.1 request as written and reads the whole answer (the connection is closed after it).</summary>
    private static async Task<(int Status, string Head, string Body)> SendAsync(int port, string method, string target, string? body = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port, Ct);
        await using var stream = tcp.GetStream();
        var content = body ?? "";
        var request = $"{method} {target} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {AuthorizationServer.Token()}\r\n"
            + (body is null ? "" : $"Content-Type: application/fhir+json\r\nContent-Length: {Encoding.UTF8.GetByteCount(content)}\r\n")
            + $"Connection: close\r\n\r\n{content}";
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request), Ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = await reader.ReadToEndAsync(Ct);
        var split = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = answer[..split];
        var status = int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var rest = answer[(split + 4)..];
        return (status, head, head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) ? Unchunk(rest) : rest);
    }

    /// <summary>The body of a chunked answer (ASCII sizes in hex, each chunk followed by CRLF, a last chunk of 0).</summary>
    private static string Unchunk(string chunked)
    {
        var body = new StringBuilder();
        var at = 0;
        while (true)
        {
            var lineEnd = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = int.Parse(chunked[at..lineEnd].Split(';')[0], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
            if (size == 0)
            {
                return body.ToString();
            }

            // The answers here are ASCII JSON, so characters and bytes count alike.
            body.Append(chunked, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }

    [Theory]
    [InlineData("PUT", "/fhir/Patient/../")]
    [InlineData("PUT", "/fhir/Patient/..")]
    [InlineData("DELETE", "/fhir/Patient/.")]
    [InlineData("PUT", "/fhir/Patient/%2e%2E")]
    [InlineData("GET", "/eligibility/..")]
    [InlineData("GET", "/eligibility/x/../../fhir?x=1")]
    public async Task A_dot_segment_in_the_URL_is_a_400_OperationOutcome_on_every_route(string method, string target)
    {
        var (status, _, body) = await SendAsync(Port(), method, target, method == "PUT" ? """{"resourceType":"Patient","birthDate":"1960-01-01"}""" : null);

        status.Should().Be(400);
        var outcome = JsonDocument.Parse(body).RootElement;
        outcome.GetProperty("resourceType").GetString().Should().Be("OperationOutcome");
        outcome.GetProperty("issue")[0].GetProperty("code").GetString().Should().Be("invalid");
        outcome.GetProperty("issue")[0].GetProperty("diagnostics").GetString().Should().Contain("'..' segment");
    }

    [Fact]
    public async Task A_dot_segment_on_a_CDS_Hooks_route_gets_the_CDS_Hooks_error_body()
    {
        var (status, _, body) = await SendAsync(Port(), "POST", "/cds-services/x/..", "{}");

        status.Should().Be(400);
        JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32().Should().Be(400);
    }

    [Fact]
    public async Task A_dot_inside_an_id_is_no_dot_segment()
    {
        var port = Port();

        var (status, _, _) = await SendAsync(port, "PUT", "/fhir/Patient/raw.1..b", """{"resourceType":"Patient","birthDate":"1960-01-01"}""");

        status.Should().BeOneOf(200, 201);
    }

    [Fact]
    public async Task What_Kestrel_refuses_before_the_service_sees_it_is_answered_by_Kestrel_without_a_body()
    {
        // Documented in docs/security.md: Kestrel answers these itself, and its answer cannot be given a body.
        var port = Port();

        var (longStatus, longHead, longBody) = await SendAsync(port, "GET", "/eligibility/" + new string('a', 100_000));
        var (nulStatus, nulHead, nulBody) = await SendAsync(port, "GET", "/eligibility/a%00b");
        var (after, _, _) = await SendAsync(port, "GET", "/version");

        longStatus.Should().Be(414);
        nulStatus.Should().Be(400);
        new[] { longBody, nulBody }.Should().AllSatisfy(b => b.Should().BeEmpty());
        new[] { longHead, nulHead }.Should().AllSatisfy(h => h.Should().Contain("Content-Length: 0"));
        after.Should().Be(200, "the service goes on answering");
    }
}

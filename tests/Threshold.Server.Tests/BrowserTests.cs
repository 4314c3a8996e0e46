using System.Net;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Threshold.Server.Rpc;
using Threshold.Server.Tests.Protos;

namespace Threshold.Server.Tests;

/// <summary>What a browser can call: gRPC-Web, HTTP/JSON through the google.api.http routes, and CORS for the allowed origins only.</summary>
public sealed class BrowserTests
{
    private const string Allowed = "https://wallet.example";

    [Fact]
    public async Task GrpcWebCallSucceedsOverHttp11()
    {
        await using var server = await TestServer.StartAsync();
        using var http = server.RawHttp(HttpVersion.Version11);
        var reply = await WireTests.PostAsync(http, "/threshold.rpc.test.Echo/Echo", WireTests.Frame(new EchoRequest { Text = "from a browser" }.ToByteArray()), "application/grpc-web+proto");
        Assert.Equal(HttpStatusCode.OK, reply.Http);
        Assert.StartsWith("application/grpc-web", reply.Response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var length = (reply.Body[1] << 24) | (reply.Body[2] << 16) | (reply.Body[3] << 8) | reply.Body[4];
        Assert.Equal("from a browser", EchoReply.Parser.ParseFrom(reply.Body.AsSpan(5, length)).Text);
        Assert.Equal(0x80, reply.Body[5 + length]); // the trailer frame
        Assert.Contains("grpc-status:0", Encoding.ASCII.GetString(reply.Body.AsSpan(5 + length)).Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CorsAllowsOnlyConfiguredOrigins()
    {
        await using var server = await TestServer.StartAsync(o => o with { CorsOrigins = [Allowed] });
        using var http = server.RawHttp(HttpVersion.Version11);
        foreach (var (origin, allowed) in new[] { (Allowed, true), ("https://evil.example", false) })
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/threshold.rpc.test.Echo/Echo");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            preflight.Headers.Add("Access-Control-Request-Headers", "content-type,x-grpc-web,x-user-agent");
            using var answer = await http.SendAsync(preflight, TestContext.Current.CancellationToken);
            Assert.Equal(allowed, answer.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) && values.Single() == origin);

            var call = await WireTests.PostAsync(http, "/v1/echo", Encoding.UTF8.GetBytes("{\"text\":\"x\"}"), "application/json", r => r.Headers.Add("Origin", origin));
            Assert.Equal(allowed, call.Response.Headers.Contains("Access-Control-Allow-Origin"));
        }
    }

    [Fact]
    public async Task WithoutOriginsNoCrossOriginCallIsAllowed()
    {
        await using var server = await TestServer.StartAsync();
        using var http = server.RawHttp(HttpVersion.Version11);
        var call = await WireTests.PostAsync(http, "/v1/echo", Encoding.UTF8.GetBytes("{}"), "application/json", r => r.Headers.Add("Origin", Allowed));
        Assert.False(call.Response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task JsonCallSucceeds(string version)
    {
        await using var server = await TestServer.StartAsync();
        using var http = server.RawHttp(Version.Parse(version));
        var reply = await WireTests.PostAsync(http, "/v1/echo", Encoding.UTF8.GetBytes("{\"text\":\"hello\",\"payload\":\"AQID\",\"unknownField\":1}"), "application/json");
        Assert.Equal(HttpStatusCode.OK, reply.Http);
        using var json = JsonDocument.Parse(reply.Body);
        Assert.Equal("hello", json.RootElement.GetProperty("text").GetString());
        Assert.Equal("AQID", json.RootElement.GetProperty("payload").GetString());
    }

    [Theory]
    [InlineData(StatusCode.InvalidArgument, HttpStatusCode.BadRequest)]
    [InlineData(StatusCode.Unauthenticated, HttpStatusCode.Unauthorized)]
    [InlineData(StatusCode.PermissionDenied, HttpStatusCode.Forbidden)]
    [InlineData(StatusCode.NotFound, HttpStatusCode.NotFound)]
    [InlineData(StatusCode.ResourceExhausted, HttpStatusCode.TooManyRequests)]
    [InlineData(StatusCode.Unavailable, HttpStatusCode.ServiceUnavailable)]
    [InlineData(StatusCode.DeadlineExceeded, HttpStatusCode.GatewayTimeout)]
    public async Task JsonErrorsMapToHttpStatusAndAStatusBody(StatusCode code, HttpStatusCode expected)
    {
        await using var server = await TestServer.StartAsync();
        using var http = server.RawHttp(HttpVersion.Version11);
        var reply = await WireTests.PostAsync(http, "/v1/fail", Encoding.UTF8.GetBytes($"{{\"code\":{(int)code},\"message\":\"why\"}}"), "application/json");
        Assert.Equal(expected, reply.Http);
        using var json = JsonDocument.Parse(reply.Body);
        Assert.Equal((int)code, json.RootElement.GetProperty("code").GetInt32());
        Assert.Equal("why", json.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task JsonUnexpectedExceptionIsAGeneric500()
    {
        await using var server = await TestServer.StartAsync();
        using var http = server.RawHttp(HttpVersion.Version11);
        var reply = await WireTests.PostAsync(http, "/v1/fail", Encoding.UTF8.GetBytes("{\"unexpected\":true,\"message\":\"secret 4711\"}"), "application/json");
        Assert.Equal(HttpStatusCode.InternalServerError, reply.Http);
        var body = Encoding.UTF8.GetString(reply.Body);
        Assert.DoesNotContain("4711", body, StringComparison.Ordinal);
        Assert.Contains(CallInterceptor.InternalError, body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[1,2]")]
    [InlineData("{\"text\": 5}")]
    public async Task InvalidJsonIsABadRequestAndTheServerKeepsServing(string body)
    {
        await using var server = await TestServer.StartAsync();
        using var http = server.RawHttp(HttpVersion.Version11);
        var reply = await WireTests.PostAsync(http, "/v1/echo", Encoding.UTF8.GetBytes(body), "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, reply.Http);
        Assert.Equal(HttpStatusCode.OK, (await WireTests.PostAsync(http, "/v1/echo", Encoding.UTF8.GetBytes("{}"), "application/json")).Http);
    }

    [Fact]
    public async Task OversizedJsonBodyIsRefused()
    {
        await using var server = await TestServer.StartAsync(o => o with { MaxReceiveMessageSize = 1024 });
        using var http = server.RawHttp(HttpVersion.Version11);
        var reply = await WireTests.PostAsync(http, "/v1/echo", Encoding.UTF8.GetBytes($"{{\"text\":\"{new string('a', 4000)}\"}}"), "application/json");
        Assert.Equal(HttpStatusCode.TooManyRequests, reply.Http);
    }
}

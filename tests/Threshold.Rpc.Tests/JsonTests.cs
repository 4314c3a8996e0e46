using System.Net;
using System.Text;
using System.Text.Json;
using Threshold.Rpc.Server;

namespace Threshold.Rpc.Tests;

/// <summary>The same methods as HTTP/JSON, as a browser would call them.</summary>
public sealed class JsonTests(JsonTests.CorsServer shared) : IClassFixture<JsonTests.CorsServer>
{
    private const string Wallet = "https://wallet.example";

    private TestServer Server => shared.Server;

    public static TheoryData<RpcStatusCode, HttpStatusCode> StatusMapping() => new()
    {
        { RpcStatusCode.InvalidArgument, HttpStatusCode.BadRequest },
        { RpcStatusCode.Unauthenticated, HttpStatusCode.Unauthorized },
        { RpcStatusCode.PermissionDenied, HttpStatusCode.Forbidden },
        { RpcStatusCode.NotFound, HttpStatusCode.NotFound },
        { RpcStatusCode.AlreadyExists, HttpStatusCode.Conflict },
        { RpcStatusCode.ResourceExhausted, HttpStatusCode.TooManyRequests },
        { RpcStatusCode.Unimplemented, HttpStatusCode.NotImplemented },
        { RpcStatusCode.Unavailable, HttpStatusCode.ServiceUnavailable },
        { RpcStatusCode.DeadlineExceeded, HttpStatusCode.GatewayTimeout },
        { RpcStatusCode.Internal, HttpStatusCode.InternalServerError },
        { RpcStatusCode.DataLoss, HttpStatusCode.InternalServerError },
    };

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task JsonCallSucceeds(string version)
    {
        using var http = Server.RawHttp(Version.Parse(version));
        var reply = await PostJsonAsync(http, EchoService.Echo.Path, """{"text": "hi", "payload": "AQID", "unknownField": 1}""");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("hi", reply.Body.GetProperty("text").GetString());
        Assert.Equal("AQID", reply.Body.GetProperty("payload").GetString());
        Assert.Equal("HttpJson", reply.Body.GetProperty("protocol").GetString());
        Assert.False(reply.Body.GetProperty("hasDeadline").GetBoolean()); // defaults are written out
    }

    [Theory]
    [MemberData(nameof(StatusMapping))]
    public async Task ErrorsMapToHttpStatusAndJsonBody(RpcStatusCode code, HttpStatusCode expected)
    {
        using var http = Server.RawHttp();
        var reply = await PostJsonAsync(http, EchoService.Fail.Path, $$"""{"code": {{(int)code}}, "message": "why"}""");
        Assert.Equal(expected, reply.Status);
        Assert.Equal((int)code, reply.Body.GetProperty("code").GetInt32());
        Assert.Equal(code.WireName(), reply.Body.GetProperty("status").GetString());
        Assert.Equal("why", reply.Body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task UnexpectedExceptionIsAGeneric500()
    {
        using var http = Server.RawHttp();
        var reply = await PostJsonAsync(http, EchoService.Fail.Path, """{"unexpected": true, "message": "password=hunter2"}""");
        Assert.Equal(HttpStatusCode.InternalServerError, reply.Status);
        Assert.Equal("INTERNAL", reply.Body.GetProperty("status").GetString());
        Assert.DoesNotContain("hunter2", reply.Raw, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"text": 5}""")]
    [InlineData("[1, 2]")]
    [InlineData("""{"payload": "%%%"}""")]
    public async Task InvalidJsonIsInvalidArgument(string body)
    {
        using var http = Server.RawHttp();
        var reply = await PostJsonAsync(http, EchoService.Echo.Path, body);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("INVALID_ARGUMENT", reply.Body.GetProperty("status").GetString());
        var next = await PostJsonAsync(http, EchoService.Echo.Path, "{}");
        Assert.Equal(HttpStatusCode.OK, next.Status);
    }

    [Fact]
    public async Task OversizedBodyIs429()
    {
        using var http = Server.RawHttp();
        var reply = await PostJsonAsync(http, EchoService.Echo.Path, $$"""{"text": "{{new string('a', 2000)}}"}""");
        Assert.Equal(HttpStatusCode.TooManyRequests, reply.Status);
        Assert.Equal("RESOURCE_EXHAUSTED", reply.Body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task DeadlineIs504()
    {
        using var http = Server.RawHttp();
        var id = Guid.NewGuid().ToString();
        var reply = await PostJsonAsync(http, EchoService.Slow.Path, $$"""{"text": "{{id}}"}""", r => r.Headers.Add("grpc-timeout", "300m"));
        Assert.Equal(HttpStatusCode.GatewayTimeout, reply.Status);
        await Server.Service.SlowHandlerCancelledIfItRan(id);
    }

    [Fact]
    public async Task UnknownMethodOfAKnownServiceIs501AndOtherPathsFallThrough()
    {
        using var http = Server.RawHttp();
        var unknown = await PostJsonAsync(http, "/threshold.rpc.test.Echo/Nope", "{}");
        Assert.Equal(HttpStatusCode.NotImplemented, unknown.Status);
        Assert.Equal("UNIMPLEMENTED", unknown.Body.GetProperty("status").GetString());
        using var other = await http.PostAsync(new Uri("/other.Service/Echo", UriKind.Relative), Json("{}"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task WrongContentTypeAndMethodAreRefused()
    {
        using var http = Server.RawHttp();
        var ct = TestContext.Current.CancellationToken;
        using var text = await http.PostAsync(new Uri(EchoService.Echo.Path, UriKind.Relative), new StringContent("{}", Encoding.UTF8, "text/plain"), ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        using var get = await http.GetAsync(new Uri(EchoService.Echo.Path, UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
    }

    [Fact]
    public async Task CorsAllowsOnlyConfiguredOrigins()
    {
        using var http = Server.RawHttp(HttpVersion.Version11);
        var allowed = await PreflightAsync(http, Wallet);
        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal(Wallet, allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("POST", allowed.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Equal("content-type,x-request-id", allowed.Headers.GetValues("Access-Control-Allow-Headers").Single());

        var refused = await PreflightAsync(http, "https://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));

        var call = await PostJsonAsync(http, EchoService.Echo.Path, "{}", r => r.Headers.Add("Origin", Wallet));
        Assert.Equal(Wallet, call.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    private static async Task<HttpResponseMessage> PreflightAsync(HttpClient http, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, EchoService.Echo.Path) { Version = http.DefaultRequestVersion };
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type,x-request-id");
        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<JsonReply> PostJsonAsync(HttpClient http, string path, string body, Action<HttpRequestMessage>? edit = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body), Version = http.DefaultRequestVersion };
        edit?.Invoke(request);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken).Within("the JSON response");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var raw = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return new JsonReply(response.StatusCode, JsonDocument.Parse(raw).RootElement.Clone(), raw, response.Headers);
    }

    private sealed record JsonReply(HttpStatusCode Status, JsonElement Body, string Raw, System.Net.Http.Headers.HttpResponseHeaders Headers);

    /// <summary>An echo server allowing one browser origin and 1 KiB messages.</summary>
    public sealed class CorsServer : IAsyncLifetime
    {
        private TestServer? server;

        internal TestServer Server => server ?? throw new InvalidOperationException("not started");

        public async ValueTask InitializeAsync() => server = await TestServer.StartAsync(o => o with
        {
            Server = new RpcServerOptions { CorsOrigins = [Wallet], MaxReceiveMessageSize = 1024 },
        });

        public async ValueTask DisposeAsync()
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
    }
}

using System.Net;
using Google.Protobuf;
using Threshold.Rpc.Tests.Protos;

namespace Threshold.Rpc.Tests;

/// <summary>Hand-made HTTP/2 requests: the wire shape of replies, and malformed input the server must survive.</summary>
public sealed class WireTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private static readonly string EchoPath = EchoService.Echo.Path;
    private static readonly byte[] GoodRequest = new EchoRequest { Text = "ok" }.ToByteArray();

    private TestServer Server => shared.Server;

    public static TheoryData<string, byte[], string, string, string?> MalformedBodies() => new()
    {
        { "empty body", [], "", "13", "no request message" },
        { "truncated header", [0, 0, 0], "", "13", "truncated request frame header" },
        { "length larger than the body", Raw.Frame(GoodRequest, declaredLength: GoodRequest.Length + 10), "", "13", "truncated request message" },
        { "two messages", [.. Raw.Frame(GoodRequest), .. Raw.Frame(GoodRequest)], "", "13", "more than one request message" },
        { "trailing garbage", [.. Raw.Frame(GoodRequest), 7], "", "13", "more than one request message" },
        { "compressed, no encoding", Raw.Frame(GoodRequest, flag: 1), "", "13", "compressed request frame" },
        { "compressed, gzip", Raw.Frame(GoodRequest, flag: 1), "gzip", "12", "unsupported grpc-encoding" },
        { "invalid flag", Raw.Frame(GoodRequest, flag: 2), "", "13", "invalid compressed-flag" },
        { "not protobuf", Raw.Frame([0xFF, 0xFF, 0xFF, 0xFF]), "", "13", "not a valid threshold.rpc.test.EchoRequest" },
        { "declared 4 GiB", Raw.Frame(GoodRequest, declaredLength: -1), "", "8", "exceeds the limit" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task MalformedRequestGetsAStatusAndTheServerKeepsServing(string because, byte[] body, string encoding, string status, string? message)
    {
        using var http = Server.RawHttp();
        var reply = await Raw.PostAsync(http, EchoPath, body, edit: r =>
        {
            if (encoding.Length > 0)
            {
                r.Headers.Add("grpc-encoding", encoding);
            }
        });
        Assert.True(reply.TrailersOnly, because);
        Assert.Equal(status, reply.GrpcStatus);
        Assert.Contains(message!, Uri.UnescapeDataString(reply.GrpcMessage ?? string.Empty), StringComparison.Ordinal);
        if (status == "12")
        {
            Assert.Equal("identity", reply.Message.Headers.GetValues("grpc-accept-encoding").Single());
        }

        var good = await Raw.PostAsync(http, EchoPath, Raw.Frame(GoodRequest));
        Assert.Equal("0", good.GrpcStatus);
    }

    [Fact]
    public async Task SuccessHasHeadersOneFrameAndStatusInTrailers()
    {
        using var http = Server.RawHttp();
        var reply = await Raw.PostAsync(http, EchoPath, Raw.Frame(GoodRequest), "application/grpc+proto");
        Assert.Equal(HttpStatusCode.OK, reply.HttpStatus);
        Assert.Equal("application/grpc", reply.ContentType);
        Assert.False(reply.TrailersOnly);
        Assert.Equal("0", reply.GrpcStatus);
        Assert.Equal(0, reply.Body[0]);
        var length = (reply.Body[1] << 24) | (reply.Body[2] << 16) | (reply.Body[3] << 8) | reply.Body[4];
        Assert.Equal(reply.Body.Length - 5, length);
        Assert.Equal("ok", EchoReply.Parser.ParseFrom(reply.Body.AsSpan(5)).Text);
    }

    [Fact]
    public async Task ErrorIsTrailersOnlyWithPercentEncodedMessage()
    {
        using var http = Server.RawHttp();
        var request = new FailRequest { Code = (int)RpcStatusCode.PermissionDenied, Message = "100% nö" };
        var reply = await Raw.PostAsync(http, EchoService.Fail.Path, Raw.Frame(request.ToByteArray()));
        Assert.True(reply.TrailersOnly);
        Assert.Empty(reply.Body);
        Assert.Equal("7", reply.GrpcStatus);
        Assert.Equal("100%25 n%C3%B6", reply.GrpcMessage);
    }

    [Fact]
    public async Task ServerEnforcesTheDeadlineItIsGiven()
    {
        using var http = Server.RawHttp();
        var id = Guid.NewGuid().ToString();
        var reply = await Raw.PostAsync(http, EchoService.Slow.Path, Raw.Frame(new EchoRequest { Text = id }.ToByteArray()),
            edit: r => r.Headers.Add("grpc-timeout", "300m"));
        Assert.Equal("4", reply.GrpcStatus);
        await Server.Service.SlowHandlerCancelledIfItRan(id);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("10x")]
    [InlineData("123456789S")]
    [InlineData("-5S")]
    public async Task MalformedTimeoutIsInternal(string timeout)
    {
        using var http = Server.RawHttp();
        var reply = await Raw.PostAsync(http, EchoPath, Raw.Frame(GoodRequest), edit: r => r.Headers.TryAddWithoutValidation("grpc-timeout", timeout));
        Assert.Equal("13", reply.GrpcStatus);
    }

    [Fact]
    public async Task UnknownMethodIsUnimplementedTrailersOnly()
    {
        using var http = Server.RawHttp();
        var reply = await Raw.PostAsync(http, "/no.Such/Method", Raw.Frame(GoodRequest));
        Assert.True(reply.TrailersOnly);
        Assert.Equal("12", reply.GrpcStatus);
    }

    [Fact]
    public async Task OtherContentTypesAndMethodsGetPlainHttpErrors()
    {
        using var http = Server.RawHttp();
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await Raw.PostAsync(http, EchoPath, Raw.Frame(GoodRequest), "application/grpc+json")).HttpStatus);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await Raw.PostAsync(http, EchoPath, Raw.Frame(GoodRequest), "text/plain")).HttpStatus);
        using var get = new HttpRequestMessage(HttpMethod.Get, EchoPath) { Version = HttpVersion.Version20 };
        get.Headers.TryAddWithoutValidation("content-type", "application/grpc");
        var response = await http.SendAsync(get, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task GrpcOverHttp11IsRefused()
    {
        using var http = Server.RawHttp(HttpVersion.Version11);
        var reply = await Raw.PostAsync(http, EchoPath, Raw.Frame(GoodRequest));
        Assert.Equal(HttpStatusCode.UpgradeRequired, reply.HttpStatus);
    }

    [Fact]
    public async Task HealthEndpointAnswers()
    {
        using var http = Server.RawHttp(HttpVersion.Version11);
        Assert.Equal("ok", await http.GetStringAsync(new Uri("/healthz", UriKind.Relative), TestContext.Current.CancellationToken));
    }
}

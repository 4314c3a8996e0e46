using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Threshold.Rpc.Client;
using Threshold.Rpc.Tests.Protos;

namespace Threshold.Rpc.Tests;

/// <summary>Unary calls through <see cref="RpcClient"/> against the shared TLS echo server.</summary>
public sealed class CallTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestServer Server => shared.Server;

    [Fact]
    public async Task EchoRoundTrips()
    {
        using var client = Server.Client();
        var reply = await client.CallAsync(EchoService.Echo, new EchoRequest { Text = "hello", Payload = ByteString.CopyFrom(1, 2, 3) }, cancellationToken: Ct);
        Assert.Equal("hello", reply.Text);
        Assert.Equal([1, 2, 3], reply.Payload.ToByteArray());
        Assert.Equal("Grpc", reply.Protocol);
        Assert.False(reply.HasDeadline);
        Assert.StartsWith("127.0.0.1:", reply.Peer, StringComparison.Ordinal);
        Assert.Empty(reply.ClientCertificateSubject);
    }

    [Fact]
    public async Task CallByPathAndParserWorksToo()
    {
        using var client = Server.Client();
        var reply = await client.CallAsync("/threshold.rpc.test.Echo/Echo", new EchoRequest { Text = "by path" }, EchoReply.Parser, cancellationToken: Ct);
        Assert.Equal("by path", reply.Text);
    }

    [Fact]
    public async Task HandlerStatusAndMessageReachTheCaller()
    {
        using var client = Server.Client();
        // Non-ASCII and '%' exercise the percent-encoding of grpc-message.
        var failure = await Assert.ThrowsAsync<RpcException>(() =>
            client.CallAsync(EchoService.Fail, new FailRequest { Code = (int)RpcStatusCode.NotFound, Message = "no key \"k1\" — 100% gone" }, cancellationToken: Ct));
        Assert.Equal(RpcStatusCode.NotFound, failure.StatusCode);
        Assert.Equal("no key \"k1\" — 100% gone", failure.Detail);
    }

    [Fact]
    public async Task UnexpectedExceptionIsInternalAndItsTextStaysOnTheServer()
    {
        using var client = Server.Client();
        var failure = await Assert.ThrowsAsync<RpcException>(() =>
            client.CallAsync(EchoService.Fail, new FailRequest { Unexpected = true, Message = "share=0x5ecre7" }, cancellationToken: Ct));
        Assert.Equal(RpcStatusCode.Internal, failure.StatusCode);
        Assert.Equal("internal error", failure.Detail);
        Assert.DoesNotContain("5ecre7", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeadlinePassesAndTheHandlerIsCancelled()
    {
        using var client = Server.Client();
        var id = Guid.NewGuid().ToString();
        var failure = await Assert.ThrowsAsync<RpcException>(() =>
            client.CallAsync(EchoService.Slow, new EchoRequest { Text = id }, new RpcCallOptions { Timeout = TimeSpan.FromMilliseconds(300) }, Ct));
        Assert.Equal(RpcStatusCode.DeadlineExceeded, failure.StatusCode);
        await Server.Service.SlowHandlerCancelledIfItRan(id);
    }

    [Fact]
    public async Task DeadlineTravelsToTheHandler()
    {
        using var client = Server.Client();
        var reply = await client.CallAsync(EchoService.Echo, new EchoRequest(), new RpcCallOptions { Deadline = DateTimeOffset.UtcNow.AddMinutes(1) }, Ct);
        Assert.True(reply.HasDeadline);
    }

    [Fact]
    public async Task PassedDeadlineFailsWithoutCalling()
    {
        using var client = Server.Client();
        var failure = await Assert.ThrowsAsync<RpcException>(() =>
            client.CallAsync(EchoService.Echo, new EchoRequest(), new RpcCallOptions { Deadline = DateTimeOffset.UtcNow.AddSeconds(-1) }, Ct));
        Assert.Equal(RpcStatusCode.DeadlineExceeded, failure.StatusCode);
    }

    [Fact]
    public async Task CallerCancellationIsCancelled()
    {
        using var client = Server.Client();
        using var cancel = new CancellationTokenSource();
        var id = Guid.NewGuid().ToString();
        var call = client.CallAsync(EchoService.Slow, new EchoRequest { Text = id }, cancellationToken: cancel.Token);
        await cancel.CancelAsync();
        var failure = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(RpcStatusCode.Cancelled, failure.StatusCode);
    }

    [Fact]
    public async Task UnknownMethodIsUnimplemented()
    {
        using var client = Server.Client();
        foreach (var path in new[] { "/threshold.rpc.test.Echo/Missing", "/other.Service/Echo" })
        {
            var failure = await Assert.ThrowsAsync<RpcException>(() => client.CallAsync(path, new EchoRequest(), EchoReply.Parser, cancellationToken: Ct));
            Assert.Equal(RpcStatusCode.Unimplemented, failure.StatusCode);
        }
    }

    [Fact]
    public async Task MetadataTravelsBothWays()
    {
        using var client = Server.Client();
        var headers = new RpcMetadata().Add("X-Request-Id", "req-42").Add("trace-bin", [0, 0xFF, 0x10]);
        var text = await client.InvokeAsync(
            EchoService.Echo.Path, new EchoRequest { EchoHeader = "x-request-id" }, EchoReply.Parser, new RpcCallOptions { Headers = headers }, Ct);
        Assert.Equal("req-42", text.Message.HeaderValue);
        Assert.Equal("req-42", text.Trailers.GetValue("x-echoed"));

        var binary = await client.InvokeAsync(
            EchoService.Echo.Path, new EchoRequest { EchoHeader = "trace-bin" }, EchoReply.Parser, new RpcCallOptions { Headers = headers }, Ct);
        Assert.Equal("00FF10", binary.Message.HeaderValue);
        Assert.Equal([0, 0xFF, 0x10], binary.Trailers.GetBytes("x-echoed-bin"));
    }

    [Fact]
    public async Task ManyParallelCallsShareOneConnection()
    {
        using var client = Server.Client();
        await client.CallAsync(EchoService.Echo, new EchoRequest(), cancellationToken: Ct); // open the connection first
        var calls = Enumerable.Range(0, 64).Select(i => client.CallAsync(EchoService.Echo, new EchoRequest { Text = $"call {i}" }, cancellationToken: Ct)).ToArray();
        var replies = await Task.WhenAll(calls).Within("64 parallel replies");
        Assert.Equal(Enumerable.Range(0, 64).Select(i => $"call {i}"), replies.Select(r => r.Text));
        Assert.Single(replies.Select(r => r.Peer).Distinct());
    }

    [Fact]
    public async Task ClosedPortIsUnavailable()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new RpcClient(new Uri($"https://127.0.0.1:{port}"), new RpcClientOptions { PinnedServerCertificate = Server.Certificate });
        var failure = await Assert.ThrowsAsync<RpcException>(() => client.CallAsync(EchoService.Echo, new EchoRequest(), cancellationToken: Ct));
        Assert.Equal(RpcStatusCode.Unavailable, failure.StatusCode);
    }

    [Fact]
    public async Task ClientRefusesToSendOrReceiveOversizedMessages()
    {
        using var client = Server.Client(new RpcClientOptions { MaxSendMessageSize = 100, MaxReceiveMessageSize = 100 });
        var tooBig = await Assert.ThrowsAsync<RpcException>(() =>
            client.CallAsync(EchoService.Echo, new EchoRequest { Payload = ByteString.CopyFrom(new byte[200]) }, cancellationToken: Ct));
        Assert.Equal(RpcStatusCode.ResourceExhausted, tooBig.StatusCode);

        var tooBigReply = await Assert.ThrowsAsync<RpcException>(() =>
            client.CallAsync(EchoService.Echo, new EchoRequest { ReplyPadding = 200 }, cancellationToken: Ct));
        Assert.Equal(RpcStatusCode.ResourceExhausted, tooBigReply.StatusCode);

        Assert.Equal("fits", (await client.CallAsync(EchoService.Echo, new EchoRequest { Text = "fits" }, cancellationToken: Ct)).Text);
    }
}

using Grpc.Core;
using Microsoft.Extensions.Logging;
using Threshold.Server.Rpc;
using Threshold.Server.Tests.Protos;

namespace Threshold.Server.Tests;

/// <summary>Calls through Grpc.Net.Client: statuses, metadata, deadlines, cancellation, limits and what the server logs of them.</summary>
public sealed class CallTests
{
    [Fact]
    public async Task EchoRoundTripsWithMetadataBothWays()
    {
        await using var server = await TestServer.StartAsync();
        var client = server.Client();
        using var call = client.EchoAsync(new EchoRequest { Text = "hi", EchoHeader = "x-request-id" }, new Metadata { { "x-request-id", "42" } }, cancellationToken: TestContext.Current.CancellationToken);
        var reply = await call.ResponseAsync;
        Assert.Equal("hi", reply.Text);
        Assert.Equal("42", reply.HeaderValue);
        Assert.Equal("application/grpc", reply.Protocol);
        Assert.False(reply.HasDeadline);
        Assert.Equal("42", call.GetTrailers().GetValue("x-echoed"));
    }

    [Fact]
    public async Task HandlerStatusAndMessageReachTheCaller()
    {
        await using var server = await TestServer.StartAsync();
        var failure = await Assert.ThrowsAsync<RpcException>(() => server.Client().FailAsync(new FailRequest { Code = (int)StatusCode.NotFound, Message = "no such key: 100% ü" }, cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, failure.StatusCode);
        Assert.Equal("no such key: 100% ü", failure.Status.Detail);
    }

    [Fact]
    public async Task UnexpectedExceptionIsInternalAndItsTextStaysOnTheServer()
    {
        await using var server = await TestServer.StartAsync();
        using var call = server.Client().FailAsync(new FailRequest { Unexpected = true, Message = "secret 4711" }, cancellationToken: TestContext.Current.CancellationToken);
        var failure = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Internal, failure.StatusCode);
        Assert.Equal(CallInterceptor.InternalError, failure.Status.Detail);
        Assert.DoesNotContain(call.GetTrailers(), e => e.Value.Contains("4711", StringComparison.Ordinal));
        var logged = Assert.Single(server.Logs.Entries, e => e.EventName == "CallFailed");
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Equal("secret 4711", logged.Exception?.Message);
    }

    [Fact]
    public async Task DeadlinePassesTheHandlerIsCancelledAndNothingIsLoggedAsAnError()
    {
        await using var server = await TestServer.StartAsync();
        var id = Guid.NewGuid().ToString();
        var failure = await Assert.ThrowsAsync<RpcException>(() => server.Client().SlowAsync(new EchoRequest { Text = id }, deadline: DateTime.UtcNow.AddMilliseconds(300), cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);
        Assert.Equal(StatusCode.DeadlineExceeded, failure.StatusCode);
        await server.Signals.SlowHandlerCancelledIfItRan(id);
        Assert.DoesNotContain(server.Logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task DeadlineTravelsToTheHandler()
    {
        await using var server = await TestServer.StartAsync();
        var reply = await server.Client().EchoAsync(new EchoRequest { Text = "x" }, deadline: DateTime.UtcNow.AddMinutes(1), cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(reply.HasDeadline);
    }

    [Fact]
    public async Task ACallerThatGoesAwayIsCancelledAndLoggedQuietly()
    {
        await using var server = await TestServer.StartAsync();
        var id = Guid.NewGuid().ToString();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var call = server.Client().SlowAsync(new EchoRequest { Text = id }, cancellationToken: cancel.Token);
        await server.Signals.SlowCallStarted(id).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await cancel.CancelAsync();
        var failure = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Cancelled, failure.StatusCode);
        await server.Signals.SlowCallCancelled(id).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        // The interceptor logs right after the handler ends: wait for that entry, then look at all of them.
        for (var i = 0; i < 200 && !server.Logs.Entries.Any(e => e.EventName == "CallCancelled"); i++)
        {
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }

        var cancelled = Assert.Single(server.Logs.Entries, e => e.EventName == "CallCancelled");
        Assert.Equal(LogLevel.Debug, cancelled.Level);
        Assert.Null(cancelled.Exception);
        Assert.DoesNotContain(server.Logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task MessagesOverTheLimitsAreResourceExhaustedAndTheServerKeepsServing()
    {
        await using var server = await TestServer.StartAsync(o => o with { MaxReceiveMessageSize = 1024, MaxSendMessageSize = 1024 });
        var client = server.Client();
        var ct = TestContext.Current.CancellationToken;
        var big = await Assert.ThrowsAsync<RpcException>(() => client.EchoAsync(new EchoRequest { Payload = Google.Protobuf.ByteString.CopyFrom(new byte[2000]) }, cancellationToken: ct).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, big.StatusCode);
        var bigReply = await Assert.ThrowsAsync<RpcException>(() => client.EchoAsync(new EchoRequest { ReplyPadding = 2000 }, cancellationToken: ct).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, bigReply.StatusCode);
        Assert.Equal("still here", (await client.EchoAsync(new EchoRequest { Text = "still here" }, cancellationToken: ct)).Text);
    }

    [Fact]
    public async Task ManyParallelCallsSucceed()
    {
        await using var server = await TestServer.StartAsync();
        var client = server.Client();
        var replies = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => client.EchoAsync(new EchoRequest { Text = $"{i}" }, cancellationToken: TestContext.Current.CancellationToken).ResponseAsync));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"{i}"), replies.Select(r => r.Text));
    }

    [Fact]
    public async Task ClosedPortIsUnavailable()
    {
        var server = await TestServer.StartAsync();
        var channel = server.Channel();
        await server.DisposeAsync();
        var failure = await Assert.ThrowsAsync<RpcException>(() => new Echo.EchoClient(channel).EchoAsync(new EchoRequest(), cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        channel.Dispose();
    }
}

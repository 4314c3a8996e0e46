using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Threshold.Rpc.Client;
using Threshold.Rpc.Hosting;
using Threshold.Rpc.Server;
using Threshold.Rpc.Tests.Protos;

namespace Threshold.Rpc.Tests;

/// <summary>Server limits, binding, cleartext HTTP/2, extra endpoints and shutdown.</summary>
public sealed class HostingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ServerLimitsAreResourceExhaustedAndTheServerKeepsServing()
    {
        await using var server = await TestServer.StartAsync(o => o with
        {
            Server = new RpcServerOptions { MaxReceiveMessageSize = 1024, MaxSendMessageSize = 1024 },
        });
        using var client = server.Client();
        var request = await Assert.ThrowsAsync<RpcException>(() =>
            client.CallAsync(EchoService.Echo, new EchoRequest { Payload = ByteString.CopyFrom(new byte[2000]) }, cancellationToken: Ct));
        Assert.Equal(RpcStatusCode.ResourceExhausted, request.StatusCode);
        var response = await Assert.ThrowsAsync<RpcException>(() =>
            client.CallAsync(EchoService.Echo, new EchoRequest { ReplyPadding = 2000 }, cancellationToken: Ct));
        Assert.Equal(RpcStatusCode.ResourceExhausted, response.StatusCode);
        Assert.Equal("still here", (await client.CallAsync(EchoService.Echo, new EchoRequest { Text = "still here" }, cancellationToken: Ct)).Text);
    }

    [Fact]
    public async Task GrpcCanBeLeftToTheNextMiddlewareWhileJsonIsServed()
    {
        await using var server = await TestServer.StartAsync(o => o with { Server = new RpcServerOptions { EnableGrpc = false } });
        using var client = server.Client();
        var failure = await Assert.ThrowsAsync<RpcException>(() => client.CallAsync(EchoService.Echo, new EchoRequest(), cancellationToken: Ct));
        Assert.Equal(RpcStatusCode.Unimplemented, failure.StatusCode); // the empty pipeline's 404
        using var http = server.RawHttp();
        using var json = await http.PostAsync(
            new Uri(EchoService.Echo.Path, UriKind.Relative), new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
    }

    [Fact]
    public async Task PortZeroReportsTheBoundPort()
    {
        await using var server = await TestServer.StartAsync(o => o with { EndPoint = new IPEndPoint(IPAddress.Any, 0) });
        Assert.NotEqual(0, server.Host.EndPoint.Port);
        Assert.Equal(IPAddress.Any, server.Host.EndPoint.Address);
        Assert.Equal($"https://127.0.0.1:{server.Host.EndPoint.Port}/", server.Host.Address.ToString());
        using var client = server.Client();
        Assert.Equal("any", (await client.CallAsync(EchoService.Echo, new EchoRequest { Text = "any" }, cancellationToken: Ct)).Text);
    }

    [Fact]
    public async Task TakenPortFailsTheStart()
    {
        await using var first = await TestServer.StartAsync();
        await Assert.ThrowsAnyAsync<IOException>(() =>
            TestServer.StartAsync(o => o with { EndPoint = first.Host.EndPoint }));
    }

    [Fact]
    public async Task CleartextHttp2WorksForTests()
    {
        var service = new EchoService();
        await using var host = await RpcHost.StartAsync(service.Registry(), new RpcHostOptions(), cancellationToken: Ct);
        Assert.Equal("http", host.Address.Scheme);
        using var client = new RpcClient(host.Address);
        Assert.Equal("h2c", (await client.CallAsync(EchoService.Echo, new EchoRequest { Text = "h2c" }, cancellationToken: Ct)).Text);
    }

    [Fact]
    public async Task ExtraEndpointsLiveBesideTheMethods()
    {
        var service = new EchoService();
        await using var host = await RpcHost.StartAsync(service.Registry(), new RpcHostOptions(),
            app => app.MapGet("/.well-known/threshold-signing", (HttpContext http) => http.Response.WriteAsync("{}", http.RequestAborted)), Ct);
        using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        Assert.Equal("{}", await http.GetStringAsync(new Uri(host.Address, "/.well-known/threshold-signing"), Ct));
    }

    [Fact]
    public async Task StoppedHostIsUnavailable()
    {
        var server = await TestServer.StartAsync();
        using var client = server.Client();
        await client.CallAsync(EchoService.Echo, new EchoRequest(), cancellationToken: Ct);
        await server.DisposeAsync();
        var failure = await Assert.ThrowsAsync<RpcException>(() => client.CallAsync(EchoService.Echo, new EchoRequest(), cancellationToken: Ct));
        Assert.Equal(RpcStatusCode.Unavailable, failure.StatusCode);
    }

    [Fact]
    public async Task ShutdownCancelsCallsThatOutliveItsTimeout()
    {
        var server = await TestServer.StartAsync(o => o with { ShutdownTimeout = TimeSpan.FromMilliseconds(100) });
        using var client = server.Client();
        var id = Guid.NewGuid().ToString();
        var call = client.CallAsync(EchoService.Slow, new EchoRequest { Text = id }, cancellationToken: Ct);
        await server.Service.SlowCallStarted(id).Within("the slow handler to start");
        await server.DisposeAsync().AsTask().Within("shutdown");
        await server.Service.SlowCallCancelled(id).Within("cancellation of the slow handler");
        var failure = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.NotEqual(RpcStatusCode.OK, failure.StatusCode);
    }

    [Fact]
    public async Task UnexpectedExceptionsAreLoggedOnTheServer()
    {
        using var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));
        await using var server = await TestServer.StartAsync(o => o with { LoggerFactory = loggerFactory });
        using var client = server.Client();
        await Assert.ThrowsAsync<RpcException>(() =>
            client.CallAsync(EchoService.Fail, new FailRequest { Unexpected = true, Message = "kept on the server" }, cancellationToken: Ct));
        var entry = Assert.Single(logs.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("/threshold.rpc.test.Echo/Fail", entry.Message, StringComparison.Ordinal);
        Assert.Equal("kept on the server", entry.Exception?.Message);
    }

    [Fact]
    public async Task RegistrationClosesWhenTheServerStarts()
    {
        var registry = new EchoService().Registry();
        await using var host = await RpcHost.StartAsync(registry, new RpcHostOptions(), cancellationToken: Ct);
        Assert.Throws<InvalidOperationException>(() =>
            registry.MapUnary<EchoRequest, EchoReply>("/late.Service/Method", EchoRequest.Parser, (r, c) => Task.FromResult(new EchoReply())));
    }
}

/// <summary>Keeps every log entry of level Error and above.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, string Message, Exception? Exception)> entries = new();

    public IReadOnlyCollection<(LogLevel Level, string Message, Exception? Exception)> Entries => entries;

    public ILogger CreateLogger(string categoryName) => new Logger(entries);

    public void Dispose()
    {
    }

    private sealed class Logger(System.Collections.Concurrent.ConcurrentQueue<(LogLevel, string, Exception?)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                entries.Enqueue((logLevel, formatter(state, exception), exception));
            }
        }
    }
}

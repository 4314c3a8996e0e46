using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Threshold.Server.Tests.Protos;

namespace Threshold.Server.Tests;

/// <summary>What the test service's handlers saw: shared by every call of one server.</summary>
public sealed class EchoSignals
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> slowStarted = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> slowCancelled = new();

    /// <summary>Completes when the Slow call with text <paramref name="id"/> is running.</summary>
    public Task SlowCallStarted(string id) => Signal(slowStarted, id).Task;

    /// <summary>Completes when the Slow call with text <paramref name="id"/> has seen its token fire.</summary>
    public Task SlowCallCancelled(string id) => Signal(slowCancelled, id).Task;

    /// <summary>
    /// After a Slow call failed: if its handler ran (a loaded machine may pass the deadline before the
    /// server reaches the handler), its token must have fired. The handler signals its start before the
    /// server can answer, so this check has no race.
    /// </summary>
    public Task SlowHandlerCancelledIfItRan(string id) =>
        SlowCallStarted(id).IsCompleted ? SlowCallCancelled(id).WaitAsync(TimeSpan.FromSeconds(30)) : Task.CompletedTask;

    internal void Started(string id) => Signal(slowStarted, id).TrySetResult();

    internal void Cancelled(string id) => Signal(slowCancelled, id).TrySetResult();

    private static TaskCompletionSource Signal(ConcurrentDictionary<string, TaskCompletionSource> signals, string id) =>
        signals.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

/// <summary>The test service of Protos/echo.proto.</summary>
public sealed class EchoService(EchoSignals signals) : Echo.EchoBase
{
    /// <inheritdoc />
    public override Task<EchoReply> Echo(EchoRequest request, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var reply = new EchoReply
        {
            Text = request.Text,
            Payload = request.Payload,
            Peer = context.Peer,
            ClientCertificateSubject = http.Connection.ClientCertificate?.Subject ?? string.Empty,
            HasDeadline = context.Deadline != DateTime.MaxValue,
            Protocol = http.Request.ContentType ?? string.Empty,
        };
        if (request.ReplyPadding > 0)
        {
            reply.Payload = ByteString.CopyFrom(new byte[request.ReplyPadding]);
        }

        if (request.EchoHeader.Length > 0)
        {
            reply.HeaderValue = context.RequestHeaders.GetValue(request.EchoHeader) ?? string.Empty;
            context.ResponseTrailers.Add("x-echoed", reply.HeaderValue);
        }

        return Task.FromResult(reply);
    }

    /// <inheritdoc />
    public override Task<EchoReply> Fail(FailRequest request, ServerCallContext context) =>
        request.Unexpected
            ? throw new InvalidOperationException(request.Message)
            : throw new RpcException(new Status((StatusCode)request.Code, request.Message));

    /// <inheritdoc />
    public override async Task<EchoReply> Slow(EchoRequest request, ServerCallContext context)
    {
        signals.Started(request.Text);
        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            signals.Cancelled(request.Text);
            throw;
        }

        return new EchoReply();
    }
}

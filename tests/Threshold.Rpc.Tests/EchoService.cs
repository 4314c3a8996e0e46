using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Threshold.Rpc.Server;
using Threshold.Rpc.Tests.Protos;

namespace Threshold.Rpc.Tests;

/// <summary>The test service of Protos/echo.proto and what its handlers saw.</summary>
internal sealed class EchoService
{
    public static readonly ServiceDescriptor Descriptor = EchoReflection.Descriptor.Services.Single(s => s.Name == "Echo");
    public static readonly RpcMethod<EchoRequest, EchoReply> Echo = Method<EchoRequest>("Echo");
    public static readonly RpcMethod<FailRequest, EchoReply> Fail = Method<FailRequest>("Fail");
    public static readonly RpcMethod<EchoRequest, EchoReply> Slow = Method<EchoRequest>("Slow");

    private readonly ConcurrentDictionary<string, TaskCompletionSource> slowStarted = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> slowCancelled = new();

    /// <summary>The registry serving this instance's handlers.</summary>
    public RpcServiceRegistry Registry()
    {
        var registry = new RpcServiceRegistry()
            .MapUnary(Echo, EchoAsync)
            .MapUnary(Fail, FailAsync)
            .MapUnary(Slow, SlowAsync);
        registry.Validate(Descriptor);
        return registry;
    }

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
        SlowCallStarted(id).IsCompleted ? SlowCallCancelled(id).Within("cancellation of the slow handler") : Task.CompletedTask;

    private static Task<EchoReply> EchoAsync(EchoRequest request, RpcContext context)
    {
        var reply = new EchoReply
        {
            Text = request.Text,
            Payload = request.Payload,
            Peer = context.Peer?.ToString() ?? string.Empty,
            ClientCertificateSubject = context.ClientCertificate?.Subject ?? string.Empty,
            HasDeadline = context.Deadline is not null,
            Protocol = context.Protocol.ToString(),
        };
        if (request.ReplyPadding > 0)
        {
            reply.Payload = ByteString.CopyFrom(new byte[request.ReplyPadding]);
        }

        if (request.EchoHeader.Length > 0)
        {
            if (request.EchoHeader.EndsWith("-bin", StringComparison.Ordinal))
            {
                var bytes = context.RequestHeaders.GetBytes(request.EchoHeader) ?? [];
                reply.HeaderValue = Convert.ToHexString(bytes);
                context.ResponseTrailers.Add("x-echoed-bin", bytes);
            }
            else
            {
                reply.HeaderValue = context.RequestHeaders.GetValue(request.EchoHeader) ?? string.Empty;
                context.ResponseTrailers.Add("x-echoed", reply.HeaderValue);
            }
        }

        return Task.FromResult(reply);
    }

    private static Task<EchoReply> FailAsync(FailRequest request, RpcContext context) =>
        request.Unexpected
            ? throw new InvalidOperationException(request.Message)
            : throw new RpcException((RpcStatusCode)request.Code, request.Message);

    private async Task<EchoReply> SlowAsync(EchoRequest request, RpcContext context)
    {
        Signal(slowStarted, request.Text).TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            Signal(slowCancelled, request.Text).TrySetResult();
            throw;
        }

        return new EchoReply();
    }

    private static TaskCompletionSource Signal(ConcurrentDictionary<string, TaskCompletionSource> signals, string id) =>
        signals.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private static RpcMethod<TRequest, EchoReply> Method<TRequest>(string name)
        where TRequest : IMessage<TRequest> =>
        RpcMethod.FromDescriptor<TRequest, EchoReply>(Descriptor.FindMethodByName(name));
}

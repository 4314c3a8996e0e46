using Google.Protobuf;
using Google.Protobuf.Reflection;
using Threshold.Aggregator;
using Threshold.Contracts.V1;
using Threshold.Node;
using Threshold.Rpc;
using Threshold.Rpc.Client;
using Threshold.Rpc.Server;

namespace Threshold.Server.Rpc;

/// <summary>Serves a node's API (threshold.v1.Node) over the RPC host.</summary>
public static class NodeRpc
{
    /// <summary>The node service as declared in node.proto.</summary>
    public static ServiceDescriptor Service => NodeReflection.Descriptor.Services.Single(s => s.Name == "Node");

    /// <summary>Every method of threshold.v1.Node, mapped to <paramref name="node"/> and checked against the contract.</summary>
    public static RpcServiceRegistry Registry(NodeService node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var registry = new RpcServiceRegistry()
            .MapUnary(Method<GetNodeInfoRequest, NodeInfo>("GetNodeInfo"), (_, _) => Task.FromResult(node.GetNodeInfo()))
            .MapUnary(Method<NodeBytesRequest, NodeBytesResponse>("RegisterStart"), (r, _) => Guard(() => Task.FromResult(node.RegisterStart(r))))
            .MapUnary(Method<NodeRegistrationUpload, NodeRegistrationAck>("RegisterFinish"), (r, c) => Guard(() => node.RegisterFinishAsync(r, c.CancellationToken)))
            .MapUnary(Method<NodeLoginStartRequest, NodeLoginStartResponse>("LoginStart"), (r, c) => Guard(() => node.LoginStartAsync(r, c.CancellationToken), c))
            .MapUnary(Method<NodeLoginFinishRequest, NodeLoginFinishResponse>("LoginFinish"), (r, c) => Guard(() => node.LoginFinishAsync(r, c.CancellationToken)))
            .MapUnary(Method<ChannelEnvelope, ChannelEnvelope>("Submit"), (r, c) => Guard(() => node.SubmitAsync(r, c.CancellationToken)))
            .MapUnary(Method<StartProtocolRequest, ProtocolStep>("StartProtocol"), (r, c) => Guard(() => node.StartProtocolAsync(r, c.CancellationToken)))
            .MapUnary(Method<DeliverRequest, ProtocolStep>("Deliver"), (r, c) => Guard(() => node.DeliverAsync(r, c.CancellationToken)))
            .MapUnary(Method<PartialSignRequest, PartialSignResponse>("PartialSign"), (r, c) => Guard(() => node.PartialSignAsync(r, c.CancellationToken)));
        registry.Validate(Service);
        return registry;
    }

    /// <summary>The contract's method <paramref name="name"/>.</summary>
    internal static RpcMethod<TRequest, TResponse> Method<TRequest, TResponse>(string name)
        where TRequest : Google.Protobuf.IMessage<TRequest>, new()
        where TResponse : Google.Protobuf.IMessage<TResponse>, new() =>
        RpcMethod.FromDescriptor<TRequest, TResponse>(Service.FindMethodByName(name));

    /// <summary>The trailer that carries a <see cref="LoginLocked"/> with a RESOURCE_EXHAUSTED status.</summary>
    internal const string LoginLockedTrailer = "threshold-login-locked-bin";

    /// <summary>
    /// A node's refusal as an RPC status: the kind maps to its gRPC code, the message stays short. A
    /// locked login is RESOURCE_EXHAUSTED with a <see cref="LoginLocked"/> in <see cref="LoginLockedTrailer"/>.
    /// </summary>
    private static async Task<T> Guard<T>(Func<Task<T>> call, RpcContext? context = null)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (NodeException e)
        {
            if (e is { Kind: NodeErrorKind.LoginLocked, LockedUntil: { } until } && context is not null)
            {
                context.ResponseTrailers.Add(LoginLockedTrailer, new LoginLocked { LockedUntilUnixMs = until.ToUnixTimeMilliseconds() }.ToByteArray());
            }

            throw new RpcException(e.Kind switch
            {
                NodeErrorKind.InvalidArgument => RpcStatusCode.InvalidArgument,
                NodeErrorKind.NotFound => RpcStatusCode.NotFound,
                NodeErrorKind.PermissionDenied => RpcStatusCode.PermissionDenied,
                NodeErrorKind.Unauthenticated => RpcStatusCode.Unauthenticated,
                NodeErrorKind.FailedPrecondition => RpcStatusCode.FailedPrecondition,
                NodeErrorKind.ResourceExhausted or NodeErrorKind.LoginLocked => RpcStatusCode.ResourceExhausted,
                NodeErrorKind.Unavailable => RpcStatusCode.Unavailable,
                _ => RpcStatusCode.Internal,
            }, e.Message);
        }
        catch (DecodingException e)
        {
            throw new RpcException(RpcStatusCode.InvalidArgument, e.Message);
        }
    }
}

/// <summary>A node reached over the RPC host (mutual TLS), as the aggregator calls it.</summary>
public sealed class RpcNodeClient(string nodeId, RpcClient client) : INodeClient, IDisposable
{
    /// <inheritdoc />
    public string NodeId { get; } = nodeId;

    /// <inheritdoc />
    public Task<NodeInfo> GetNodeInfoAsync(CancellationToken cancellationToken) => Call<GetNodeInfoRequest, NodeInfo>("GetNodeInfo", new(), cancellationToken);

    /// <inheritdoc />
    public Task<NodeBytesResponse> RegisterStartAsync(NodeBytesRequest request, CancellationToken cancellationToken) => Call<NodeBytesRequest, NodeBytesResponse>("RegisterStart", request, cancellationToken);

    /// <inheritdoc />
    public Task<NodeRegistrationAck> RegisterFinishAsync(NodeRegistrationUpload request, CancellationToken cancellationToken) => Call<NodeRegistrationUpload, NodeRegistrationAck>("RegisterFinish", request, cancellationToken);

    /// <inheritdoc />
    public Task<NodeLoginStartResponse> LoginStartAsync(NodeLoginStartRequest request, CancellationToken cancellationToken) => Call<NodeLoginStartRequest, NodeLoginStartResponse>("LoginStart", request, cancellationToken);

    /// <inheritdoc />
    public Task<NodeLoginFinishResponse> LoginFinishAsync(NodeLoginFinishRequest request, CancellationToken cancellationToken) => Call<NodeLoginFinishRequest, NodeLoginFinishResponse>("LoginFinish", request, cancellationToken);

    /// <inheritdoc />
    public Task<ChannelEnvelope> SubmitAsync(ChannelEnvelope request, CancellationToken cancellationToken) => Call<ChannelEnvelope, ChannelEnvelope>("Submit", request, cancellationToken);

    /// <inheritdoc />
    public Task<ProtocolStep> StartProtocolAsync(StartProtocolRequest request, CancellationToken cancellationToken) => Call<StartProtocolRequest, ProtocolStep>("StartProtocol", request, cancellationToken);

    /// <inheritdoc />
    public Task<ProtocolStep> DeliverAsync(DeliverRequest request, CancellationToken cancellationToken) => Call<DeliverRequest, ProtocolStep>("Deliver", request, cancellationToken);

    /// <inheritdoc />
    public Task<PartialSignResponse> PartialSignAsync(PartialSignRequest request, CancellationToken cancellationToken) => Call<PartialSignRequest, PartialSignResponse>("PartialSign", request, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => client.Dispose();

    /// <summary>The time in a <see cref="LoginLocked"/> trailer, if the node sent one that parses.</summary>
    private static DateTimeOffset? LockedUntil(RpcMetadata trailers)
    {
        if (trailers.GetBytes(NodeRpc.LoginLockedTrailer) is not { } bytes)
        {
            return null;
        }

        try
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(LoginLocked.Parser.ParseFrom(bytes).LockedUntilUnixMs, 0, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()));
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private async Task<TResponse> Call<TRequest, TResponse>(string name, TRequest request, CancellationToken cancellationToken)
        where TRequest : Google.Protobuf.IMessage<TRequest>, new()
        where TResponse : Google.Protobuf.IMessage<TResponse>, new()
    {
        try
        {
            return await client.CallAsync(NodeRpc.Method<TRequest, TResponse>(name), request, null, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            var locked = e.StatusCode == RpcStatusCode.ResourceExhausted ? LockedUntil(e.Trailers) : null;
            var kind = e.StatusCode switch
            {
                RpcStatusCode.InvalidArgument => NodeErrorKind.InvalidArgument,
                RpcStatusCode.NotFound => NodeErrorKind.NotFound,
                RpcStatusCode.PermissionDenied => NodeErrorKind.PermissionDenied,
                RpcStatusCode.Unauthenticated => NodeErrorKind.Unauthenticated,
                RpcStatusCode.FailedPrecondition => NodeErrorKind.FailedPrecondition,
                RpcStatusCode.ResourceExhausted => locked is null ? NodeErrorKind.ResourceExhausted : NodeErrorKind.LoginLocked,
                _ => (NodeErrorKind?)null, // UNAVAILABLE among them: unreachable, or a node that cannot sign now
            };
            throw new NodeCallException(NodeId, kind, unavailable: kind is null, e.Detail) { LockedUntil = locked };
        }
    }
}

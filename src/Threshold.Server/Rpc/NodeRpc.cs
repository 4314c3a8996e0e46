using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Threshold.Aggregator;
using Threshold.Client;
using Threshold.Contracts;
using Threshold.Contracts.V1;
using Threshold.Node;

namespace Threshold.Server.Rpc;

/// <summary>
/// threshold.v1.Node on a node: each method hands its request to <see cref="NodeService"/>. Refusals
/// become statuses in <see cref="CallInterceptor"/>.
/// </summary>
public sealed class NodeGrpcService(NodeService node) : Contracts.V1.Node.NodeBase
{
    /// <inheritdoc />
    public override Task<NodeInfo> GetNodeInfo(GetNodeInfoRequest request, ServerCallContext context) => Task.FromResult(node.GetNodeInfo());

    /// <inheritdoc />
    public override Task<NodeBytesResponse> RegisterStart(NodeBytesRequest request, ServerCallContext context) => Task.FromResult(node.RegisterStart(request));

    /// <inheritdoc />
    public override Task<NodeRegistrationAck> RegisterFinish(NodeRegistrationUpload request, ServerCallContext context) => node.RegisterFinishAsync(request, context.CancellationToken);

    /// <inheritdoc />
    public override Task<NodeLoginStartResponse> LoginStart(NodeLoginStartRequest request, ServerCallContext context) => node.LoginStartAsync(request, context.CancellationToken);

    /// <inheritdoc />
    public override Task<NodeLoginFinishResponse> LoginFinish(NodeLoginFinishRequest request, ServerCallContext context) => node.LoginFinishAsync(request, context.CancellationToken);

    /// <inheritdoc />
    public override Task<ChannelEnvelope> Submit(ChannelEnvelope request, ServerCallContext context) => node.SubmitAsync(request, context.CancellationToken);

    /// <inheritdoc />
    public override Task<ProtocolStep> StartProtocol(StartProtocolRequest request, ServerCallContext context) => node.StartProtocolAsync(request, context.CancellationToken);

    /// <inheritdoc />
    public override Task<ProtocolStep> Deliver(DeliverRequest request, ServerCallContext context) => node.DeliverAsync(request, context.CancellationToken);

    /// <inheritdoc />
    public override Task<PartialSignResponse> PartialSign(PartialSignRequest request, ServerCallContext context) => node.PartialSignAsync(request, context.CancellationToken);
}

/// <summary>How a node serves its API.</summary>
public static class NodeRpc
{
    /// <summary>
    /// Starts the node's host: threshold.v1.Node over gRPC (mutual TLS as <paramref name="options"/> say),
    /// with <see cref="ServiceHostOptions.Health"/> the gRPC health service and <c>GET /healthz</c>, and
    /// server reflection only if <see cref="ServiceHostOptions.Reflection"/> asks for it.
    /// </summary>
    public static Task<ServiceHost> StartAsync(NodeService node, ServiceHostOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(options);
        return ServiceHost.StartAsync(
            options,
            services => services.AddSingleton(node),
            app => app.MapGrpcService<NodeGrpcService>(),
            cancellationToken);
    }
}

/// <summary>A node reached over gRPC (mutual TLS), as the aggregator calls it: the generated client, its failures as <see cref="NodeCallException"/>.</summary>
public sealed class RpcNodeClient : INodeClient, IDisposable
{
    private readonly GrpcChannel channel;
    private readonly Contracts.V1.Node.NodeClient client;

    /// <summary>Calls node <paramref name="nodeId"/> over <paramref name="channel"/> (disposed with this client).</summary>
    public RpcNodeClient(string nodeId, GrpcChannel channel)
    {
        NodeId = nodeId;
        this.channel = channel;
        client = new Contracts.V1.Node.NodeClient(channel);
    }

    /// <inheritdoc />
    public string NodeId { get; }

    /// <inheritdoc />
    public Task<NodeInfo> GetNodeInfoAsync(CancellationToken cancellationToken) => Call(client.GetNodeInfoAsync(new GetNodeInfoRequest(), cancellationToken: cancellationToken));

    /// <inheritdoc />
    public Task<NodeBytesResponse> RegisterStartAsync(NodeBytesRequest request, CancellationToken cancellationToken) => Call(client.RegisterStartAsync(request, cancellationToken: cancellationToken));

    /// <inheritdoc />
    public Task<NodeRegistrationAck> RegisterFinishAsync(NodeRegistrationUpload request, CancellationToken cancellationToken) => Call(client.RegisterFinishAsync(request, cancellationToken: cancellationToken));

    /// <inheritdoc />
    public Task<NodeLoginStartResponse> LoginStartAsync(NodeLoginStartRequest request, CancellationToken cancellationToken) => Call(client.LoginStartAsync(request, cancellationToken: cancellationToken));

    /// <inheritdoc />
    public Task<NodeLoginFinishResponse> LoginFinishAsync(NodeLoginFinishRequest request, CancellationToken cancellationToken) => Call(client.LoginFinishAsync(request, cancellationToken: cancellationToken));

    /// <inheritdoc />
    public Task<ChannelEnvelope> SubmitAsync(ChannelEnvelope request, CancellationToken cancellationToken) => Call(client.SubmitAsync(request, cancellationToken: cancellationToken));

    /// <inheritdoc />
    public Task<ProtocolStep> StartProtocolAsync(StartProtocolRequest request, CancellationToken cancellationToken) => Call(client.StartProtocolAsync(request, cancellationToken: cancellationToken));

    /// <inheritdoc />
    public Task<ProtocolStep> DeliverAsync(DeliverRequest request, CancellationToken cancellationToken) => Call(client.DeliverAsync(request, cancellationToken: cancellationToken));

    /// <inheritdoc />
    public Task<PartialSignResponse> PartialSignAsync(PartialSignRequest request, CancellationToken cancellationToken) => Call(client.PartialSignAsync(request, cancellationToken: cancellationToken));

    /// <inheritdoc />
    public void Dispose() => channel.Dispose();

    private Task<TResponse> Call<TResponse>(AsyncUnaryCall<TResponse> call) => ThresholdChannel.ReplyAsync(call, Failure);

    /// <summary>A failed call as the aggregator sees it: the node's refusal, or (no refusal) the node unavailable.</summary>
    private NodeCallException Failure(RpcException e)
    {
        // UNAVAILABLE, INTERNAL (a refused TLS handshake) and the like name no refusal: unreachable, or a node that cannot sign now.
        var refusal = ThresholdException.FromRpc(e);
        return new NodeCallException(NodeId, refusal?.Code, unavailable: refusal is null or { Code: ErrorCode.Unavailable }, e.Status.Detail) { LockedUntil = refusal?.LockedUntil };
    }
}

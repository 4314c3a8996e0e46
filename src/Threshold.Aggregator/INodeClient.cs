using Threshold.Contracts.V1;
using Threshold.Node;

namespace Threshold.Aggregator;

/// <summary>A node's refusal or failure as the aggregator sees it, whatever the transport.</summary>
public sealed class NodeCallException(string nodeId, NodeErrorKind? kind, bool unavailable, string message)
    : Exception($"node {nodeId}: {message}")
{
    /// <summary>The node.</summary>
    public string NodeId { get; } = nodeId;

    /// <summary>The node's refusal, when it answered.</summary>
    public NodeErrorKind? Kind { get; } = kind;

    /// <summary>Whether the node did not answer in time or could not be reached.</summary>
    public bool Unavailable { get; } = unavailable;

    /// <summary>For <see cref="NodeErrorKind.LoginLocked"/>: when the user's next login attempt becomes available.</summary>
    public DateTimeOffset? LockedUntil { get; init; }
}

/// <summary>
/// One node as the aggregator calls it (threshold.v1.Node). Implementations: in process (the embedded
/// demo and tests) and over the RPC host (mutual TLS). Every method throws <see cref="NodeCallException"/>.
/// </summary>
public interface INodeClient
{
    /// <summary>The node's name.</summary>
    string NodeId { get; }

    /// <summary>See threshold.v1.Node.GetNodeInfo.</summary>
    Task<NodeInfo> GetNodeInfoAsync(CancellationToken cancellationToken);

    /// <summary>See threshold.v1.Node.RegisterStart.</summary>
    Task<NodeBytesResponse> RegisterStartAsync(NodeBytesRequest request, CancellationToken cancellationToken);

    /// <summary>See threshold.v1.Node.RegisterFinish.</summary>
    Task<NodeRegistrationAck> RegisterFinishAsync(NodeRegistrationUpload request, CancellationToken cancellationToken);

    /// <summary>See threshold.v1.Node.LoginStart.</summary>
    Task<NodeLoginStartResponse> LoginStartAsync(NodeLoginStartRequest request, CancellationToken cancellationToken);

    /// <summary>See threshold.v1.Node.LoginFinish.</summary>
    Task<NodeLoginFinishResponse> LoginFinishAsync(NodeLoginFinishRequest request, CancellationToken cancellationToken);

    /// <summary>See threshold.v1.Node.Submit.</summary>
    Task<ChannelEnvelope> SubmitAsync(ChannelEnvelope request, CancellationToken cancellationToken);

    /// <summary>See threshold.v1.Node.StartProtocol.</summary>
    Task<ProtocolStep> StartProtocolAsync(StartProtocolRequest request, CancellationToken cancellationToken);

    /// <summary>See threshold.v1.Node.Deliver.</summary>
    Task<ProtocolStep> DeliverAsync(DeliverRequest request, CancellationToken cancellationToken);

    /// <summary>See threshold.v1.Node.PartialSign.</summary>
    Task<PartialSignResponse> PartialSignAsync(PartialSignRequest request, CancellationToken cancellationToken);
}

/// <summary>A node in this process.</summary>
public sealed class InProcessNodeClient(NodeService node) : INodeClient
{
    /// <inheritdoc />
    public string NodeId => node.NodeId;

    /// <inheritdoc />
    public Task<NodeInfo> GetNodeInfoAsync(CancellationToken cancellationToken) => Call(() => Task.FromResult(node.GetNodeInfo()));

    /// <inheritdoc />
    public Task<NodeBytesResponse> RegisterStartAsync(NodeBytesRequest request, CancellationToken cancellationToken) => Call(() => Task.FromResult(node.RegisterStart(request)));

    /// <inheritdoc />
    public Task<NodeRegistrationAck> RegisterFinishAsync(NodeRegistrationUpload request, CancellationToken cancellationToken) => Call(() => node.RegisterFinishAsync(request, cancellationToken));

    /// <inheritdoc />
    public Task<NodeLoginStartResponse> LoginStartAsync(NodeLoginStartRequest request, CancellationToken cancellationToken) => Call(() => node.LoginStartAsync(request, cancellationToken));

    /// <inheritdoc />
    public Task<NodeLoginFinishResponse> LoginFinishAsync(NodeLoginFinishRequest request, CancellationToken cancellationToken) => Call(() => node.LoginFinishAsync(request, cancellationToken));

    /// <inheritdoc />
    public Task<ChannelEnvelope> SubmitAsync(ChannelEnvelope request, CancellationToken cancellationToken) => Call(() => node.SubmitAsync(request, cancellationToken));

    /// <inheritdoc />
    public Task<ProtocolStep> StartProtocolAsync(StartProtocolRequest request, CancellationToken cancellationToken) => Call(() => Task.Run(() => node.StartProtocolAsync(request, cancellationToken), cancellationToken));

    /// <inheritdoc />
    public Task<ProtocolStep> DeliverAsync(DeliverRequest request, CancellationToken cancellationToken) => Call(() => Task.Run(() => node.DeliverAsync(request, cancellationToken), cancellationToken));

    /// <inheritdoc />
    public Task<PartialSignResponse> PartialSignAsync(PartialSignRequest request, CancellationToken cancellationToken) => Call(() => node.PartialSignAsync(request, cancellationToken));

    private async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (NodeException e)
        {
            throw new NodeCallException(node.NodeId, e.Kind, unavailable: e.Kind == NodeErrorKind.Unavailable, e.Message) { LockedUntil = e.LockedUntil };
        }
    }
}

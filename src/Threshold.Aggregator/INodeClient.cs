using Threshold.Contracts;
using Threshold.Contracts.V1;

namespace Threshold.Aggregator;

/// <summary>A node's refusal or failure as the aggregator sees it, whatever the transport.</summary>
public sealed class NodeCallException(string nodeId, ErrorCode? code, bool unavailable, string message)
    : Exception($"node {nodeId}: {message}")
{
    /// <summary>The node.</summary>
    public string NodeId { get; } = nodeId;

    /// <summary>The node's refusal, when it answered.</summary>
    public ErrorCode? Code { get; } = code;

    /// <summary>Whether the node did not answer in time or could not be reached.</summary>
    public bool Unavailable { get; } = unavailable;

    /// <summary>For <see cref="ErrorCode.LoginLocked"/>: when the user's next login attempt becomes available.</summary>
    public DateTimeOffset? LockedUntil { get; init; }
}

/// <summary>
/// One node as the aggregator calls it (threshold.v1.Node). Implementations: over gRPC (mutual TLS), and
/// in process for the embedded demo and tests. Every method throws <see cref="NodeCallException"/>.
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

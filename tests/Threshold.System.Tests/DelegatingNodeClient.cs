using Threshold.Aggregator;
using Threshold.Contracts.V1;

namespace Threshold.System.Tests;

/// <summary>A node as the aggregator sees it, passed through; tests override what a faulty node changes.</summary>
internal class DelegatingNodeClient(INodeClient inner) : INodeClient
{
    public string NodeId => inner.NodeId;

    public virtual Task<NodeInfo> GetNodeInfoAsync(CancellationToken cancellationToken) => inner.GetNodeInfoAsync(cancellationToken);

    public virtual Task<NodeBytesResponse> RegisterStartAsync(NodeBytesRequest request, CancellationToken cancellationToken) => inner.RegisterStartAsync(request, cancellationToken);

    public virtual Task<NodeRegistrationAck> RegisterFinishAsync(NodeRegistrationUpload request, CancellationToken cancellationToken) => inner.RegisterFinishAsync(request, cancellationToken);

    public virtual Task<NodeLoginStartResponse> LoginStartAsync(NodeLoginStartRequest request, CancellationToken cancellationToken) => inner.LoginStartAsync(request, cancellationToken);

    public virtual Task<NodeLoginFinishResponse> LoginFinishAsync(NodeLoginFinishRequest request, CancellationToken cancellationToken) => inner.LoginFinishAsync(request, cancellationToken);

    public virtual Task<ChannelEnvelope> SubmitAsync(ChannelEnvelope request, CancellationToken cancellationToken) => inner.SubmitAsync(request, cancellationToken);

    public virtual Task<ProtocolStep> StartProtocolAsync(StartProtocolRequest request, CancellationToken cancellationToken) => inner.StartProtocolAsync(request, cancellationToken);

    public virtual Task<ProtocolStep> DeliverAsync(DeliverRequest request, CancellationToken cancellationToken) => inner.DeliverAsync(request, cancellationToken);

    public virtual Task<PartialSignResponse> PartialSignAsync(PartialSignRequest request, CancellationToken cancellationToken) => inner.PartialSignAsync(request, cancellationToken);
}

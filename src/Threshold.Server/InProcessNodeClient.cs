using Threshold.Aggregator;
using Threshold.Contracts;
using Threshold.Contracts.V1;
using Threshold.Node;

namespace Threshold.Server;

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
        catch (ThresholdException e)
        {
            throw new NodeCallException(node.NodeId, e.Code, unavailable: e.Code == ErrorCode.Unavailable, e.Message) { LockedUntil = e.LockedUntil };
        }
    }
}

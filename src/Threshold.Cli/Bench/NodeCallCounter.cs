using System.Collections.Concurrent;
using Threshold.Aggregator;
using Threshold.Contracts.V1;

namespace Threshold.Cli.Bench;

/// <summary>
/// Counts the calls the aggregator makes to the nodes, by method (the bench wraps every node client with
/// <see cref="Wrap"/>): how many node round trips a signature costs is measured, not assumed.
/// </summary>
internal sealed class NodeCallCounter
{
    private readonly ConcurrentDictionary<(string Node, string Method), long> calls = new();

    /// <summary>Calls so far, by node and method (GetNodeInfo is the reachability probe).</summary>
    public IReadOnlyDictionary<(string Node, string Method), long> Snapshot() => calls.ToDictionary();

    /// <summary>Calls other than probes since <paramref name="before"/>, by node and method (those with none left out).</summary>
    public Dictionary<(string Node, string Method), long> Since(IReadOnlyDictionary<(string Node, string Method), long> before) =>
        calls.Where(e => e.Key.Method != nameof(INodeClient.GetNodeInfoAsync))
            .Select(e => (e.Key, Count: e.Value - before.GetValueOrDefault(e.Key)))
            .Where(e => e.Count > 0)
            .ToDictionary(e => e.Key, e => e.Count);

    /// <summary>Calls other than probes since <paramref name="before"/>, in all.</summary>
    public long CallsSince(IReadOnlyDictionary<(string Node, string Method), long> before) => Since(before).Values.Sum();

    /// <summary>The node's client, counted.</summary>
    public INodeClient Wrap(INodeClient node) => new Counted(node, this);

    private Task<T> Count<T>(string node, string method, Func<Task<T>> call)
    {
        calls.AddOrUpdate((node, method), 1, (_, n) => n + 1);
        return call();
    }

    private sealed class Counted(INodeClient inner, NodeCallCounter counter) : INodeClient
    {
        public string NodeId => inner.NodeId;

        public Task<NodeInfo> GetNodeInfoAsync(CancellationToken cancellationToken) => counter.Count(inner.NodeId, nameof(GetNodeInfoAsync), () => inner.GetNodeInfoAsync(cancellationToken));

        public Task<NodeBytesResponse> RegisterStartAsync(NodeBytesRequest request, CancellationToken cancellationToken) => counter.Count(inner.NodeId, nameof(RegisterStartAsync), () => inner.RegisterStartAsync(request, cancellationToken));

        public Task<NodeRegistrationAck> RegisterFinishAsync(NodeRegistrationUpload request, CancellationToken cancellationToken) => counter.Count(inner.NodeId, nameof(RegisterFinishAsync), () => inner.RegisterFinishAsync(request, cancellationToken));

        public Task<NodeLoginStartResponse> LoginStartAsync(NodeLoginStartRequest request, CancellationToken cancellationToken) => counter.Count(inner.NodeId, nameof(LoginStartAsync), () => inner.LoginStartAsync(request, cancellationToken));

        public Task<NodeLoginFinishResponse> LoginFinishAsync(NodeLoginFinishRequest request, CancellationToken cancellationToken) => counter.Count(inner.NodeId, nameof(LoginFinishAsync), () => inner.LoginFinishAsync(request, cancellationToken));

        public Task<ChannelEnvelope> SubmitAsync(ChannelEnvelope request, CancellationToken cancellationToken) => counter.Count(inner.NodeId, nameof(SubmitAsync), () => inner.SubmitAsync(request, cancellationToken));

        public Task<ProtocolStep> StartProtocolAsync(StartProtocolRequest request, CancellationToken cancellationToken) => counter.Count(inner.NodeId, nameof(StartProtocolAsync), () => inner.StartProtocolAsync(request, cancellationToken));

        public Task<ProtocolStep> DeliverAsync(DeliverRequest request, CancellationToken cancellationToken) => counter.Count(inner.NodeId, nameof(DeliverAsync), () => inner.DeliverAsync(request, cancellationToken));

        public Task<PartialSignResponse> PartialSignAsync(PartialSignRequest request, CancellationToken cancellationToken) => counter.Count(inner.NodeId, nameof(PartialSignAsync), () => inner.PartialSignAsync(request, cancellationToken));
    }
}

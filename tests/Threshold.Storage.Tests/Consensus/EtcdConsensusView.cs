using Threshold.Storage.Consensus;
using Threshold.Storage.Consensus.Etcd;
using Threshold.Storage.Tests.Support;

namespace Threshold.Storage.Tests.Consensus;

/// <summary>
/// The whole cluster seen through one <see cref="IConsensusStore"/>, for the contract tests: each call
/// that names a node goes to that node's own <see cref="EtcdConsensusStore"/> (its certificate, its
/// identity key), unlocks go to the operator (root), and reads to node-1's store.
/// </summary>
internal sealed class EtcdConsensusView : IConsensusStore, IDisposable
{
    private readonly Dictionary<string, EtcdConsensusStore> stores;
    private readonly EtcdAccess root;

    private EtcdConsensusView(Dictionary<string, EtcdConsensusStore> stores, EtcdAccess root)
    {
        this.stores = stores;
        this.root = root;
    }

    /// <summary>A fresh prefix of <paramref name="cluster"/>, its access set up, and a store per node on it.</summary>
    public static async Task<EtcdConsensusView> CreateAsync(EtcdCluster cluster, TimeProvider clock, CancellationToken cancellationToken)
    {
        var prefix = $"/threshold/test-{Guid.NewGuid():N}/";
        var root = new EtcdAccess(cluster.Options("root", prefix), clock);
        await root.SetUpAsync(EtcdCluster.NodeIds, cancellationToken);
        return new EtcdConsensusView(EtcdCluster.NodeIds.ToDictionary(n => n, n => cluster.Store(n, prefix, clock), StringComparer.Ordinal), root);
    }

    public Task<LoginAdmission> AdmitLoginAttemptAsync(LoginAttempt attempt, LoginBudgetPolicy policy, CancellationToken cancellationToken = default) =>
        For(attempt.Node).AdmitLoginAttemptAsync(attempt, policy, cancellationToken);

    public Task<bool> RefundLoginAttemptAsync(string user, ReadOnlyMemory<byte> attemptId, string node, LoginBudgetPolicy policy, CancellationToken cancellationToken = default) =>
        For(node).RefundLoginAttemptAsync(user, attemptId, node, policy, cancellationToken);

    public Task<LoginBudgetState> LoginBudgetAsync(string user, LoginBudgetPolicy policy, CancellationToken cancellationToken = default) =>
        For("node-1").LoginBudgetAsync(user, policy, cancellationToken);

    public Task<long> UnlockLoginAsync(string user, string by, string reason, CancellationToken cancellationToken = default) =>
        root.UnlockLoginAsync(user, by, reason, cancellationToken);

    public Task<IReadOnlyList<LoginUnlock>> UnauditedLoginUnlocksAsync(string node, CancellationToken cancellationToken = default) =>
        For(node).UnauditedLoginUnlocksAsync(node, cancellationToken);

    public Task MarkLoginUnlocksAuditedAsync(string node, long sequence, CancellationToken cancellationToken = default) =>
        For(node).MarkLoginUnlocksAuditedAsync(node, sequence, cancellationToken);

    /// <summary>Every node sweeps its own logs; the last count is after all have.</summary>
    public async Task<LoginStoreUsage> SweepLoginStateAsync(CancellationToken cancellationToken = default)
    {
        foreach (var store in stores.Values)
        {
            await store.SweepLoginStateAsync(cancellationToken);
        }

        return await For("node-1").SweepLoginStateAsync(cancellationToken);
    }

    public Task PublishStateVersionAsync(string node, long version, CancellationToken cancellationToken = default) =>
        For(node).PublishStateVersionAsync(node, version, cancellationToken);

    public Task<long?> StateVersionAsync(string node, CancellationToken cancellationToken = default) =>
        For("node-1").StateVersionAsync(node, cancellationToken);

    public Task HeartbeatAsync(string node, CancellationToken cancellationToken = default) =>
        For(node).HeartbeatAsync(node, cancellationToken);

    public Task<IReadOnlyList<NodeHeartbeat>> LiveNodesAsync(TimeSpan within, CancellationToken cancellationToken = default) =>
        For("node-1").LiveNodesAsync(within, cancellationToken);

    public void Dispose()
    {
        foreach (var store in stores.Values)
        {
            store.Dispose();
        }

        root.Dispose();
    }

    private EtcdConsensusStore For(string node) =>
        stores.TryGetValue(node, out var store) ? store : throw new ArgumentException($"no node {node} in this cluster", nameof(node));
}

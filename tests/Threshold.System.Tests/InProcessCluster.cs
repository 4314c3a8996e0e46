using Threshold.Aggregator;
using Threshold.Client;
using Threshold.Node;
using Threshold.Opaque;
using Threshold.Opaque.Ksf;
using Threshold.Server;
using Threshold.Testing;

namespace Threshold.System.Tests;

/// <summary>The embedded cluster with test settings: pregenerated primes and a light password hash.</summary>
internal sealed class InProcessCluster : IAsyncDisposable
{
    private readonly EmbeddedCluster cluster;

    private InProcessCluster(EmbeddedCluster cluster) => this.cluster = cluster;

    public IReadOnlyList<NodeService> Nodes => cluster.Nodes;

    public AggregatorService Aggregator => cluster.Aggregator;

    public OpaqueConfiguration Opaque => cluster.Opaque;

    public IWalletApi WalletApi => cluster.WalletApi;

    public static async Task<InProcessCluster> StartAsync(int n, int t, int poolTarget = 2, Threshold.Storage.Consensus.IConsensusStore? consensus = null, Threshold.Storage.Consensus.LoginBudgetPolicy? loginBudget = null, Func<string, Threshold.Node.Storage.INodeVault>? vaults = null, Func<INodeClient, INodeClient>? faults = null, TimeProvider? time = null) =>
        new(await EmbeddedCluster.StartAsync(
            Options(n, t) with
            {
                PoolTarget = poolTarget,
                Consensus = consensus,
                LoginBudget = loginBudget ?? Threshold.Storage.Consensus.LoginBudgetPolicy.Default,
                Vaults = vaults,
                WrapNodeClient = faults,
                Time = time ?? TimeProvider.System,
            },
            TestContext.Current.CancellationToken));

    public ThresholdClient Client() => new(cluster.WalletApi, Opaque);

    /// <summary>Options for an embedded cluster of <paramref name="n"/> nodes, threshold <paramref name="t"/>, with the test settings.</summary>
    public static EmbeddedClusterOptions Options(int n, int t) => new()
    {
        Nodes = n,
        Threshold = t,
        Opaque = new OpaqueConfiguration(OpaqueSuite.Ristretto255Sha512, new Argon2idKsf(Argon2idProfile.Test), OpaqueConfiguration.DefaultContext),
        Primes = TestPrimes.Pool(),
    };

    public ValueTask DisposeAsync() => cluster.DisposeAsync();
}

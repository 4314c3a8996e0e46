using System.Security.Cryptography;
using Google.Protobuf;
using Threshold.Aggregator;
using Threshold.Client;
using Threshold.Contracts.V1;
using Threshold.Node.Storage;
using Threshold.Opaque.Client;
using Threshold.Opaque.Cluster;
using Threshold.Server;
using Threshold.Storage.Consensus;

namespace Threshold.System.Tests;

/// <summary>
/// An in-process cluster for login tests: nodes, consensus store and wallet share one manual clock;
/// each node's vault is kept for its audit log, and each node can be switched off as the aggregator
/// sees it.
/// </summary>
internal sealed class LoginScene : IAsyncDisposable
{
    public static readonly byte[] Password = "correct horse battery staple"u8.ToArray();

    private readonly EmbeddedCluster cluster;

    private LoginScene(EmbeddedCluster cluster, ManualClock clock, IConsensusStore consensus, LoginBudgetPolicy policy, Dictionary<string, InMemoryNodeVault> vaults, Dictionary<string, DownableNode> links)
    {
        this.cluster = cluster;
        Clock = clock;
        Consensus = consensus;
        Policy = policy;
        Vaults = vaults;
        Links = links;
    }

    public ManualClock Clock { get; }

    public IConsensusStore Consensus { get; }

    public LoginBudgetPolicy Policy { get; }

    public IReadOnlyDictionary<string, InMemoryNodeVault> Vaults { get; }

    /// <summary>Each node as the aggregator reaches it; set <see cref="DownableNode.Down"/> to cut it off.</summary>
    public IReadOnlyDictionary<string, DownableNode> Links { get; }

    public EmbeddedCluster Cluster => cluster;

    public IWalletApi Wallet => cluster.WalletApi;

    /// <summary>Three nodes, t = 2, the given budget; the consensus store is in memory unless one is given.</summary>
    public static async Task<LoginScene> StartAsync(LoginBudgetPolicy policy, IConsensusStore? consensus = null, ManualClock? clock = null, int maxPendingLogins = 10_000)
    {
        clock ??= new ManualClock(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        consensus ??= new InMemoryConsensusStore(clock);
        var vaults = new Dictionary<string, InMemoryNodeVault>();
        var links = new Dictionary<string, DownableNode>();
        var cluster = await EmbeddedCluster.StartAsync(
            InProcessCluster.Options(3, 2) with
            {
                PoolTarget = 0,
                Consensus = consensus,
                LoginBudget = policy,
                Time = clock,
                MaxPendingLogins = maxPendingLogins,
                Vaults = id => vaults[id] = new InMemoryNodeVault(),
                WrapNodeClient = node => links[node.NodeId] = new DownableNode(node),
            },
            TestContext.Current.CancellationToken);
        return new LoginScene(cluster, clock, consensus, policy, vaults, links);
    }

    public ThresholdClient Client() => new(cluster.WalletApi, cluster.Opaque, Clock);

    /// <summary>Registers a user with <see cref="Password"/>.</summary>
    public async Task<string> RegisterAsync(CancellationToken ct)
    {
        await using var client = Client();
        await client.ConnectAsync(ct);
        return await client.RegisterAsync(Password, ct);
    }

    /// <summary>Logs in with a fresh client; returns the error, or null when the login succeeded.</summary>
    public async Task<ThresholdClientException?> TryLoginAsync(string user, byte[] password, IEnumerable<string>? nodes, CancellationToken ct)
    {
        await using var client = Client();
        await client.ConnectAsync(ct);
        try
        {
            await client.LoginAsync(user, password, nodes, ct);
            Assert.True(client.SessionNodes.Count >= 2);
            return null;
        }
        catch (ThresholdClientException e)
        {
            Assert.Empty(client.SessionNodes);
            return e;
        }
    }

    public Task<int> TokensLeftAsync(string user) => TokensLeftAsync(user, TestContext.Current.CancellationToken);

    public async Task<int> TokensLeftAsync(string user, CancellationToken ct) => (await Consensus.LoginBudgetAsync(user, Policy, ct)).TokensLeft;

    /// <summary>
    /// A well-formed login of <paramref name="user"/> as any client could send it: one attempt id and one
    /// blinded element for every node, with valid KE1s (the nodes cannot tell it from a real login).
    /// </summary>
    public LoginStartRequest ForgedLoginStart(string user, byte[] password)
    {
        var client = new MultiServerClient(cluster.Opaque, new ClusterDescriptor(cluster.Nodes.Select(n => new Threshold.Opaque.Cluster.NodeDescriptor(n.NodeId)), 2), RandomNumberGenerator.Create());
        using var login = client.StartLogin(UserId.Parse(user), password);
        var request = new LoginStartRequest { UserId = user, AttemptId = ByteString.CopyFrom(login.AttemptId) };
        request.Ke1.AddRange(login.Requests.Select(r => new NodeBytes { NodeId = r.NodeId, Payload = ByteString.CopyFrom(r.KE1) }));
        return request;
    }

    /// <summary>Audit entries of kind <paramref name="kind"/> at <paramref name="nodeId"/> for <paramref name="user"/>.</summary>
    public IReadOnlyList<(string Outcome, string Detail)> Audit(string nodeId, string user, string kind) =>
        [.. Vaults[nodeId].Audit.Where(a => a.Owner == user && a.Kind == kind).Select(a => (a.Outcome, a.Detail))];

    public ValueTask DisposeAsync() => cluster.DisposeAsync();

    /// <summary>A node the aggregator can lose: while down, its login calls fail as unreachable.</summary>
    internal sealed class DownableNode(INodeClient inner) : DelegatingNodeClient(inner)
    {
        public bool Down { get; set; }

        public override Task<NodeLoginStartResponse> LoginStartAsync(NodeLoginStartRequest request, CancellationToken cancellationToken) =>
            Down ? throw new NodeCallException(NodeId, null, unavailable: true, "unreachable") : base.LoginStartAsync(request, cancellationToken);

        public override Task<NodeLoginFinishResponse> LoginFinishAsync(NodeLoginFinishRequest request, CancellationToken cancellationToken) =>
            Down ? throw new NodeCallException(NodeId, null, unavailable: true, "unreachable") : base.LoginFinishAsync(request, cancellationToken);
    }
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Threshold.Contracts;
using Threshold.Contracts.V1;
using Threshold.Rounds.Signing;

namespace Threshold.Aggregator;

/// <summary>
/// The aggregator (threshold.v1.Wallet): relays OPAQUE flows and sealed requests to the nodes
/// (<see cref="WalletRelay"/>), runs key generation and aux-info (<see cref="KeyGeneration"/>), keeps every
/// key's presignature pool filled in the background (<see cref="PresignatureSupply"/>, <see cref="Presigner"/>),
/// signs in one round trip per signer (<see cref="Signing"/>), and reports culprits with evidence; all of them
/// reach the nodes through <see cref="ClusterNodes"/>. It is trusted for availability only: it never sees a
/// share, a password or a channel's plaintext.
/// </summary>
public sealed class AggregatorService : IAsyncDisposable
{
    private readonly AggregatorOptions options;
    private readonly ClusterNodes nodes;
    private readonly PresignaturePool pool = new();
    private readonly PresignatureSupply supply;
    private readonly WalletRelay relay;
    private readonly KeyGeneration keyGeneration;
    private readonly Signing signing;
    private ClusterInfo info = new();
    private EcdsaPartyKeys? directory;

    /// <summary>Creates the aggregator; call <see cref="InitializeAsync"/> before serving.</summary>
    /// <param name="options">The cluster and settings.</param>
    /// <param name="logger">Node reachability and failed runs (ids and check names only); silent by default.</param>
    public AggregatorService(AggregatorOptions options, ILogger? logger = null)
    {
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        logger ??= NullLogger.Instance;
        nodes = new ClusterNodes(options, logger);
        var driver = new ProtocolDriver(options.CallTimeout, nodes.Reached, nodes.Unreached);
        var selection = new SignerSelection(options.Threshold);
        var presigner = new Presigner(options, nodes, driver, selection, () => Directory, logger);
        supply = new PresignatureSupply(
            pool,
            (keyId, ct) => presigner.PresignAmongAsync(keyId, nodes.ReachableParties(), ct),
            selection.Trusted,
            nodes.ReachableParties,
            PresignatureSupply.SignerSets(options.Nodes.Count, options.Threshold),
            options.PoolSupply);
        relay = new WalletRelay(nodes);
        keyGeneration = new KeyGeneration(options, nodes, driver, () => Directory, logger);
        signing = new Signing(options, nodes, supply, pool, presigner, selection, logger);
    }

    /// <summary>Which nodes are reachable (after <see cref="InitializeAsync"/>).</summary>
    public NodeReachability Reachability => nodes.Reachability;

    /// <summary>The presignature pool (for monitoring and tests).</summary>
    public PresignaturePool Pool => pool;

    /// <summary>What keeps the pool supplied: per-key status and counters (for monitoring and benchmarks).</summary>
    public PresignatureSupply Supply => supply;

    /// <summary>
    /// Whether pools are topped up in the background after key generation and after every signature
    /// (default). An operator may pause it, for instance to keep the cores for signing during a burst.
    /// </summary>
    public bool BackgroundPresigning
    {
        get => supply.Enabled;
        set => supply.Enabled = value;
    }

    /// <summary>Fills <paramref name="keyId"/>'s pool up to <paramref name="target"/> now (for warm-up before a burst).</summary>
    public Task WarmUpAsync(string keyId, int target, CancellationToken cancellationToken) => supply.WarmUpAsync(keyId, target, cancellationToken);

    /// <summary>
    /// Describes the cluster from <see cref="AggregatorOptions.Members"/>, probes every node once (each
    /// probe bounded by <see cref="AggregatorOptions.ProbeTimeout"/>) and keeps probing in the background.
    /// Nodes that are down are reported, not fatal: operations use the reachable ones.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var clients = options.Nodes.Select(n => n.NodeId).ToHashSet(StringComparer.Ordinal);
        var members = options.Members.OrderBy(m => m.Party).ToList();
        if (members.Count != clients.Count || members.Any(m => !clients.Contains(m.NodeId)) || members.Select(m => m.Party).Distinct().Count() != members.Count)
        {
            throw new ArgumentException("every node needs exactly one configured description, with a party index of its own", nameof(options));
        }

        info = new ClusterInfo
        {
            Version = "threshold.v1",
            Threshold = (uint)options.Threshold,
            NodesTotal = (uint)members.Count,
            OpaqueSuite = options.OpaqueSuite,
            Curves = { Contracts.V1.Curve.Secp256K1, Contracts.V1.Curve.P256 },
        };
        info.Nodes.AddRange(members.Select(m => new NodeDescriptor
        {
            NodeId = m.NodeId,
            Party = m.Party,
            IdentityKey = m.IdentityKey,
            AgreementKey = m.AgreementKey,
            OpaqueServerKey = m.OpaqueServerKey,
        }));
        info.Fingerprint = ClusterFingerprint.Of(members.Select(m => m.IdentityKey.ToByteArray()));
        directory = new EcdsaPartyKeys(members.ToDictionary(m => (int)m.Party, m => m.IdentityKey.ToByteArray()));
        await nodes.StartAsync(members, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>See threshold.v1.Wallet.GetClusterInfo: the configured cluster, with each node's reachability now.</summary>
    public ClusterInfo GetClusterInfo()
    {
        var now = info.Clone();
        foreach (var node in now.Nodes)
        {
            node.Reachable = nodes.Started && nodes.IsReachable(node.NodeId);
        }

        now.NodesReachable = (uint)now.Nodes.Count(n => n.Reachable);
        return now;
    }

    /// <summary>See threshold.v1.Wallet.RegisterStart: every node must take part.</summary>
    public Task<RegisterStartResponse> RegisterStartAsync(RegisterStartRequest request, CancellationToken cancellationToken) => relay.RegisterStartAsync(request, cancellationToken);

    /// <summary>See threshold.v1.Wallet.RegisterFinish: every node stores its record.</summary>
    public Task<RegisterFinishResponse> RegisterFinishAsync(RegisterFinishRequest request, CancellationToken cancellationToken) => relay.RegisterFinishAsync(request, cancellationToken);

    /// <summary>See threshold.v1.Wallet.LoginStart and <see cref="WalletRelay.LoginStartAsync"/>.</summary>
    public Task<LoginStartResponse> LoginStartAsync(LoginStartRequest request, CancellationToken cancellationToken) => relay.LoginStartAsync(request, cancellationToken);

    /// <summary>See threshold.v1.Wallet.LoginFinish: relays KE3; each node that authenticates opens a session.</summary>
    public Task<LoginFinishResponse> LoginFinishAsync(LoginFinishRequest request, CancellationToken cancellationToken) => relay.LoginFinishAsync(request, cancellationToken);

    /// <summary>
    /// See threshold.v1.Wallet.GenerateKey: delivers the sealed requests, then runs key generation and
    /// aux-info across every node and starts filling the key's presignature pool.
    /// </summary>
    public async Task<GenerateKeyResponse> GenerateKeyAsync(GenerateKeyRequest request, CancellationToken cancellationToken)
    {
        var response = await keyGeneration.GenerateAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Failure is null)
        {
            supply.Refill(response.KeyId);
        }

        return response;
    }

    /// <summary>See threshold.v1.Wallet.GetPublicKey: relays the sealed requests; the client reads the replies.</summary>
    public Task<GetPublicKeyResponse> GetPublicKeyAsync(GetPublicKeyRequest request, CancellationToken cancellationToken) => relay.GetPublicKeyAsync(request, cancellationToken);

    /// <summary>See threshold.v1.Wallet.Sign and <see cref="Signing.SignAsync"/>: one round trip per signer with a warm pool.</summary>
    public Task<SignResponse> SignAsync(SignRequest request, CancellationToken cancellationToken) => signing.SignAsync(request, cancellationToken);

    /// <summary>See threshold.v1.Wallet.Logout.</summary>
    public Task<LogoutResponse> LogoutAsync(LogoutRequest request, CancellationToken cancellationToken) => relay.LogoutAsync(request, cancellationToken);

    /// <summary>Waits for background pool refills to finish (tests, shutdown).</summary>
    public Task DrainAsync() => supply.DrainAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await supply.StopAsync().ConfigureAwait(false);
        await nodes.DisposeAsync().ConfigureAwait(false);
        directory?.Dispose();
    }

    private EcdsaPartyKeys Directory => directory ?? throw new InvalidOperationException("not initialised");
}

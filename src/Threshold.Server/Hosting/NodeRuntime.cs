using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Threshold.Node;
using Threshold.Node.Identity;
using Threshold.Node.Sessions;
using Threshold.Node.Storage;
using Threshold.Opaque;
using Threshold.Opaque.Ksf;
using Threshold.Opaque.Server;
using Threshold.Paillier;
using Threshold.Primes;
using Threshold.Rpc.Hosting;
using Threshold.Server.Rpc;
using Threshold.Storage;
using Threshold.Storage.Consensus;
using Threshold.Storage.Sealing;

namespace Threshold.Server.Hosting;

/// <summary>The node's database is older than what the cluster last saw from it: a restored backup.</summary>
public sealed class RollbackDetectedException(string nodeId, long own, long published)
    : Exception($"node {nodeId}: its database is at state version {own} but the cluster last saw {published}; refusing to serve a rolled-back state")
{
    /// <summary>The node.</summary>
    public string NodeId { get; } = nodeId;
}

/// <summary>
/// One node as a running process: its sealed store (SQLite or PostgreSQL), its identity, OPAQUE setup and
/// TLS certificate from that store, the cluster's membership from cluster.json, the consensus store, and
/// the RPC host requiring the aggregator's client certificate. Refuses to start on a rolled-back database.
/// </summary>
public sealed class NodeRuntime : IAsyncDisposable
{
    internal const string NodeTable = "node";
    internal const string IdentityId = "identity";

    private readonly IKeyStore store;
    private readonly IConsensusStore? consensus;
    private readonly RpcHost host;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task publisher;

    private NodeRuntime(string nodeId, NodeService node, IKeyStore store, IConsensusStore? consensus, RpcHost host)
    {
        NodeId = nodeId;
        Node = node;
        this.store = store;
        this.consensus = consensus;
        this.host = host;
        publisher = Task.Run(PublishAsync);
    }

    /// <summary>The node's name.</summary>
    public string NodeId { get; }

    /// <summary>The node service.</summary>
    public NodeService Node { get; }

    /// <summary>Where it listens.</summary>
    public Uri Address => host.Address;

    /// <summary>The node's sealed store (tests read its audit log).</summary>
    internal IKeyStore Store => store;

    /// <summary>The OPAQUE configuration every node and client of these clusters uses.</summary>
    public static OpaqueConfiguration Opaque(string suite) => new(
        suite == OpaqueSuite.P256Sha256.Name ? OpaqueSuite.P256Sha256 : OpaqueSuite.Ristretto255Sha512,
        new Argon2idKsf(Argon2idProfile.Interactive),
        OpaqueConfiguration.DefaultContext);

    /// <summary>Opens the node's state and starts serving.</summary>
    /// <exception cref="RollbackDetectedException">The database is older than the cluster last saw.</exception>
    public static async Task<NodeRuntime> StartAsync(NodeConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        var cluster = ClusterFile.Load(config.ClusterFile);
        var store = await OpenStoreAsync(config, cancellationToken).ConfigureAwait(false);
        IConsensusStore? consensus = null;
        try
        {
            using var stored = await store.GetAsync(NodeTable, IdentityId, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"node {config.NodeId} is not initialised (run `threshold cluster init`)");
            var secrets = NodeSecrets.Decode(stored.Payload);
            if (secrets.Identity.NodeId != config.NodeId)
            {
                throw new InvalidOperationException($"the data directory belongs to node {secrets.Identity.NodeId}, not {config.NodeId}");
            }

            if (config.ConsensusFile is { } file)
            {
                consensus = await SqliteConsensusStore.OpenAsync(file, cancellationToken: cancellationToken).ConfigureAwait(false);
                var own = await store.GetStateVersionAsync(cancellationToken).ConfigureAwait(false);
                if (await consensus.StateVersionAsync(config.NodeId, cancellationToken).ConfigureAwait(false) is { } published && published > own)
                {
                    throw new RollbackDetectedException(config.NodeId, own, published);
                }
            }

            var opaque = Opaque(cluster.OpaqueSuite);
            var identity = secrets.Identity;
            var members = new ClusterMembers([.. cluster.Nodes.Select(n => new ClusterMember(n.NodeId, n.Party, Convert.FromBase64String(n.SigningKey), Convert.FromBase64String(n.AgreementKey)))], cluster.Threshold);
            var primes = File.Exists(PrimesPath(config)) ? PrimePool.Load(PrimesPath(config)) : new PrimePool();
            var node = new NodeService(new NodeOptions
            {
                Identity = identity,
                Members = members,
                Opaque = opaque,
                OpaqueSetup = secrets.Opaque,
                Users = new StoredRegistrationRecordStore(store, opaque.Suite),
                Vault = new StoredNodeVault(store),
                LoginBudget = consensus is null ? new LocalLoginBudget(config.LoginBudget) : new ConsensusLoginBudget(consensus, config.NodeId, config.LoginBudget),
                Primes = primes,
                Level = SecurityLevel.FromName(config.Level),
            });
            var certificate = X509CertificateLoader.LoadPkcs12(secrets.TlsPkcs12, null);
            using var aggregator = X509Certificate2.CreateFromPem(cluster.Aggregator.ClientCertificate);
            var pinned = aggregator.GetCertHash(HashAlgorithmName.SHA256);
            var host = await RpcHost.StartAsync(NodeRpc.Registry(node), new RpcHostOptions
            {
                EndPoint = IPEndPoint.Parse(config.Listen),
                Certificate = certificate,
                ClientCertificates = ClientCertificateRequirement.Required,
                ClientCertificateValidator = (presented, _, _) => CryptographicOperations.FixedTimeEquals(presented.GetCertHash(HashAlgorithmName.SHA256), pinned),
            }, null, cancellationToken).ConfigureAwait(false);
            return new NodeRuntime(config.NodeId, node, store, consensus, host);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            if (consensus is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        await publisher.ConfigureAwait(false);
        await host.DisposeAsync().ConfigureAwait(false);
        await PublishOnceAsync(CancellationToken.None).ConfigureAwait(false);
        Node.Dispose();
        await store.DisposeAsync().ConfigureAwait(false);
        if (consensus is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }

        stopping.Dispose();
    }

    internal static async Task<IKeyStore> OpenStoreAsync(NodeConfig config, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(config.DataDirectory);
        var sealer = new AesGcmRecordSealer(StorageKeyFile.LoadOrCreate(Path.Combine(config.DataDirectory, "storage.key")));
        return config.PostgresConnectionString is { } connection
            ? await PostgresKeyStore.OpenAsync(connection, sealer, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await SqliteKeyStore.OpenAsync(Path.Combine(config.DataDirectory, "node.db"), sealer, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    internal static string PrimesPath(NodeConfig config) => Path.Combine(config.DataDirectory, "primes.txt");

    /// <summary>
    /// Every second: publishes the state version and a heartbeat (so a restored old database is noticed)
    /// and applies operator unlocks (into the audit log); once a minute, drops expired login state.
    /// </summary>
    private async Task PublishAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var ticks = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token).ConfigureAwait(false))
            {
                await PublishOnceAsync(stopping.Token).ConfigureAwait(false);
                await ApplyUnlocksOnceAsync(sweep: ++ticks % 60 == 0, stopping.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task PublishOnceAsync(CancellationToken cancellationToken)
    {
        if (consensus is null)
        {
            return;
        }

        await consensus.PublishStateVersionAsync(NodeId, await store.GetStateVersionAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await consensus.HeartbeatAsync(NodeId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What the loop does for logins each second (called directly by tests instead of waiting for a tick).</summary>
    internal async Task<int> ApplyUnlocksOnceAsync(bool sweep, CancellationToken cancellationToken)
    {
        if (consensus is null)
        {
            return 0;
        }

        var applied = await Node.ApplyLoginUnlocksAsync(cancellationToken).ConfigureAwait(false);
        if (sweep)
        {
            await consensus.SweepLoginStateAsync(cancellationToken).ConfigureAwait(false);
        }

        return applied;
    }
}

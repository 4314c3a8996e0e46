using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Threshold.Node;
using Threshold.Node.Freshness;
using Threshold.Node.Identity;
using Threshold.Node.Sessions;
using Threshold.Node.Storage;
using Threshold.Opaque;
using Threshold.Opaque.Ksf;
using Threshold.Opaque.Server;
using Threshold.Paillier;
using Threshold.Primes;
using Threshold.Server.Rpc;
using Threshold.Storage;
using Threshold.Storage.Consensus;
using Threshold.Storage.Consensus.Etcd;
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
/// the gRPC host requiring the aggregator's client certificate. Refuses to start on a rolled-back database.
/// </summary>
/// <remarks>
/// With a consensus store, the node publishes its state version before every partial signature leaves
/// it (<see cref="StateFreshness"/>), in the background at start and every
/// <see cref="NodeConfig.HeartbeatSeconds"/> with a heartbeat (<see cref="StatePublisher"/>, retrying with
/// backoff while it fails), and once more at a clean shutdown. While publication fails the node refuses
/// to sign and reports itself unhealthy (<see cref="Health"/>: NOT_SERVING in the gRPC health service, 503 at <c>GET /healthz</c>).
/// </remarks>
public sealed class NodeRuntime : IAsyncDisposable
{
    internal const string NodeTable = "node";
    internal const string IdentityId = "identity";

    /// <summary>The health component that says whether the state version gets published.</summary>
    public const string PublicationComponent = "state-publication";

    private readonly IKeyStore store;
    private readonly IConsensusStore? consensus;
    private readonly ServiceHost host;
    private readonly StatePublisher? publisher;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task loginMaintenance;

    private NodeRuntime(string nodeId, NodeService node, IKeyStore store, IConsensusStore? consensus, IStateFreshness freshness, StatePublisher? publisher, HealthState health, ServiceHost host, ILogger logger)
    {
        NodeId = nodeId;
        Node = node;
        this.store = store;
        this.consensus = consensus;
        Freshness = freshness;
        this.publisher = publisher;
        Health = health;
        this.host = host;
        this.logger = logger;
        loginMaintenance = Task.Run(LoginMaintenanceAsync);
    }

    /// <summary>The node's name.</summary>
    public string NodeId { get; }

    /// <summary>The node service.</summary>
    public NodeService Node { get; }

    /// <summary>Where it listens.</summary>
    public Uri Address => host.Address;

    /// <summary>The node's sealed store (tests read its audit log).</summary>
    internal IKeyStore Store => store;

    /// <summary>Whether the node publishes its state version (and so whether it signs).</summary>
    public IStateFreshness Freshness { get; }

    /// <summary>The node's health, served by the gRPC health service and at <c>GET /healthz</c>.</summary>
    public HealthState Health { get; }

    /// <summary>The OPAQUE configuration every node and client of these clusters uses.</summary>
    public static OpaqueConfiguration Opaque(string suite) => new(
        suite == OpaqueSuite.P256Sha256.Name ? OpaqueSuite.P256Sha256 : OpaqueSuite.Ristretto255Sha512,
        new Argon2idKsf(Argon2idProfile.Interactive),
        OpaqueConfiguration.DefaultContext);

    /// <summary>Opens the node's state and starts serving, logging nowhere.</summary>
    /// <exception cref="RollbackDetectedException">The database is older than the cluster last saw.</exception>
    public static Task<NodeRuntime> StartAsync(NodeConfig config, CancellationToken cancellationToken) => StartAsync(config, NullLoggerFactory.Instance, cancellationToken);

    /// <summary>Opens the node's state and starts serving.</summary>
    /// <param name="config">The node's configuration.</param>
    /// <param name="loggers">Where the node, its RPC host and its publisher log.</param>
    /// <param name="cancellationToken">Abandons the start.</param>
    /// <exception cref="RollbackDetectedException">The database is older than the cluster last saw.</exception>
    public static async Task<NodeRuntime> StartAsync(NodeConfig config, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(config.HeartbeatSeconds, 0);
        var logger = loggers.CreateLogger("Threshold.Node");
        ServerLog.NodeStarting(logger, config.NodeId, config.PostgresConnectionString is null ? "sqlite" : "postgresql", config.Etcd is not null ? "etcd" : config.ConsensusFile is null ? "none" : "sqlite");
        var cluster = ClusterFile.Load(config.ClusterFile);
        var store = await OpenStoreAsync(config, cancellationToken).ConfigureAwait(false);
        IConsensusStore? consensus = null;
        StatePublisher? publisher = null;
        try
        {
            using var stored = await store.GetAsync(NodeTable, IdentityId, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"node {config.NodeId} is not initialised (run `threshold cluster init`)");
            var secrets = NodeSecrets.Decode(stored.Payload);
            if (secrets.Identity.NodeId != config.NodeId)
            {
                throw new InvalidOperationException($"the data directory belongs to node {secrets.Identity.NodeId}, not {config.NodeId}");
            }

            var health = new HealthState();
            IStateFreshness freshness = NoStateFreshness.Instance;
            consensus = await OpenConsensusAsync(config, cluster, secrets.Identity, cancellationToken).ConfigureAwait(false);
            if (consensus is not null)
            {
                var own = await store.GetStateVersionAsync(cancellationToken).ConfigureAwait(false);
                if (await consensus.StateVersionAsync(config.NodeId, cancellationToken).ConfigureAwait(false) is { } published && published > own)
                {
                    ServerLog.RollbackDetected(logger, config.NodeId, own, published);
                    throw new RollbackDetectedException(config.NodeId, own, published);
                }

                var stateFreshness = new StateFreshness(config.NodeId, store.GetStateVersionAsync, consensus, logger);
                stateFreshness.StatusChanged += status => Report(health, status);
                publisher = new StatePublisher(stateFreshness, TimeSpan.FromSeconds(config.HeartbeatSeconds), logger: logger);
                freshness = stateFreshness;
            }

            Report(health, freshness.Status);
            var opaque = Opaque(cluster.OpaqueSuite);
            var identity = secrets.Identity;
            var members = new ClusterMembers([.. cluster.Nodes.Select(n => new ClusterMember(n.NodeId, n.Party, Convert.FromBase64String(n.SigningKey), Convert.FromBase64String(n.AgreementKey)))], cluster.Threshold);
            var primes = File.Exists(PrimesPath(config)) ? PrimePool.Load(PrimesPath(config)) : new PrimePool();
            var node = new NodeService(
                new NodeOptions
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
                    Freshness = freshness,
                },
                logger);
            var certificate = X509CertificateLoader.LoadPkcs12(secrets.TlsPkcs12, null);
            using var aggregator = X509Certificate2.CreateFromPem(cluster.Aggregator.ClientCertificate);
            var pinned = aggregator.GetCertHash(HashAlgorithmName.SHA256);
            var host = await NodeRpc.StartAsync(
                node,
                new ServiceHostOptions
                {
                    EndPoint = IPEndPoint.Parse(config.Listen),
                    Certificate = certificate,
                    ClientCertificates = ClientCertificateRequirement.Required,
                    ClientCertificateValidator = (presented, _, _) => CryptographicOperations.FixedTimeEquals(presented.GetCertHash(HashAlgorithmName.SHA256), pinned),
                    Health = health,
                    Reflection = config.Reflection,
                    LoggerFactory = loggers,
                },
                cancellationToken).ConfigureAwait(false);
            publisher?.Start();
            ServerLog.NodeListening(logger, config.NodeId, host.Address.ToString());
            return new NodeRuntime(config.NodeId, node, store, consensus, freshness, publisher, health, host, logger);
        }
        catch
        {
            if (publisher is not null)
            {
                await publisher.DisposeAsync().ConfigureAwait(false);
            }

            await store.DisposeAsync().ConfigureAwait(false);
            if (consensus is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Stops serving, publishes the state version a last time (best effort, logged) and closes the stores.</summary>
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        await loginMaintenance.ConfigureAwait(false);
        await host.DisposeAsync().ConfigureAwait(false);
        if (publisher is not null)
        {
            await publisher.DisposeAsync().ConfigureAwait(false);
        }

        if (Freshness is StateFreshness freshness && !await freshness.RefreshAsync(CancellationToken.None).ConfigureAwait(false))
        {
            ServerLog.LastPublicationFailed(logger, NodeId, freshness.Status.Reason);
        }

        Node.Dispose();
        await store.DisposeAsync().ConfigureAwait(false);
        if (consensus is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }

        stopping.Dispose();
        ServerLog.NodeStopped(logger, NodeId);
    }

    /// <summary>
    /// The consensus store the configuration names: etcd (the node's own prefix, its values signed with its
    /// identity key, every member's signing key to check theirs), else the SQLite file, else none.
    /// </summary>
    private static async Task<IConsensusStore?> OpenConsensusAsync(NodeConfig config, ClusterFile cluster, NodeIdentity identity, CancellationToken cancellationToken)
    {
        if (config.Etcd is { } etcd)
        {
            var verifiers = cluster.Nodes.ToDictionary(
                n => n.NodeId,
                n =>
                {
                    var key = ECDsa.Create();
                    key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(n.SigningKey), out _);
                    return key;
                },
                StringComparer.Ordinal);
            var options = new EtcdConnectionOptions
            {
                Endpoints = etcd.Endpoints,
                ClientCertificate = X509Certificate2.CreateFromPemFile(etcd.ClientCertificate, etcd.ClientKey),
                TrustedCa = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(etcd.TrustedCa, cancellationToken).ConfigureAwait(false)),
                Prefix = etcd.Prefix,
                CallTimeout = TimeSpan.FromSeconds(etcd.CallTimeoutSeconds),
            };
            // The store's own copy of the signing key: it signs from its own threads and outlives the node service.
            var signer = ECDsa.Create();
            signer.ImportPkcs8PrivateKey(identity.Signing.ExportPkcs8PrivateKey(), out _);
            return EtcdConsensusStore.Connect(options, config.NodeId, signer, verifiers);
        }

        return config.ConsensusFile is { } file ? await SqliteConsensusStore.OpenAsync(file, cancellationToken: cancellationToken).ConfigureAwait(false) : null;
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
    /// Every second: applies operator unlocks (into the audit log); once a minute, drops expired login
    /// state. A failing round is logged and retried at the next tick; the loop runs until disposal.
    /// </summary>
    private async Task LoginMaintenanceAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var ticks = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token).ConfigureAwait(false))
            {
                try
                {
                    await ApplyUnlocksOnceAsync(sweep: ++ticks % 60 == 0, stopping.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
                {
                    ServerLog.LoginMaintenanceFailed(logger, NodeId, e.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
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

    /// <summary>Publication's state as the node's health: failing or fenced means the node does not sign.</summary>
    private static void Report(HealthState health, FreshnessStatus status) => health.Set(
        PublicationComponent,
        status.IsHealthy ? HealthStatus.Healthy : HealthStatus.Unhealthy,
        status.State switch
        {
            FreshnessState.Current => status.PublishedVersion < 0 ? "not published yet" : $"state version {status.PublishedVersion} published",
            FreshnessState.Failing => $"cannot publish the state version since {status.Since:O} ({status.FailedAttempts} attempts: {status.Reason}); not signing",
            _ => $"fenced: {status.Reason}; not signing until restarted",
        });
}

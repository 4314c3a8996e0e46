using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Threshold.Aggregator;
using Threshold.Client;
using Threshold.Contracts;
using Threshold.Contracts.V1;
using Threshold.Node;
using Threshold.Node.Freshness;
using Threshold.Node.Identity;
using Threshold.Node.Sessions;
using Threshold.Node.Storage;
using Threshold.Opaque;
using Threshold.Opaque.Server;
using Threshold.Paillier;
using Threshold.Primes;
using Threshold.Server.Rpc;
using Threshold.Storage.Consensus;

namespace Threshold.Server;

/// <summary>How to build an embedded cluster.</summary>
public sealed record EmbeddedClusterOptions
{
    /// <summary>n.</summary>
    public int Nodes { get; init; } = 3;

    /// <summary>t.</summary>
    public int Threshold { get; init; } = 2;

    /// <summary>OPAQUE configuration shared by nodes and clients.</summary>
    public required OpaqueConfiguration Opaque { get; init; }

    /// <summary>Safe primes for aux-info (filled ahead of time by the caller, with progress).</summary>
    public required PrimePool Primes { get; init; }

    /// <summary>Paillier level.</summary>
    public SecurityLevel Level { get; init; } = SecurityLevel.Bits2048;

    /// <summary>
    /// The login budget: a token bucket per user (burst, then one attempt back per interval), kept
    /// cluster-wide in <see cref="Consensus"/> when there is one, else by each node alone.
    /// </summary>
    public LoginBudgetPolicy LoginBudget { get; init; } = LoginBudgetPolicy.Default;

    /// <summary>How many logins each node lets wait for their KE3 at once (see <see cref="NodeOptions.MaxPendingLogins"/>).</summary>
    public int MaxPendingLogins { get; init; } = 10_000;

    /// <summary>Presignatures kept ready per key at least (0 turns the pool off).</summary>
    public int PoolTarget { get; init; } = 4;

    /// <summary>Presignatures kept ready per key at most, however fast it signs (null: the aggregator's default).</summary>
    public int? PoolMaxTarget { get; init; }

    /// <summary>Background presigning runs in flight at once per key.</summary>
    public int PoolConcurrentRuns { get; init; } = 2;

    /// <summary>
    /// The consensus store that keeps the login budget for the whole cluster (in-memory for one process,
    /// running on its own clock); null for per-node budgets only.
    /// </summary>
    public IConsensusStore? Consensus { get; init; }

    /// <summary>Where each node's vault lives: null for memory, else a factory by node id.</summary>
    public Func<string, INodeVault>? Vaults { get; init; }

    /// <summary>
    /// Whether nodes, aggregator and client talk over real sockets: each node and the aggregator serve
    /// gRPC on loopback with TLS (certificates made on the fly and pinned), and nodes require
    /// the aggregator's client certificate. Otherwise everything is called in process.
    /// </summary>
    public bool OverLoopbackTls { get; init; }

    /// <summary>
    /// Wraps each node's client as the aggregator sees it (a decorating <see cref="INodeClient"/>: logging,
    /// delays, or in tests a node that stops answering). Null: the plain clients.
    /// </summary>
    public Func<INodeClient, INodeClient>? WrapNodeClient { get; init; }

    /// <summary>The aggregator's deadline for each call to a node.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Limits on registration and login calls per client address and per user, when serving over loopback TLS.</summary>
    public WalletRateLimits RateLimits { get; init; } = WalletRateLimits.Default;

    /// <summary>Browser origins allowed to call the wallet API cross-origin (gRPC-Web, HTTP/JSON), when serving over loopback TLS.</summary>
    public IReadOnlyCollection<string> CorsOrigins { get; init; } = [];

    /// <summary>The nodes' clock (session expiry and idle timeout, request expiry).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Adjusts each node's options before the node is made (for example its <see cref="NodeOptions.Protocols"/>);
    /// null: the options as the cluster builds them.
    /// </summary>
    public Func<NodeOptions, NodeOptions>? ConfigureNode { get; init; }

    /// <summary>Receives the nodes', the aggregator's and (over loopback TLS) their hosts' logs (null: none).</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Wraps each node's link to <see cref="Consensus"/> (system tests of a node cut off from the consensus store).</summary>
    internal Func<string, Threshold.Storage.Consensus.IConsensusStore, Threshold.Storage.Consensus.IConsensusStore>? ConsensusLinks { get; init; }
}

/// <summary>
/// n nodes and an aggregator in one process, each node with its own identity keys, OPAQUE setup and
/// vault. The wallet API is reachable in process through <see cref="WalletApi"/>.
/// </summary>
/// <remarks>
/// A node whose vault is a <see cref="StoredNodeVault"/> in a cluster with a consensus store publishes
/// its store's state version before every partial signature (<see cref="StateFreshness"/>); with an
/// in-memory vault or no consensus store there is nothing a copy could roll back, or no one to witness
/// it, and publication is a no-op (<see cref="NoStateFreshness"/>).
/// </remarks>
public sealed class EmbeddedCluster : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> hosts;

    private EmbeddedCluster(IReadOnlyList<NodeService> nodes, AggregatorService aggregator, OpaqueConfiguration opaque, IWalletApi walletApi, List<IAsyncDisposable> hosts, Uri? address, X509Certificate2? certificate = null)
    {
        AggregatorCertificatePem = certificate?.ExportCertificatePem();
        Nodes = nodes;
        Aggregator = aggregator;
        Opaque = opaque;
        WalletApi = walletApi;
        this.hosts = hosts;
        AggregatorAddress = address;
    }

    /// <summary>The aggregator's TLS certificate (public part, PEM) when serving over loopback TLS, for clients to pin.</summary>
    public string? AggregatorCertificatePem { get; }

    /// <summary>The aggregator's address when serving over loopback TLS.</summary>
    public Uri? AggregatorAddress { get; }

    /// <summary>The nodes.</summary>
    public IReadOnlyList<NodeService> Nodes { get; }

    /// <summary>The aggregator.</summary>
    public AggregatorService Aggregator { get; }

    /// <summary>The OPAQUE configuration clients must use.</summary>
    public OpaqueConfiguration Opaque { get; }

    /// <summary>The wallet API in process.</summary>
    public IWalletApi WalletApi { get; }

    /// <summary>Each node's OPAQUE server setup (its AKE private key among them), in node order: tests look for it where it must not be.</summary>
    internal IReadOnlyList<ServerSetup> OpaqueSetups { get; private init; } = [];

    /// <summary>Creates the nodes and the aggregator and introduces them to each other.</summary>
    public static async Task<EmbeddedCluster> StartAsync(EmbeddedClusterOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var identities = Enumerable.Range(1, options.Nodes).Select(i => NodeIdentity.Create($"node-{i}", i)).ToList();
        var members = new ClusterMembers([.. identities.Select(i => new ClusterMember(i.NodeId, i.Party, i.SigningPublicKey, i.AgreementPublicKey))], options.Threshold);
        var setups = identities.Select(_ => ServerSetup.Generate(options.Opaque.Suite, RandomNumberGenerator.Create())).ToList();
        var nodes = identities.Select((identity, i) =>
        {
            var vault = options.Vaults?.Invoke(identity.NodeId) ?? new InMemoryNodeVault();
            var consensus = options.Consensus is { } shared ? options.ConsensusLinks?.Invoke(identity.NodeId, shared) ?? shared : null;
            var nodeOptions = new NodeOptions
            {
                Identity = identity,
                Members = members,
                Opaque = options.Opaque,
                OpaqueSetup = setups[i],
                Users = new InMemoryRegistrationRecordStore(),
                Vault = vault,
                LoginBudget = consensus is not null
                    ? new ConsensusLoginBudget(consensus, identity.NodeId, options.LoginBudget, options.Time)
                    : new LocalLoginBudget(options.LoginBudget, options.Time),
                Primes = options.Primes,
                Level = options.Level,
                Time = options.Time,
                MaxPendingLogins = options.MaxPendingLogins,
                Freshness = consensus is not null && vault is StoredNodeVault stored
                    ? new StateFreshness(identity.NodeId, stored.Store.GetStateVersionAsync, consensus, time: options.Time)
                    : NoStateFreshness.Instance,
            };
            return new NodeService(options.ConfigureNode?.Invoke(nodeOptions) ?? nodeOptions, options.LoggerFactory?.CreateLogger("Threshold.Node." + identity.NodeId));
        }).ToList();
        var hosts = new List<IAsyncDisposable>();
        try
        {
            IReadOnlyList<INodeClient> clients = options.OverLoopbackTls
                ? await ServeNodesAsync(nodes, hosts, options.LoggerFactory, cancellationToken).ConfigureAwait(false)
                : [.. nodes.Select(n => (INodeClient)new InProcessNodeClient(n))];
            if (options.WrapNodeClient is { } wrap)
            {
                clients = [.. clients.Select(wrap)];
            }

            var aggregator = new AggregatorService(new AggregatorOptions
            {
                Nodes = clients,
                Members = [.. nodes.Select(n => n.GetNodeInfo()).Select(i => new NodeDescriptor
                {
                    NodeId = i.NodeId,
                    Party = i.Party,
                    IdentityKey = i.IdentityKey,
                    AgreementKey = i.AgreementKey,
                    OpaqueServerKey = i.OpaqueServerKey,
                })],
                Threshold = options.Threshold,
                PoolTarget = options.PoolTarget,
                PoolMaxTarget = options.PoolMaxTarget,
                PoolConcurrentRuns = options.PoolConcurrentRuns,
                OpaqueSuite = options.Opaque.Suite.Name,
                Level = options.Level,
                Time = options.Time, // the nodes check the session ids it issues against their clock
                CallTimeout = options.CallTimeout,
            }, options.LoggerFactory?.CreateLogger("Threshold.Aggregator"));
            await aggregator.InitializeAsync(cancellationToken).ConfigureAwait(false);
            if (!options.OverLoopbackTls)
            {
                return new EmbeddedCluster(nodes, aggregator, options.Opaque, new InProcessWalletApi(aggregator), hosts, null) { OpaqueSetups = setups };
            }

            var certificate = SelfSignedCertificate.Create("threshold-aggregator");
            var limiters = options.RateLimits.CreateLimiters();
            hosts.Add(new Disposer(limiters)); // disposed after the host that uses it (hosts go in reverse order)
            var host = await AggregatorRpc.StartAsync(aggregator, limiters, new ServiceHostOptions { Certificate = certificate, Reflection = true, CorsOrigins = options.CorsOrigins, LoggerFactory = options.LoggerFactory }, cancellationToken).ConfigureAwait(false);
            hosts.Add(host);
            var wallet = new RpcWalletApi(ThresholdChannel.Create(host.Address, certificate));
            return new EmbeddedCluster(nodes, aggregator, options.Opaque, wallet, hosts, host.Address, certificate) { OpaqueSetups = setups };
        }
        catch
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Starts a gRPC host per node (TLS, the aggregator's client certificate required) and returns clients for them.</summary>
    private static async Task<IReadOnlyList<INodeClient>> ServeNodesAsync(IReadOnlyList<NodeService> nodes, List<IAsyncDisposable> hosts, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        var aggregatorCertificate = SelfSignedCertificate.Create("threshold-aggregator-client");
        var pinned = aggregatorCertificate.GetCertHash(HashAlgorithmName.SHA256);
        var clients = new List<INodeClient>();
        foreach (var node in nodes)
        {
            var certificate = SelfSignedCertificate.Create(node.NodeId);
            var host = await NodeRpc.StartAsync(node, new ServiceHostOptions
            {
                Certificate = certificate,
                ClientCertificates = ClientCertificateRequirement.Required,
                ClientCertificateValidator = (presented, _, _) => CryptographicOperations.FixedTimeEquals(presented.GetCertHash(HashAlgorithmName.SHA256), pinned),
                LoggerFactory = loggerFactory,
            }, cancellationToken).ConfigureAwait(false);
            hosts.Add(host);
            clients.Add(new RpcNodeClient(node.NodeId, ThresholdChannel.Create(host.Address, certificate, aggregatorCertificate)));
        }

        return clients;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Aggregator.DisposeAsync().ConfigureAwait(false);
        foreach (var host in Enumerable.Reverse(hosts)) // the aggregator's host (and its limiter) before the nodes'
        {
            await host.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var node in Nodes)
        {
            node.Dispose();
        }
    }
}

/// <summary>
/// The wallet API in process (no sockets): the embedded demo and tests. Refusals surface as the same
/// <see cref="ThresholdClientException"/> kinds <see cref="RpcWalletApi"/> gives over the network.
/// </summary>
public sealed class InProcessWalletApi(AggregatorService aggregator) : IWalletApi
{
    /// <inheritdoc />
    public Task<ClusterInfo> GetClusterInfoAsync(CancellationToken cancellationToken) => Task.FromResult(aggregator.GetClusterInfo());

    /// <inheritdoc />
    public Task<RegisterStartResponse> RegisterStartAsync(RegisterStartRequest request, CancellationToken cancellationToken) => Guard(() => aggregator.RegisterStartAsync(request, cancellationToken));

    /// <inheritdoc />
    public Task<RegisterFinishResponse> RegisterFinishAsync(RegisterFinishRequest request, CancellationToken cancellationToken) => Guard(() => aggregator.RegisterFinishAsync(request, cancellationToken));

    /// <inheritdoc />
    public Task<LoginStartResponse> LoginStartAsync(LoginStartRequest request, CancellationToken cancellationToken) => Guard(() => aggregator.LoginStartAsync(request, cancellationToken));

    /// <inheritdoc />
    public Task<LoginFinishResponse> LoginFinishAsync(LoginFinishRequest request, CancellationToken cancellationToken) => Guard(() => aggregator.LoginFinishAsync(request, cancellationToken));

    /// <inheritdoc />
    public Task<GenerateKeyResponse> GenerateKeyAsync(GenerateKeyRequest request, CancellationToken cancellationToken) => Guard(() => aggregator.GenerateKeyAsync(request, cancellationToken));

    /// <inheritdoc />
    public Task<GetPublicKeyResponse> GetPublicKeyAsync(GetPublicKeyRequest request, CancellationToken cancellationToken) => Guard(() => aggregator.GetPublicKeyAsync(request, cancellationToken));

    /// <inheritdoc />
    public Task<SignResponse> SignAsync(SignRequest request, CancellationToken cancellationToken) => Guard(() => aggregator.SignAsync(request, cancellationToken));

    /// <inheritdoc />
    public Task<LogoutResponse> LogoutAsync(LogoutRequest request, CancellationToken cancellationToken) => Guard(() => aggregator.LogoutAsync(request, cancellationToken));

    private static async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (ThresholdException e)
        {
            throw ThresholdClientException.From(e);
        }
    }
}

/// <summary>Disposes a synchronous resource among the cluster's asynchronous ones.</summary>
internal sealed class Disposer(IDisposable resource) : IAsyncDisposable
{
    public ValueTask DisposeAsync()
    {
        resource.Dispose();
        return ValueTask.CompletedTask;
    }
}

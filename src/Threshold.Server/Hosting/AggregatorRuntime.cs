using System.Net;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Threshold.Aggregator;
using Threshold.Contracts.V1;
using Threshold.Client;
using Threshold.Server.Rpc;

namespace Threshold.Server.Hosting;

/// <summary>
/// The aggregator as a running process: reaches every node of cluster.json over mutual TLS (pinning each
/// node's certificate, presenting its client certificate) and serves the wallet API, the discovery
/// document, the gRPC health service, server reflection and <c>GET /healthz</c> over TLS (gRPC, gRPC-Web and HTTP/JSON). It describes the cluster from cluster.json, so it starts
/// while nodes are down; it probes them in the background and uses those it reaches.
/// </summary>
public sealed class AggregatorRuntime : IAsyncDisposable
{
    /// <summary>The health component that says whether t nodes are reachable.</summary>
    public const string QuorumComponent = "quorum";

    private readonly ServiceHost host;
    private readonly List<RpcNodeClient> nodes;
    private readonly WalletRateLimiters limiters;
    private readonly ILogger logger;

    private AggregatorRuntime(AggregatorService aggregator, ServiceHost host, List<RpcNodeClient> nodes, WalletRateLimiters limiters, HealthState health, ILogger logger)
    {
        Aggregator = aggregator;
        this.host = host;
        this.nodes = nodes;
        this.limiters = limiters;
        Health = health;
        this.logger = logger;
    }

    /// <summary>The aggregator service.</summary>
    public AggregatorService Aggregator { get; }

    /// <summary>Where it listens.</summary>
    public Uri Address => host.Address;

    /// <summary>The aggregator's health (every node reachable, t of them, or fewer), served by the gRPC health service and at <c>GET /healthz</c>.</summary>
    public HealthState Health { get; }

    /// <summary>Starts serving, logging nowhere.</summary>
    public static Task<AggregatorRuntime> StartAsync(AggregatorConfig config, CancellationToken cancellationToken) => StartAsync(config, NullLoggerFactory.Instance, cancellationToken);

    /// <summary>
    /// Describes the cluster from cluster.json, probes every node once (bounded by the probe timeout; a
    /// node that is down is reported, not fatal) and starts serving.
    /// </summary>
    /// <param name="config">The aggregator's configuration.</param>
    /// <param name="loggers">Where the aggregator and its RPC host log.</param>
    /// <param name="cancellationToken">Abandons the start.</param>
    public static async Task<AggregatorRuntime> StartAsync(AggregatorConfig config, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(loggers);
        var logger = loggers.CreateLogger("Threshold.Aggregator");
        var cluster = ClusterFile.Load(config.ClusterFile);
        ServerLog.AggregatorStarting(logger, cluster.Nodes.Count, cluster.Threshold);
        var client = X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(config.DataDirectory, ClusterInit.ClientCertificateFile), null);
        var tls = X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(config.DataDirectory, ClusterInit.TlsCertificateFile), null);
        var nodes = cluster.Nodes.Select(n => new RpcNodeClient(n.NodeId, ThresholdChannel.Create(new Uri(n.Address), X509Certificate2.CreateFromPem(n.TlsCertificate), client))).ToList();
        AggregatorService? aggregator = null;
        var limits = config.RateLimits ?? WalletRateLimits.Default;
        var limiters = limits.CreateLimiters();
        try
        {
            var members = new List<NodeDescriptor>();
            foreach (var (entry, node) in cluster.Nodes.Zip(nodes))
            {
                members.Add(await DescribeAsync(entry, node, cancellationToken).ConfigureAwait(false));
            }

            aggregator = new AggregatorService(
                new AggregatorOptions { Nodes = nodes, Members = members, Threshold = cluster.Threshold, PoolTarget = config.PoolTarget, PoolMaxTarget = config.PoolMaxTarget, PoolConcurrentRuns = config.PoolConcurrentRuns, CallTimeout = TimeSpan.FromSeconds(config.CallTimeoutSeconds), OpaqueSuite = cluster.OpaqueSuite, Level = Paillier.SecurityLevel.FromName(cluster.Level) },
                loggers.CreateLogger("Threshold.Aggregator"));
            await aggregator.InitializeAsync(cancellationToken).ConfigureAwait(false);
            var service = aggregator;
            var health = new HealthState();
            service.Reachability.Changed += _ => Report(health, service.Reachability.Statuses, cluster.Threshold);
            Report(health, service.Reachability.Statuses, cluster.Threshold);
            var host = await AggregatorRpc.StartAsync(
                service,
                limiters,
                new ServiceHostOptions { EndPoint = IPEndPoint.Parse(config.Listen), Certificate = tls, Health = health, Reflection = config.Reflection, CorsOrigins = config.CorsOrigins ?? [], LoggerFactory = loggers },
                cancellationToken).ConfigureAwait(false);
            ServerLog.AggregatorListening(logger, host.Address.ToString(), aggregator.Reachability.Statuses.Count(s => s.Reachable), nodes.Count);
            return new AggregatorRuntime(aggregator, host, nodes, limiters, health, logger);
        }
        catch
        {
            limiters.Dispose();
            if (aggregator is not null)
            {
                await aggregator.DisposeAsync().ConfigureAwait(false);
            }

            nodes.ForEach(n => n.Dispose());
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await host.DisposeAsync().ConfigureAwait(false);
        await Aggregator.DisposeAsync().ConfigureAwait(false);
        nodes.ForEach(n => n.Dispose());
        limiters.Dispose();
        ServerLog.AggregatorStopped(logger);
    }

    /// <summary>
    /// The node as cluster.json describes it. A file from before OPAQUE keys were written there lacks the
    /// node's OPAQUE key, which only the node can then tell: such a node must be up at start-up.
    /// </summary>
    private static async Task<NodeDescriptor> DescribeAsync(ClusterNodeEntry entry, RpcNodeClient node, CancellationToken cancellationToken)
    {
        var descriptor = new NodeDescriptor
        {
            NodeId = entry.NodeId,
            Party = (uint)entry.Party,
            IdentityKey = ByteString.FromBase64(entry.SigningKey),
            AgreementKey = ByteString.FromBase64(entry.AgreementKey),
        };
        if (entry.OpaqueServerKey is { } opaqueKey)
        {
            descriptor.OpaqueServerKey = ByteString.FromBase64(opaqueKey);
            return descriptor;
        }

        try
        {
            var info = await node.GetNodeInfoAsync(cancellationToken).ConfigureAwait(false);
            if (info.IdentityKey != descriptor.IdentityKey || info.Party != descriptor.Party)
            {
                throw new InvalidDataException($"{entry.NodeId} answers with other keys than cluster.json gives");
            }

            descriptor.OpaqueServerKey = info.OpaqueServerKey;
            return descriptor;
        }
        catch (NodeCallException e)
        {
            throw new InvalidOperationException($"cluster.json gives no OPAQUE key for {entry.NodeId} (written by an older `threshold cluster init`), so it must be up when the aggregator starts: {e.Message}", e);
        }
    }

    /// <summary>Each node's reachability as the aggregator's health: any node down degrades it, fewer than t makes it unhealthy.</summary>
    private static void Report(HealthState health, IReadOnlyList<NodeReachabilityStatus> statuses, int threshold)
    {
        foreach (var s in statuses)
        {
            health.Set($"node:{s.NodeId}", s.Reachable ? HealthStatus.Healthy : HealthStatus.Degraded, s.Reachable ? "reachable" : $"unreachable since {s.Since:O}: {s.Reason}");
        }

        var reachable = statuses.Count(s => s.Reachable);
        health.Set(QuorumComponent, reachable >= threshold ? HealthStatus.Healthy : HealthStatus.Unhealthy, $"{reachable} of {statuses.Count} nodes reachable, {threshold} needed to sign");
    }
}

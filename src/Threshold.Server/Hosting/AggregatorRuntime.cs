using System.Net;
using System.Threading.RateLimiting;
using System.Security.Cryptography.X509Certificates;
using Threshold.Aggregator;
using Threshold.Rpc.Client;
using Threshold.Rpc.Hosting;
using Threshold.Server.Rpc;

namespace Threshold.Server.Hosting;

/// <summary>
/// The aggregator as a running process: reaches every node of cluster.json over mutual TLS (pinning each
/// node's certificate, presenting its client certificate) and serves the wallet API and the discovery
/// document over TLS.
/// </summary>
public sealed class AggregatorRuntime : IAsyncDisposable
{
    private readonly RpcHost host;
    private readonly List<RpcNodeClient> nodes;
    private readonly PartitionedRateLimiter<string> perUser;

    private AggregatorRuntime(AggregatorService aggregator, RpcHost host, List<RpcNodeClient> nodes, PartitionedRateLimiter<string> perUser)
    {
        Aggregator = aggregator;
        this.host = host;
        this.nodes = nodes;
        this.perUser = perUser;
    }

    /// <summary>The aggregator service.</summary>
    public AggregatorService Aggregator { get; }

    /// <summary>Where it listens.</summary>
    public Uri Address => host.Address;

    /// <summary>Connects to the nodes (they must be up) and starts serving.</summary>
    public static async Task<AggregatorRuntime> StartAsync(AggregatorConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        var cluster = ClusterFile.Load(config.ClusterFile);
        var client = X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(config.DataDirectory, ClusterInit.ClientCertificateFile), null);
        var tls = X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(config.DataDirectory, ClusterInit.TlsCertificateFile), null);
        var nodes = cluster.Nodes.Select(n => new RpcNodeClient(n.NodeId, new RpcClient(new Uri(n.Address), new RpcClientOptions
        {
            PinnedServerCertificate = X509Certificate2.CreateFromPem(n.TlsCertificate),
            ClientCertificate = client,
        }))).ToList();
        var aggregator = new AggregatorService(new AggregatorOptions { Nodes = nodes, Threshold = cluster.Threshold, PoolTarget = config.PoolTarget, PoolMaxTarget = config.PoolMaxTarget, PoolConcurrentRuns = config.PoolConcurrentRuns, OpaqueSuite = cluster.OpaqueSuite });
        var limits = config.RateLimits ?? WalletRateLimits.Default;
        var perUser = limits.PerUserLimiter();
        try
        {
            await aggregator.InitializeAsync(cancellationToken).ConfigureAwait(false);
            var hostOptions = limits.ApplyTo(new RpcHostOptions { EndPoint = IPEndPoint.Parse(config.Listen), Certificate = tls });
            var host = await RpcHost.StartAsync(AggregatorRpc.Registry(aggregator, perUser), hostOptions, app => AggregatorRpc.MapDiscovery(app, aggregator), cancellationToken).ConfigureAwait(false);
            return new AggregatorRuntime(aggregator, host, nodes, perUser);
        }
        catch
        {
            perUser.Dispose();
            await aggregator.DisposeAsync().ConfigureAwait(false);
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
        perUser.Dispose();
    }
}

using System.Security.Cryptography.X509Certificates;
using Threshold.Client;
using Threshold.Server.Hosting;

namespace Threshold.System.Tests;

/// <summary>What tests take from a directory written by <c>threshold cluster init</c>.</summary>
internal static class ClusterDirectory
{
    /// <summary>A wallet of the cluster in <paramref name="directory"/> talking to the aggregator at
    /// <paramref name="aggregator"/> over TLS, pinning the aggregator's certificate as a real wallet does.</summary>
    public static ThresholdClient Wallet(string directory, Uri aggregator)
    {
        var cluster = ClusterFile.Load(Path.Combine(directory, "cluster.json"));
        var pinned = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(directory, "aggregator.pem")));
        var api = new RpcWalletApi(ThresholdChannel.Create(aggregator, pinned));
        return new ThresholdClient(api, NodeRuntime.Opaque(cluster.OpaqueSuite));
    }

    /// <summary>
    /// Gives the aggregator of <paramref name="directory"/> a five-minute deadline per node call (30 s by
    /// default). On a loaded CI machine one aux-info round can take longer than 30 s; these tests are
    /// about restarts and outages, not hung nodes, so a node that never answers is not part of them and a
    /// longer deadline costs nothing while everything works.
    /// </summary>
    public static void AllowSlowMachines(string directory)
    {
        var path = Path.Combine(directory, "aggregator.json");
        ClusterFiles.Save(path, AggregatorConfig.Load(path) with { CallTimeoutSeconds = 300 });
    }
}

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
}

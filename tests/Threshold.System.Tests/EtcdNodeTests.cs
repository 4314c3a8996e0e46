using Curve = Threshold.Curves.Curve;
using Threshold.Paillier;
using Threshold.Server.Hosting;
using Threshold.Storage.Consensus.Etcd;
using Threshold.Storage.Tests.Support;
using Threshold.Testing;

namespace Threshold.System.Tests;

/// <summary>
/// Node runtimes whose configuration names an etcd (three members started by the test, mutual TLS, one
/// etcd user per node bound to its certificate's CN): they keep the login budget and publish their state
/// versions there, sign, and a node restarted on a rolled-back database is refused by what etcd holds.
/// Skipped when etcd is not on PATH.
/// </summary>
[Trait("Category", "Slow")]
public sealed class EtcdNodeTests(EtcdCluster etcd) : IClassFixture<EtcdCluster>
{
    [Fact]
    public async Task NodesOnEtcdSignAndARolledBackNodeIsRefused()
    {
        etcd.SkipUnlessRunning();
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("threshold-etcd-cluster-");
        try
        {
            await ClusterInit.CreateAsync(directory.FullName, 3, 2, RestartTests.FreeBasePort(3), SecurityLevel.Bits2048, primes: TestPrimes.Pool(), cancellationToken: ct);
            ClusterDirectory.AllowSlowMachines(directory.FullName);
            var prefix = $"/threshold/system-{Guid.NewGuid():N}/";
            string[] nodes = ["node-1", "node-2", "node-3"];
            using (var root = new EtcdAccess(etcd.Options("root", prefix)))
            {
                await root.SetUpAsync(nodes, ct);
            }

            foreach (var node in nodes)
            {
                // The consensus store is etcd alone: no SQLite file to fall back on.
                var path = Path.Combine(directory.FullName, $"{node}.json");
                var (certificate, key, ca) = etcd.PemFiles(node);
                ClusterFiles.Save(path, NodeConfig.Load(path) with { ConsensusFile = null, Etcd = new EtcdConsensusConfig(etcd.Endpoints, certificate, key, ca, prefix) });
            }

            var snapshot = Path.Combine(directory.FullName, "node-1-before");
            RestartTests.CopyDatabase(Path.Combine(directory.FullName, "node-1"), snapshot);
            await using (var cluster = await RestartTests.Running.StartAsync(directory.FullName, ct))
            {
                await using var client = cluster.Client();
                await client.ConnectAsync(ct);
                var password = "kept on etcd"u8.ToArray();
                var user = await client.RegisterAsync(password, ct);
                await client.LoginAsync(user, password, cancellationToken: ct);
                var generated = await client.GenerateKeyAsync(Curve.Secp256k1, ct);
                await RestartTests.SignAndVerifyAsync(client, generated, "consensus on etcd", ct);
                await cluster.Aggregator.Aggregator.DrainAsync();
            }

            RestartTests.CopyDatabase(snapshot, Path.Combine(directory.FullName, "node-1"));
            var error = await Assert.ThrowsAsync<RollbackDetectedException>(() => NodeRuntime.StartAsync(NodeConfig.Load(Path.Combine(directory.FullName, "node-1.json")), ct));
            Assert.Equal("node-1", error.NodeId);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}

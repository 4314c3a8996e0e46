using System.Security.Cryptography;
using Threshold.Client;
using Threshold.Node.Freshness;
using Threshold.Node.Storage;
using Threshold.Server;
using Threshold.Storage;
using Threshold.Storage.Consensus;
using Threshold.Storage.Sealing;
using Curve = Threshold.Curves.Curve;

namespace Threshold.System.Tests;

/// <summary>
/// A node cut off from the consensus store cannot publish its state version, so it refuses to sign (its
/// presignature stays used up) and signs again once the store is back. Two nodes with t = 2, so every
/// signature needs node-1.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ConsensusOutageTests
{
    [Fact]
    public async Task ANodeCutOffFromTheConsensusStoreRefusesToSignAndRecovers()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("threshold-outage-");
        var stores = new Dictionary<string, IKeyStore>();
        var shared = new InMemoryConsensusStore();
        var link = (FaultyConsensusStore?)null;
        try
        {
            var options = InProcessCluster.Options(2, 2) with
            {
                PoolTarget = 1,
                Consensus = shared,
                Vaults = node =>
                {
                    var store = SqliteKeyStore.OpenAsync(Path.Combine(directory.FullName, node + ".db"), new AesGcmRecordSealer(StorageKey.Generate()), cancellationToken: ct).GetAwaiter().GetResult();
                    stores[node] = store;
                    return new StoredNodeVault(store);
                },
                ConsensusLinks = (node, consensus) => node == "node-1" ? link = new FaultyConsensusStore(consensus) : consensus,
            };
            await using var cluster = await EmbeddedCluster.StartAsync(options, ct);
            await using var client = new ThresholdClient(cluster.WalletApi, cluster.Opaque);
            await client.ConnectAsync(ct);
            var password = "cut off"u8.ToArray();
            var user = await client.RegisterAsync(password, ct);
            await client.LoginAsync(user, password, cancellationToken: ct);
            var key = await client.GenerateKeyAsync(Curve.P256, ct);
            await cluster.Aggregator.DrainAsync();
            cluster.Aggregator.BackgroundPresigning = false; // the counts below are the test's alone
            var node1 = cluster.Nodes.Single(n => n.NodeId == "node-1");
            var vault1 = new StoredNodeVault(stores["node-1"]);
            Assert.Equal(1, await vault1.CountPresignaturesAsync(key.KeyId, ct));

            // node-1 loses the consensus store: it takes the presignature, cannot publish, and refuses.
            link!.Down = true;
            var digest = SHA256.HashData("while cut off"u8);
            var refused = await Assert.ThrowsAsync<ThresholdClientException>(() => client.SignDigestAsync(key.KeyId, digest, ct));
            Assert.Equal(ClientErrorKind.OperationFailed, refused.Kind);
            Assert.Equal(["node-1"], refused.Failure!.RefusingNodes);
            Assert.Equal(0, await vault1.CountPresignaturesAsync(key.KeyId, ct)); // used up, never put back
            var freshness = Assert.IsType<StateFreshness>(node1.Freshness);
            Assert.Equal(FreshnessState.Failing, freshness.Status.State);
            var published = await shared.StateVersionAsync("node-1", ct) ?? -1;
            Assert.True(published < await stores["node-1"].GetStateVersionAsync(ct), "the take was not published, so no partial signature may have left");

            // The store comes back: node-1 publishes before its next partial signature and signs.
            link.Down = false;
            var signature = await client.SignDigestAsync(key.KeyId, digest, ct);
            Assert.True(InProcessFlowTests.IndependentVerify(key.PublicKey, digest, signature));
            Assert.Equal(FreshnessState.Current, freshness.Status.State);
            Assert.True(await shared.StateVersionAsync("node-1", ct) > published);
        }
        finally
        {
            foreach (var store in stores.Values)
            {
                await store.DisposeAsync();
            }

            directory.Delete(recursive: true);
        }
    }
}

using System.Security.Cryptography;
using Threshold.Client;
using Threshold.Paillier;
using Threshold.Server.Hosting;
using Threshold.Storage.Consensus;
using Threshold.Testing;
using Curve = Threshold.Curves.Curve;

namespace Threshold.System.Tests;

/// <summary>
/// The rollback window (issue #11, item 1): a node signs, is killed with SIGKILL at once, and its database
/// is put back from a copy taken just before. The copy still holds the presignature that signature used;
/// what keeps it from signing a second message is that the node published the take to the consensus
/// store before its partial signature left, so the copy is recognised as old and the node refuses to start.
/// </summary>
[Trait("Category", "Slow")]
public sealed class RollbackWindowTests
{
    private const int NodeListening = 2002;
    private const int RollbackDetected = 2003;
    private const string PresignatureTable = "presignatures"; // StoredNodeVault's table: ids "<key id>.<presignature id>"
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task ANodeKilledRightAfterSigningAndRestoredFromTheCopyBeforeRefusesToStart()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("threshold-rollback-");
        try
        {
            await ClusterInit.CreateAsync(directory.FullName, 3, 2, RestartTests.FreeBasePort(3), SecurityLevel.Bits2048, primes: TestPrimes.Pool(), cancellationToken: ct);
            ClusterDirectory.AllowSlowMachines(directory.FullName);
            var configPath = Path.Combine(directory.FullName, "node-1.json");

            // node-1 publishes in the background only once, at start (an hour's interval): whatever the
            // consensus store learns from it later comes from signing, so a timer alone would fail this test.
            var config = NodeConfig.Load(configPath) with { HeartbeatSeconds = 3600 };
            ClusterFiles.Save(configPath, config);
            var snapshot = Path.Combine(directory.FullName, "node-1-copy");
            var crashed = Path.Combine(directory.FullName, "node-1-crashed");
            string keyId;
            await using (var node1 = NodeProcess.Start(configPath))
            {
                await node1.WaitForEventAsync(NodeListening, Patience, ct);
                await using var node2 = await NodeRuntime.StartAsync(NodeConfig.Load(Path.Combine(directory.FullName, "node-2.json")), ct);
                await using var node3 = await NodeRuntime.StartAsync(NodeConfig.Load(Path.Combine(directory.FullName, "node-3.json")), ct);
                await using var aggregator = await AggregatorRuntime.StartAsync(AggregatorConfig.Load(Path.Combine(directory.FullName, "aggregator.json")), ct);
                await using var client = ClusterDirectory.Wallet(directory.FullName, aggregator.Address);
                await client.ConnectAsync(ct);
                var password = "one presignature, one message"u8.ToArray();
                var user = await client.RegisterAsync(password, ct);
                await client.LoginAsync(user, password, cancellationToken: ct);
                var key = await client.GenerateKeyAsync(Curve.Secp256k1, ct);
                keyId = key.KeyId;
                await aggregator.Aggregator.DrainAsync();
                aggregator.Aggregator.BackgroundPresigning = false; // node-1's pool stays as the copy has it

                // The copy that will be put back, taken while node-1 idles with a full pool.
                RestartTests.CopyDatabase(config.DataDirectory, snapshot);

                var digest = SHA256.HashData("signed once"u8);
                var report = await client.SignDigestWithReportAsync(keyId, digest, ct);
                node1.Kill(); // kill -9 right after the signature: no clean shutdown, no timer tick
                await node1.WaitForExitAsync(Patience, ct);
                Assert.Contains("node-1", report.Signers);
                Assert.True(InProcessFlowTests.IndependentVerify(key.PublicKey, digest, report.Signature));
            }

            // What the crash left: the presignature that signed is gone, and the cluster heard of its take.
            RestartTests.CopyDatabase(config.DataDirectory, crashed);
            var (crashedVersion, after) = await PresignaturesAsync(config, keyId, ct);
            long? published;
            await using (var consensus = await SqliteConsensusStore.OpenAsync(config.ConsensusFile!, cancellationToken: ct))
            {
                published = await consensus.StateVersionAsync("node-1", ct);
            }

            // Put the copy back: it holds that presignature again, at a version the cluster has seen surpassed.
            RestartTests.CopyDatabase(snapshot, config.DataDirectory);
            var (restoredVersion, before) = await PresignaturesAsync(config, keyId, ct);
            var used = Assert.Single(before.Except(after));
            Assert.Contains(used, before);
            Assert.True(restoredVersion < crashedVersion);
            Assert.True(published > restoredVersion, $"the consensus store holds {published}, the copy {restoredVersion}: the take was not published before the signature left");

            // So the restored node refuses to start (exit code 3) instead of serving the used presignature.
            await using (var restored = NodeProcess.Start(configPath))
            {
                Assert.Equal(3, await restored.WaitForExitAsync(Patience, ct));
                Assert.True(restored.Logged(RollbackDetected), restored.Output);
                Assert.False(restored.Logged(NodeListening), restored.Output);
            }

            // The crash alone does no harm: the database it left starts and serves.
            RestartTests.CopyDatabase(crashed, config.DataDirectory);
            await using (var recovered = NodeProcess.Start(configPath))
            {
                await recovered.WaitForEventAsync(NodeListening, Patience, ct);
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Node-1's state version and the ids of the key's presignatures it holds, read from its database while it is down.</summary>
    private static async Task<(long Version, HashSet<string> Presignatures)> PresignaturesAsync(NodeConfig config, string keyId, CancellationToken ct)
    {
        await using var store = await NodeRuntime.OpenStoreAsync(config, ct);
        var records = await store.ListByOwnerAsync(PresignatureTable, keyId, ct);
        var ids = records.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var record in records)
        {
            record.Dispose();
        }

        return (await store.GetStateVersionAsync(ct), ids);
    }
}

using System.Security.Cryptography;
using Threshold.Client;
using Threshold.Paillier;
using Threshold.Server.Hosting;
using Threshold.Testing;
using Curve = Threshold.Curves.Curve;

namespace Threshold.System.Tests;

/// <summary>
/// Issue #11, item 2, with real processes: each node is a separate <c>threshold node</c> process over TLS, and
/// one that has just signed is frozen with SIGSTOP (its kernel still accepts connections; nothing answers).
/// The aggregator's call deadline is set to ten minutes, so any operation that waited for the frozen node
/// would outlast the test's own timeout: the test fails by hanging, and measures no time.
/// </summary>
[Trait("Category", "Slow")]
public sealed class FrozenNodeTests
{
    private const int NodeListening = 2002;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact(Timeout = 300_000)]
    public async Task AWalletSignsAndLogsInWhileASignerIsFrozen()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("threshold-frozen-");
        try
        {
            var dir = directory.FullName;
            await ClusterInit.CreateAsync(dir, 3, 2, RestartTests.FreeBasePort(3), SecurityLevel.Bits2048, primes: TestPrimes.Pool(), cancellationToken: ct);
            var aggregatorPath = Path.Combine(dir, "aggregator.json");
            ClusterFiles.Save(aggregatorPath, AggregatorConfig.Load(aggregatorPath) with { CallTimeoutSeconds = 600 });

            var nodes = new Dictionary<string, NodeProcess>();
            try
            {
                for (var party = 1; party <= 3; party++)
                {
                    nodes[$"node-{party}"] = NodeProcess.Start(Path.Combine(dir, $"node-{party}.json"));
                }

                foreach (var node in nodes.Values)
                {
                    await node.WaitForEventAsync(NodeListening, Patience, ct);
                }

                await using var aggregator = await AggregatorRuntime.StartAsync(AggregatorConfig.Load(aggregatorPath), ct);
                await using var client = ClusterDirectory.Wallet(dir, aggregator.Address);
                await client.ConnectAsync(ct);
                var password = "a signer stops answering"u8.ToArray();
                var user = await client.RegisterAsync(password, ct); // registration and key generation need every node
                await client.LoginAsync(user, password, cancellationToken: ct);
                var key = await client.GenerateKeyAsync(Curve.Secp256k1, ct);
                await aggregator.Aggregator.DrainAsync();

                // Freeze a node the wallet has just signed with: the worst one to lose, since the
                // presignatures ready for this key were made with it.
                var first = await SignAsync(client, key, "before", ct);
                var frozenId = first.Signers[0];
                nodes[frozenId].Freeze();
                for (var i = 0; i < 5; i++)
                {
                    var report = await SignAsync(client, key, $"while {frozenId} is frozen {i}", ct);
                    Assert.DoesNotContain(frozenId, report.Signers);
                }

                // A fresh login reaches the others and goes on.
                await client.LogoutAsync(ct);
                await client.LoginAsync(user, password, cancellationToken: ct);
                Assert.DoesNotContain(frozenId, client.SessionNodes);
                for (var i = 0; i < 2; i++)
                {
                    var report = await SignAsync(client, key, $"after logging in again {i}", ct);
                    Assert.DoesNotContain(frozenId, report.Signers);
                }

                nodes[frozenId].Thaw();
            }
            finally
            {
                foreach (var node in nodes.Values)
                {
                    await node.DisposeAsync();
                }
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<SignReport> SignAsync(ThresholdClient client, KeyInfo key, string text, CancellationToken ct)
    {
        var digest = SHA256.HashData(global::System.Text.Encoding.UTF8.GetBytes(text));
        var report = await client.SignDigestWithReportAsync(key.KeyId, digest, ct);
        Assert.True(InProcessFlowTests.IndependentVerify(key.PublicKey, digest, report.Signature));
        return report;
    }
}

using Threshold.Client;
using Threshold.Paillier;
using Threshold.Server.Hosting;
using Threshold.Storage;
using Threshold.Testing;

namespace Threshold.System.Tests;

/// <summary>
/// `threshold node unlock` against separate node runtimes from `threshold cluster init` files: a user the
/// budget locked out is let in again while the nodes keep running, and every node's hash-chained audit
/// log records who unlocked whom and why (issue #11, item 4).
/// </summary>
[Trait("Category", "Slow")]
public sealed class OperatorUnlockTests
{
    [Fact]
    public async Task AnOperatorUnlocksALockedUserWhileTheNodesRunAndEachNodeAuditsIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("threshold-unlock-");
        var nodes = new List<NodeRuntime>();
        AggregatorRuntime? aggregator = null;
        try
        {
            await ClusterInit.CreateAsync(directory.FullName, 3, 2, RestartTests.FreeBasePort(3), SecurityLevel.Bits2048, primes: TestPrimes.Pool(), cancellationToken: ct);
            ClusterDirectory.AllowSlowMachines(directory.FullName);
            var configs = Directory.GetFiles(directory.FullName, "node-*.json").Order().ToList();
            foreach (var file in configs)
            {
                // A burst of two, so that two wrong passwords spend the budget.
                ClusterFiles.Save(file, NodeConfig.Load(file) with { LoginBurst = 2 });
                nodes.Add(await NodeRuntime.StartAsync(NodeConfig.Load(file), ct));
            }

            aggregator = await AggregatorRuntime.StartAsync(AggregatorConfig.Load(Path.Combine(directory.FullName, "aggregator.json")), ct);
            await using var client = ClusterDirectory.Wallet(directory.FullName, aggregator.Address);
            await client.ConnectAsync(ct);
            var password = "unlock me"u8.ToArray();
            var user = await client.RegisterAsync(password, ct);
            var before = DateTimeOffset.UtcNow;
            for (var i = 0; i < 2; i++)
            {
                var wrong = await Assert.ThrowsAsync<ThresholdClientException>(() => client.LoginAsync(user, "not it"u8.ToArray(), cancellationToken: ct));
                Assert.Equal(ClientErrorKind.LoginFailed, wrong.Kind);
            }

            var locked = await Assert.ThrowsAsync<ThresholdClientException>(() => client.LoginAsync(user, password, cancellationToken: ct));
            Assert.Equal(ClientErrorKind.LoginLocked, locked.Kind);
            Assert.InRange(locked.LockedUntil!.Value, before + TimeSpan.FromHours(7.9), DateTimeOffset.UtcNow + TimeSpan.FromHours(8));

            // What `threshold node unlock --config node-2.json --user <id> --reason …` runs, nodes running.
            var config = NodeConfig.Load(configs[1]);
            var sequence = await LoginUnlock.RunAsync(config, user, LoginUnlock.Operator(config), "ticket 4711: identity checked by phone", ct);
            await Assert.ThrowsAsync<ArgumentException>(() => LoginUnlock.RunAsync(config, new string('a', 300), "operator", "", ct));

            // Each node applies it (its loop does so every second; here we run that step ourselves) and audits it once.
            foreach (var node in nodes)
            {
                await node.ApplyUnlocksOnceAsync(sweep: true, ct);
                await node.ApplyUnlocksOnceAsync(sweep: false, ct);
                var entry = Assert.Single(await node.Store.ReadAuditAsync(user, before, ct), e => e.Kind == "login_unlock");
                Assert.Equal(AuditOutcome.Succeeded, entry.Outcome);
                Assert.Contains($"unlock #{sequence}", entry.Details, StringComparison.Ordinal);
                Assert.Contains(LoginUnlock.Operator(config), entry.Details, StringComparison.Ordinal);
                Assert.Contains("ticket 4711: identity checked by phone", entry.Details, StringComparison.Ordinal);
                Assert.True(await node.Store.VerifyChainAsync(ct) > 0);
            }

            await client.LoginAsync(user, password, cancellationToken: ct);
            Assert.Equal(3, client.SessionNodes.Count);
        }
        finally
        {
            if (aggregator is not null)
            {
                await aggregator.DisposeAsync();
            }

            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            directory.Delete(recursive: true);
        }
    }
}

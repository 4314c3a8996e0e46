using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Threshold.Aggregator;
using Threshold.Client;
using Threshold.Paillier;
using Threshold.Server.Hosting;
using Threshold.Testing;
using Curve = Threshold.Curves.Curve;

namespace Threshold.System.Tests;

/// <summary>
/// Issue #11, item 3: the aggregator starts while nodes are down (it describes the cluster from cluster.json),
/// reports them in GetClusterInfo and /healthz, signs with the nodes it reaches, and uses the others once
/// they come up. Separate runtimes from `threshold cluster init` files, over TLS.
/// </summary>
[Trait("Category", "Slow")]
public sealed class AggregatorOutageTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task TheAggregatorStartsWithNodesDownAndUsesThemOnceTheyComeUp()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("threshold-outage-");
        try
        {
            var dir = directory.FullName;
            await ClusterInit.CreateAsync(dir, 3, 2, RestartTests.FreeBasePort(3), SecurityLevel.Bits2048, primes: TestPrimes.Pool(), cancellationToken: ct);
            ClusterDirectory.AllowSlowMachines(dir);
            var password = "some nodes are down"u8.ToArray();
            string user;
            KeyInfo key;

            // Registration and key generation need every node: done while all are up.
            await using (var node1 = await StartNodeAsync(dir, 1, ct))
            await using (var node2 = await StartNodeAsync(dir, 2, ct))
            await using (var node3 = await StartNodeAsync(dir, 3, ct))
            await using (var aggregator = await AggregatorRuntime.StartAsync(AggregatorConfig.Load(Path.Combine(dir, "aggregator.json")), ct))
            {
                Assert.Equal(HealthStatus.Healthy, aggregator.Health.Overall);
                await using var client = ClusterDirectory.Wallet(dir, aggregator.Address);
                await client.ConnectAsync(ct);
                user = await client.RegisterAsync(password, ct);
                await client.LoginAsync(user, password, cancellationToken: ct);
                key = await client.GenerateKeyAsync(Curve.P256, ct);
                await aggregator.Aggregator.DrainAsync();
            }

            // Only node-1 is up: the aggregator starts all the same and says what it lacks.
            await using (var node1 = await StartNodeAsync(dir, 1, ct))
            await using (var aggregator = await AggregatorRuntime.StartAsync(AggregatorConfig.Load(Path.Combine(dir, "aggregator.json")), ct))
            {
                await using var client = ClusterDirectory.Wallet(dir, aggregator.Address);
                var info = await client.ConnectAsync(ct); // over the wire
                Assert.Equal(3u, info.NodesTotal);
                Assert.Equal(1u, info.NodesReachable);
                Assert.Equal([("node-1", true), ("node-2", false), ("node-3", false)], info.Nodes.Select(n => (n.NodeId, n.Reachable)));
                Assert.All(info.Nodes, n => Assert.False(n.OpaqueServerKey.IsEmpty)); // from cluster.json: wallets can log in later
                Assert.Equal(HealthStatus.Unhealthy, aggregator.Health.Overall);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, await HealthzAsync(dir, aggregator.Address, ct));
                Assert.Contains("unreachable", aggregator.Health.Entries.Single(e => e.Component == "node:node-2").Description, StringComparison.Ordinal);

                // node-3 comes up: the aggregator notices, and t = 2 nodes sign.
                await using (var node3 = await StartNodeAsync(dir, 3, ct))
                {
                    await WaitUntilReachableAsync(aggregator.Aggregator, "node-3", ct);
                    Assert.Equal(HealthStatus.Degraded, aggregator.Health.Overall);
                    Assert.Equal(HttpStatusCode.OK, await HealthzAsync(dir, aggregator.Address, ct));
                    await client.LoginAsync(user, password, cancellationToken: ct);
                    Assert.Equal(["node-1", "node-3"], client.SessionNodes.Order());
                    var digest = SHA256.HashData("two of three"u8);
                    var report = await client.SignDigestWithReportAsync(key.KeyId, digest, ct);
                    Assert.True(InProcessFlowTests.IndependentVerify(key.PublicKey, digest, report.Signature));
                    Assert.Equal(["node-1", "node-3"], report.Signers.Order());

                    // node-2 comes up too: the cluster is whole again.
                    await using var node2 = await StartNodeAsync(dir, 2, ct);
                    await WaitUntilReachableAsync(aggregator.Aggregator, "node-2", ct);
                    Assert.Equal(HealthStatus.Healthy, aggregator.Health.Overall);
                    Assert.Equal(3u, (await client.ConnectAsync(ct)).NodesReachable);
                    await aggregator.Aggregator.DrainAsync();
                }
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static Task<NodeRuntime> StartNodeAsync(string directory, int party, CancellationToken ct) =>
        NodeRuntime.StartAsync(NodeConfig.Load(Path.Combine(directory, $"node-{party}.json")), ct);

    /// <summary>Asks for a probe of <paramref name="nodeId"/> and waits (on the change event) until the aggregator reaches it.</summary>
    private static async Task WaitUntilReachableAsync(AggregatorService aggregator, string nodeId, CancellationToken ct)
    {
        TaskCompletionSource reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(NodeReachabilityStatus status)
        {
            if (status.NodeId == nodeId && status.Reachable)
            {
                reached.TrySetResult();
            }
        }

        aggregator.Reachability.Changed += OnChanged;
        try
        {
            if (aggregator.Reachability.IsReachable(nodeId))
            {
                return;
            }

            aggregator.Reachability.ProbeSoon(nodeId);
            await reached.Task.WaitAsync(Patience, ct);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"waited {Patience.TotalSeconds} s for the aggregator to reach {nodeId}: {aggregator.Reachability.Statuses.Single(s => s.NodeId == nodeId)}");
        }
        finally
        {
            aggregator.Reachability.Changed -= OnChanged;
        }
    }

    /// <summary>GET /healthz on the aggregator, pinning its certificate.</summary>
    private static async Task<HttpStatusCode> HealthzAsync(string directory, Uri aggregator, CancellationToken ct)
    {
        using var pinned = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(directory, "aggregator.pem")));
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == pinned.GetCertHashString();
        using var http = new HttpClient(handler);
        using var response = await http.GetAsync(new Uri(aggregator, "/healthz"), ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.StartsWith("{\"status\":", body, StringComparison.Ordinal);
        return response.StatusCode;
    }
}

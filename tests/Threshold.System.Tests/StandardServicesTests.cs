using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using Threshold.Client;
using Threshold.Paillier;
using Threshold.Server.Hosting;
using Threshold.Testing;

namespace Threshold.System.Tests;

/// <summary>
/// The standard gRPC services of running nodes and an aggregator (from `threshold cluster init` files,
/// over TLS; the node with the aggregator's client certificate), called through Grpc.Net.Client as any
/// tool would (grpcurl is not available here): health on both, fed by their <see cref="HealthState"/>;
/// server reflection on the aggregator, off on a node unless its configuration turns it on.
/// </summary>
[Trait("Category", "Slow")]
public sealed class StandardServicesTests
{
    [Fact]
    public async Task HealthAnswersOnNodesAndAggregatorAndReflectionWhereEnabled()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("threshold-standard-");
        try
        {
            var dir = directory.FullName;
            await ClusterInit.CreateAsync(dir, 3, 2, RestartTests.FreeBasePort(3), SecurityLevel.Bits2048, primes: TestPrimes.Pool(), cancellationToken: ct);
            var cluster = ClusterFile.Load(Path.Combine(dir, "cluster.json"));
            using var client = X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(dir, "aggregator", "client.p12"), null);
            using var aggregatorPin = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(dir, "aggregator.pem")));

            // Every port is bound right away (node-2's is never used): none is left free for another test's connection to take.
            await using var node1 = await NodeRuntime.StartAsync(NodeConfig.Load(Path.Combine(dir, "node-1.json")), ct);
            var node3 = await NodeRuntime.StartAsync(NodeConfig.Load(Path.Combine(dir, "node-3.json")) with { Reflection = true }, ct);
            var node3Running = true;
            try
            {
                await using var aggregator = await AggregatorRuntime.StartAsync(AggregatorConfig.Load(Path.Combine(dir, "aggregator.json")), ct);
                using var node1Channel = ThresholdChannel.Create(node1.Address, X509Certificate2.CreateFromPem(cluster.Nodes[0].TlsCertificate), client);
                using var node3Channel = ThresholdChannel.Create(node3.Address, X509Certificate2.CreateFromPem(cluster.Nodes[2].TlsCertificate), client);
                using var aggregatorChannel = ThresholdChannel.Create(aggregator.Address, aggregatorPin);

                // Health: the nodes are healthy; the aggregator reaches t = 2 of 3 nodes: degraded, SERVING.
                Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await HealthAsync(node1Channel, ct));
                Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await HealthAsync(node3Channel, ct));
                await WaitForAsync(aggregator.Health, HealthStatus.Degraded, () => { }, ct);
                Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await HealthAsync(aggregatorChannel, ct));

                // Reflection: the aggregator lists the wallet API; node-1 has it off (the default), node-3 on.
                Assert.Contains("threshold.v1.Wallet", await ServicesAsync(aggregatorChannel, ct));
                var off = await Assert.ThrowsAsync<RpcException>(() => ServicesAsync(node1Channel, ct));
                Assert.Equal(StatusCode.Unimplemented, off.StatusCode);
                Assert.Contains("threshold.v1.Node", await ServicesAsync(node3Channel, ct));

                // node-3 stops: one node of three reachable, fewer than t: NOT_SERVING (as /healthz says 503).
                node3Running = false;
                await node3.DisposeAsync();
                await WaitForAsync(aggregator.Health, HealthStatus.Unhealthy, () => aggregator.Aggregator.Reachability.ProbeSoon("node-3"), ct);
                Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, await HealthAsync(aggregatorChannel, ct));
            }
            finally
            {
                if (node3Running)
                {
                    await node3.DisposeAsync();
                }
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private static async Task<HealthCheckResponse.Types.ServingStatus> HealthAsync(GrpcChannel channel, CancellationToken ct) =>
        (await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), cancellationToken: ct)).Status;

    private static async Task<List<string>> ServicesAsync(GrpcChannel channel, CancellationToken ct)
    {
        using var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo(cancellationToken: ct);
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" }, ct);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(ct));
        return [.. call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name)];
    }

    /// <summary>Starts <paramref name="trigger"/> and waits (on the change event) until <paramref name="health"/> is <paramref name="expected"/>.</summary>
    private static async Task WaitForAsync(HealthState health, HealthStatus expected, Action trigger, CancellationToken ct)
    {
        TaskCompletionSource reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged()
        {
            if (health.Overall == expected)
            {
                reached.TrySetResult();
            }
        }

        health.Changed += OnChanged;
        try
        {
            trigger();
            OnChanged();
            await reached.Task.WaitAsync(TimeSpan.FromMinutes(1), ct);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"waited a minute for the aggregator's health to become {expected}: {health.ToJson()}");
        }
        finally
        {
            health.Changed -= OnChanged;
        }
    }
}

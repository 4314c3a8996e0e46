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

            await using (var node1 = await NodeRuntime.StartAsync(NodeConfig.Load(Path.Combine(dir, "node-1.json")), ct))
            await using (var aggregator = await AggregatorRuntime.StartAsync(AggregatorConfig.Load(Path.Combine(dir, "aggregator.json")), ct))
            {
                using var nodeChannel = ThresholdChannel.Create(node1.Address, X509Certificate2.CreateFromPem(cluster.Nodes[0].TlsCertificate), client);
                using var aggregatorChannel = ThresholdChannel.Create(aggregator.Address, aggregatorPin);

                // Health: the node is healthy; the aggregator reaches one node of three, fewer than t:
                // NOT_SERVING (as /healthz says 503).
                Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await HealthAsync(nodeChannel, ct));
                Assert.Equal(HealthStatus.Unhealthy, aggregator.Health.Overall);
                Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, await HealthAsync(aggregatorChannel, ct));

                // Reflection: the aggregator lists the wallet API; the node has it off.
                Assert.Contains("threshold.v1.Wallet", await ServicesAsync(aggregatorChannel, ct));
                var off = await Assert.ThrowsAsync<RpcException>(() => ServicesAsync(nodeChannel, ct));
                Assert.Equal(StatusCode.Unimplemented, off.StatusCode);

                // A second node up: t reachable, the aggregator degraded but SERVING.
                await using var node2 = await NodeRuntime.StartAsync(NodeConfig.Load(Path.Combine(dir, "node-2.json")), ct);
                await WaitForAsync(aggregator.Health, HealthStatus.Degraded, () => aggregator.Aggregator.Reachability.ProbeSoon("node-2"), ct);
                Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await HealthAsync(aggregatorChannel, ct));
            }

            // Reflection on a node when its configuration asks for it.
            await using (var node3 = await NodeRuntime.StartAsync(NodeConfig.Load(Path.Combine(dir, "node-3.json")) with { Reflection = true }, ct))
            {
                using var nodeChannel = ThresholdChannel.Create(node3.Address, X509Certificate2.CreateFromPem(cluster.Nodes[2].TlsCertificate), client);
                Assert.Contains("threshold.v1.Node", await ServicesAsync(nodeChannel, ct));
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

using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Threshold.Client;
using Threshold.Paillier;
using Threshold.Server.Hosting;
using Threshold.Testing;
using Curve = Threshold.Curves.Curve;

namespace Threshold.System.Tests;

/// <summary>
/// Separate node and aggregator runtimes from `threshold cluster init` files, over TLS: sign on both curves,
/// stop every process, start them again from their stores, and sign again with the same keys. A node whose database
/// was rolled back refuses to start.
/// </summary>
[Trait("Category", "Slow")]
public sealed class RestartTests
{
    [Fact]
    public async Task KeysSurviveARestartAndARolledBackDatabaseIsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("threshold-cluster-");
        try
        {
            await ClusterInit.CreateAsync(directory.FullName, 3, 2, FreeBasePort(3), SecurityLevel.Bits2048, primes: TestPrimes.Pool(), cancellationToken: ct);
            ClusterDirectory.AllowSlowMachines(directory.FullName);
            var snapshot = Path.Combine(directory.FullName, "node-1-before");
            CopyDatabase(Path.Combine(directory.FullName, "node-1"), snapshot);

            await SignAcrossRestartAsync(directory.FullName, ct);

            CopyDatabase(snapshot, Path.Combine(directory.FullName, "node-1"));
            var config = NodeConfig.Load(Path.Combine(directory.FullName, "node-1.json"));
            var error = await Assert.ThrowsAsync<RollbackDetectedException>(() => NodeRuntime.StartAsync(config, ct));
            Assert.Equal("node-1", error.NodeId);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Registers, logs in, makes a key on each curve and signs with both; stops every process, starts
    /// them again from their stores, and signs again with the same keys (checked by .NET's ECDsa).
    /// </summary>
    internal static async Task SignAcrossRestartAsync(string directory, CancellationToken ct)
    {
        var password = "survives restarts"u8.ToArray();
        string user;
        var keys = new List<(string KeyId, byte[] PublicKey)>();
        await using (var cluster = await Running.StartAsync(directory, ct))
        {
            await using var client = cluster.Client();
            await client.ConnectAsync(ct);
            user = await client.RegisterAsync(password, ct);
            await client.LoginAsync(user, password, cancellationToken: ct);
            foreach (var curve in new[] { Curve.Secp256k1, Curve.P256 })
            {
                var key = await client.GenerateKeyAsync(curve, ct);
                keys.Add((key.KeyId, key.PublicKey.Encode()));
                await SignAndVerifyAsync(client, key, "before the restart", ct);
            }

            await cluster.Aggregator.Aggregator.DrainAsync();
        }

        await using (var cluster = await Running.StartAsync(directory, ct))
        {
            await using var client = cluster.Client();
            await client.ConnectAsync(ct);
            await client.LoginAsync(user, password, cancellationToken: ct);
            foreach (var (keyId, publicKey) in keys)
            {
                var key = await client.GetPublicKeyAsync(keyId, ct);
                Assert.Equal(publicKey, key.PublicKey.Encode());
                await SignAndVerifyAsync(client, key, "after the restart", ct);
            }

            await cluster.Aggregator.Aggregator.DrainAsync();
        }
    }

    /// <summary>A base port with the next <paramref name="count"/> ports free too.</summary>
    internal static int FreeBasePort(int count)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var start = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            if (start + count < 65000 && Enumerable.Range(start, count + 1).All(IsFree))
            {
                return start;
            }
        }

        throw new InvalidOperationException("no free port range");
    }

    internal static async Task SignAndVerifyAsync(ThresholdClient client, KeyInfo key, string text, CancellationToken ct)
    {
        for (var i = 0; i < 2; i++)
        {
            var digest = SHA256.HashData(global::System.Text.Encoding.UTF8.GetBytes($"{text} {i}"));
            Assert.True(InProcessFlowTests.IndependentVerify(key.PublicKey, digest, await client.SignDigestAsync(key.KeyId, digest, ct)), $"{key.Curve.Name}: {text} {i}");
        }
    }

    internal static void CopyDatabase(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "node.db*").Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        }

        foreach (var stale in Directory.GetFiles(to, "node.db*").Where(f => !File.Exists(Path.Combine(from, Path.GetFileName(f)))))
        {
            File.Delete(stale);
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Three node runtimes and an aggregator runtime started from their configuration files.</summary>
    internal sealed class Running : IAsyncDisposable
    {
        private readonly List<NodeRuntime> nodes;
        private readonly string directory;

        private Running(string directory, List<NodeRuntime> nodes, AggregatorRuntime aggregator)
        {
            this.directory = directory;
            this.nodes = nodes;
            Aggregator = aggregator;
        }

        public AggregatorRuntime Aggregator { get; }

        public static async Task<Running> StartAsync(string directory, CancellationToken ct)
        {
            var nodes = new List<NodeRuntime>();
            foreach (var file in Directory.GetFiles(directory, "node-*.json").Order())
            {
                nodes.Add(await NodeRuntime.StartAsync(NodeConfig.Load(file), ct));
            }

            var aggregator = await AggregatorRuntime.StartAsync(AggregatorConfig.Load(Path.Combine(directory, "aggregator.json")), ct);
            return new Running(directory, nodes, aggregator);
        }

        public ThresholdClient Client()
        {
            var cluster = ClusterFile.Load(Path.Combine(directory, "cluster.json"));
            var pinned = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(directory, "aggregator.pem")));
            var api = new RpcWalletApi(ThresholdChannel.Create(Aggregator.Address, pinned));
            return new ThresholdClient(api, NodeRuntime.Opaque(cluster.OpaqueSuite));
        }

        public async ValueTask DisposeAsync()
        {
            await Aggregator.DisposeAsync();
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }
}

using System.Diagnostics;
using System.Security.Cryptography;
using Threshold.Client;
using Threshold.Curves;
using Threshold.Opaque;
using Threshold.Opaque.Ksf;
using Threshold.Primes;
using Threshold.Server;
using Threshold.Server.Rpc;

namespace Threshold.Cli.Bench;

/// <summary>
/// End-to-end signing over loopback TLS with a warm presignature pool: latency of one signature as a
/// wallet sees it (sealed requests to every node, partial signatures, combination, verification on both
/// sides), and throughput with several wallets signing at once.
/// </summary>
internal static class SigningBench
{
    public static IEnumerable<BenchResult> Run(int signatures, int concurrency, Curve curve, Action<string> status)
    {
        return RunAsync(signatures, concurrency, curve, status).GetAwaiter().GetResult();
    }

    private static async Task<List<BenchResult>> RunAsync(int signatures, int concurrency, Curve curve, Action<string> status)
    {
        var primes = new PrimePool();
        status("safe primes for 3 Paillier keys");
        await primes.FillAsync(1024, 6);
        var opaque = new OpaqueConfiguration(OpaqueSuite.Ristretto255Sha512, new Argon2idKsf(Argon2idProfile.Interactive), OpaqueConfiguration.DefaultContext);
        // One user logs in from every wallet at once, all from this address: the aggregator's limits must allow that many.
        var limits = WalletRateLimits.Default with
        {
            PerUserBurst = Math.Max(WalletRateLimits.Default.PerUserBurst, concurrency + 1),
            PerClientBurst = Math.Max(WalletRateLimits.Default.PerClientBurst, (2 * concurrency) + 4),
        };
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Nodes = 3, Threshold = 2, Opaque = opaque, Primes = primes, OverLoopbackTls = true, PoolTarget = 2, RateLimits = limits }, CancellationToken.None);
        var password = RandomNumberGenerator.GetBytes(16);
        await using var owner = new ThresholdClient(cluster.WalletApi, opaque);
        await owner.ConnectAsync();
        var user = await owner.RegisterAsync(password);
        await owner.LoginAsync(user, password);
        var key = await owner.GenerateKeyAsync(curve);
        await cluster.Aggregator.DrainAsync();
        cluster.Aggregator.BackgroundPresigning = false;

        var total = signatures + (signatures * concurrency) + 2;
        status($"warming the pool with {total} presignatures (not timed)");
        await cluster.Aggregator.WarmUpAsync(key.KeyId, total, CancellationToken.None);

        status($"{signatures} signatures one after another");
        await owner.SignDigestAsync(key.KeyId, RandomNumberGenerator.GetBytes(32)); // warm-up
        var latencies = new List<double>();
        for (var i = 0; i < signatures; i++)
        {
            var watch = Stopwatch.StartNew();
            await owner.SignDigestAsync(key.KeyId, RandomNumberGenerator.GetBytes(32));
            latencies.Add(watch.Elapsed.TotalMilliseconds);
        }

        status($"{signatures * concurrency} signatures from {concurrency} wallets at once");
        var wallets = new List<ThresholdClient>();
        for (var c = 0; c < concurrency; c++)
        {
            var wallet = new ThresholdClient(cluster.WalletApi, opaque);
            await wallet.ConnectAsync();
            await wallet.LoginAsync(user, password);
            wallets.Add(wallet);
        }

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(wallets.Select(async wallet =>
        {
            for (var i = 0; i < signatures; i++)
            {
                await wallet.SignDigestAsync(key.KeyId, RandomNumberGenerator.GetBytes(32));
            }
        }));
        var throughput = signatures * concurrency / clock.Elapsed.TotalSeconds;
        foreach (var wallet in wallets)
        {
            await wallet.DisposeAsync();
        }

        latencies.Sort();
        var name = curve == Curve.P256 ? "p256" : "secp256k1";
        return
        [
            new BenchResult($"sign.latency_p50.{name}.loopback_tls", Math.Round(Percentile(latencies, 0.50), 3), signatures),
            new BenchResult($"sign.latency_p99.{name}.loopback_tls", Math.Round(Percentile(latencies, 0.99), 3), signatures),
            new BenchResult($"sign.throughput_per_s.{name}.loopback_tls.c{concurrency}", Math.Round(throughput, 1), signatures * concurrency),
        ];
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}

using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Spectre.Console;
using Threshold.Client;
using Threshold.Curves;
using Threshold.Opaque;
using Threshold.Opaque.Ksf;
using Threshold.Primes;
using Threshold.Server;
using Threshold.Server.Rpc;

namespace Threshold.Cli.Bench;

/// <summary>What <c>threshold bench signing</c> runs.</summary>
/// <param name="Nodes">n.</param>
/// <param name="Threshold">t.</param>
/// <param name="Curve">The keys' curve.</param>
/// <param name="Signatures">Signatures per wallet in the warm-pool run.</param>
/// <param name="Wallets">Wallets signing at once (the warm-pool throughput run and the sustained run).</param>
/// <param name="Sustained">How long the sustained run signs.</param>
/// <param name="WarmPool">Whether to run the warm-pool measurement.</param>
/// <param name="SustainedRun">Whether to run the sustained measurement.</param>
/// <param name="PoolMin">The aggregator's pool target floor per key.</param>
/// <param name="PoolMax">Its ceiling (null: the aggregator's default).</param>
/// <param name="PoolConcurrentRuns">Background presigning runs in flight per key.</param>
internal sealed record SigningBenchSettings(int Nodes, int Threshold, Curve Curve, int Signatures, int Wallets, TimeSpan Sustained, bool WarmPool, bool SustainedRun, int PoolMin, int? PoolMax, int PoolConcurrentRuns);

/// <summary>
/// Signing with a pool filled beforehand and background presigning paused: what one signature costs when a
/// presignature is ready. Not a rate the cluster can keep up: every signature used one made earlier.
/// </summary>
internal sealed record WarmPoolReport(int Signatures, double LatencyP50Ms, double LatencyP99Ms, int Wallets, int ThroughputSignatures, double SignaturesPerSecond, long BytesPerSignature, double NodeCallsPerSignature, double NodeRoundTripsPerSignature);

/// <summary>
/// Signing from a pool that starts empty, for a fixed time, with the background supply on: the rate the
/// cluster sustains, bounded by how fast it presigns. Counts say where each signature's presignature came from.
/// </summary>
internal sealed record SustainedReport(
    int Wallets,
    double Seconds,
    int Signatures,
    double SignaturesPerSecond,
    long FromPool,
    long PresignedInline,
    long BackgroundPresignatures,
    double LatencyP50Ms,
    double LatencyP99Ms,
    int PoolConcurrentRuns,
    int PoolTargetAtEnd,
    double PoolLeadTimeMs,
    double CpuUtilisation,
    string LoadAverageBefore,
    string LoadAverageAfter);

/// <summary><c>threshold bench signing --json</c>.</summary>
internal sealed record SigningReport(MachineInfo Machine, int Nodes, int Threshold, string Curve, string Transport, WarmPoolReport? WarmPool, SustainedReport? Sustained);

/// <summary>
/// End-to-end signing over loopback TLS (n nodes and the aggregator each serving gRPC over TLS, nodes with
/// mutual TLS, wallets logged in to every node), measured two ways that answer different questions:
/// a warm pool (latency of one signature with a presignature ready; throughput while the pool lasts) and
/// sustained (a pool starting empty, wallets signing for a fixed time: what the cluster keeps up).
/// </summary>
internal static class SigningBench
{
    public static SigningReport Run(SigningBenchSettings settings, Action<string> status) => RunAsync(settings, status).GetAwaiter().GetResult();

    public static void WriteTable(IAnsiConsole console, SigningReport report)
    {
        var m = report.Machine;
        console.MarkupLine($"[bold]threshold bench signing[/]  n = {report.Nodes}, t = {report.Threshold}, {Markup.Escape(report.Curve)}, {Markup.Escape(report.Transport)}; {Markup.Escape(m.Cpu)}, {m.Cores} cores, {m.Date}");
        var table = new Table().AddColumn("run").AddColumn("measurement").AddColumn(new TableColumn("value").RightAligned());
        if (report.WarmPool is { } warm)
        {
            table.AddRow("warm pool", $"latency p50, one wallet ({warm.Signatures} signatures)", Ms(warm.LatencyP50Ms));
            table.AddRow("warm pool", "latency p99, one wallet", Ms(warm.LatencyP99Ms));
            table.AddRow("warm pool", $"signatures/s, {warm.Wallets} wallets, pool filled beforehand", PerSecond(warm.SignaturesPerSecond));
            table.AddRow("warm pool", "bytes on the wire per signature (both directions, all hops)", warm.BytesPerSignature < 0 ? "unknown" : warm.BytesPerSignature.ToString(CultureInfo.InvariantCulture));
            table.AddRow("warm pool", "node calls per signature (all signers, probes not counted)", warm.NodeCallsPerSignature.ToString("0.##", CultureInfo.InvariantCulture));
            table.AddRow("warm pool", "node round trips per signature (calls per signer, made in parallel)", warm.NodeRoundTripsPerSignature.ToString("0.##", CultureInfo.InvariantCulture));
        }

        if (report.Sustained is { } sustained)
        {
            table.AddRow("sustained", $"signatures/s, {sustained.Wallets} wallets for {sustained.Seconds:0} s, pool starting empty", PerSecond(sustained.SignaturesPerSecond));
            table.AddRow("sustained", "signatures", sustained.Signatures.ToString(CultureInfo.InvariantCulture));
            table.AddRow("sustained", "… from the pool / presigned inline", $"{sustained.FromPool} / {sustained.PresignedInline}");
            table.AddRow("sustained", $"presignatures made in the background ({sustained.PoolConcurrentRuns} runs at a time)", sustained.BackgroundPresignatures.ToString(CultureInfo.InvariantCulture));
            table.AddRow("sustained", "latency p50 / p99", $"{Ms(sustained.LatencyP50Ms)} / {Ms(sustained.LatencyP99Ms)}");
            table.AddRow("sustained", "pool target at the end / run time", $"{sustained.PoolTargetAtEnd} / {Ms(sustained.PoolLeadTimeMs)}");
            table.AddRow("sustained", "this process's CPU use (all cores)", sustained.CpuUtilisation.ToString("P0", CultureInfo.InvariantCulture));
            table.AddRow("sustained", "load average before / after", Markup.Escape($"{sustained.LoadAverageBefore} / {sustained.LoadAverageAfter}"));
        }

        console.Write(table);
    }

    private static async Task<SigningReport> RunAsync(SigningBenchSettings settings, Action<string> status)
    {
        var curve = settings.Curve;
        var primes = new PrimePool();
        var keys = (settings.WarmPool ? 1 : 0) + (settings.SustainedRun ? 1 : 0);
        status($"safe primes for {settings.Nodes * keys} Paillier keys");
        await primes.FillAsync(1024, 2 * settings.Nodes * keys);
        var opaque = new OpaqueConfiguration(OpaqueSuite.Ristretto255Sha512, new Argon2idKsf(Argon2idProfile.Interactive), OpaqueConfiguration.DefaultContext);

        // One user logs in from every wallet at once, all from this address: the aggregator's limits must allow that many.
        var limits = WalletRateLimits.Default with
        {
            PerUserBurst = Math.Max(WalletRateLimits.Default.PerUserBurst, settings.Wallets + 2),
            PerClientBurst = Math.Max(WalletRateLimits.Default.PerClientBurst, (2 * settings.Wallets) + 6),
        };
        var calls = new NodeCallCounter();
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions
        {
            Nodes = settings.Nodes,
            Threshold = settings.Threshold,
            Opaque = opaque,
            Primes = primes,
            OverLoopbackTls = true,
            PoolTarget = settings.PoolMin,
            PoolMaxTarget = settings.PoolMax,
            PoolConcurrentRuns = settings.PoolConcurrentRuns,
            RateLimits = limits,
            WrapNodeClient = calls.Wrap,
        }, CancellationToken.None);
        var aggregator = cluster.Aggregator;
        var password = RandomNumberGenerator.GetBytes(16);
        await using var owner = new ThresholdClient(cluster.WalletApi, opaque);
        await owner.ConnectAsync();
        var user = await owner.RegisterAsync(password);
        await owner.LoginAsync(user, password);
        var wallets = new List<ThresholdClient>();
        try
        {
            for (var c = 0; c < settings.Wallets; c++)
            {
                var wallet = new ThresholdClient(cluster.WalletApi, opaque);
                wallets.Add(wallet);
                await wallet.ConnectAsync();
                await wallet.LoginAsync(user, password);
            }

            var warm = settings.WarmPool ? await WarmPoolAsync(settings, aggregator, owner, wallets, calls, status) : null;
            var sustained = settings.SustainedRun ? await SustainedAsync(settings, aggregator, owner, wallets, status) : null;
            return new SigningReport(MachineInfo.Current(), settings.Nodes, settings.Threshold, curve == Curve.P256 ? "p256" : "secp256k1", "loopback gRPC over TLS", warm, sustained);
        }
        finally
        {
            foreach (var wallet in wallets)
            {
                await wallet.DisposeAsync();
            }
        }
    }

    private static async Task<WarmPoolReport> WarmPoolAsync(SigningBenchSettings settings, Aggregator.AggregatorService aggregator, ThresholdClient owner, List<ThresholdClient> wallets, NodeCallCounter calls, Action<string> status)
    {
        aggregator.BackgroundPresigning = false;
        var key = await owner.GenerateKeyAsync(settings.Curve);
        var total = settings.Signatures + (settings.Signatures * wallets.Count) + 2;
        status($"warming the pool with {total} presignatures, {aggregator.Supply.ConcurrentRuns} at a time (not timed)");
        await aggregator.WarmUpAsync(key.KeyId, total, CancellationToken.None);

        status($"{settings.Signatures} signatures one after another, pool filled");
        await owner.SignDigestAsync(key.KeyId, RandomNumberGenerator.GetBytes(32)); // warm-up
        using var bytes = new SocketBytes();
        var sentBefore = await bytes.SentAsync();
        var callsBefore = calls.Snapshot();
        var latencies = new List<double>();
        for (var i = 0; i < settings.Signatures; i++)
        {
            var watch = Stopwatch.StartNew();
            await owner.SignDigestAsync(key.KeyId, RandomNumberGenerator.GetBytes(32));
            latencies.Add(watch.Elapsed.TotalMilliseconds);
        }

        var sentAfter = await bytes.SentAsync();
        var perSignature = sentBefore < 0 || sentAfter < 0 ? -1 : (sentAfter - sentBefore) / settings.Signatures;
        var nodeCalls = (double)calls.CallsSince(callsBefore) / settings.Signatures;
        status($"{settings.Signatures * wallets.Count} signatures from {wallets.Count} wallets at once, pool filled");
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(wallets.Select(async wallet =>
        {
            for (var i = 0; i < settings.Signatures; i++)
            {
                await wallet.SignDigestAsync(key.KeyId, RandomNumberGenerator.GetBytes(32));
            }
        }));
        var perSecond = settings.Signatures * wallets.Count / clock.Elapsed.TotalSeconds;
        latencies.Sort();
        return new WarmPoolReport(settings.Signatures, Round(Percentile(latencies, 0.50)), Round(Percentile(latencies, 0.99)), wallets.Count, settings.Signatures * wallets.Count, Round(perSecond), perSignature, Round(nodeCalls), Round(nodeCalls / settings.Threshold));
    }

    private static async Task<SustainedReport> SustainedAsync(SigningBenchSettings settings, Aggregator.AggregatorService aggregator, ThresholdClient owner, List<ThresholdClient> wallets, Action<string> status)
    {
        // A fresh key whose pool starts empty: nothing presigned after key generation.
        aggregator.BackgroundPresigning = false;
        var key = await owner.GenerateKeyAsync(settings.Curve);
        await aggregator.DrainAsync();
        aggregator.BackgroundPresigning = true;
        foreach (var wallet in wallets)
        {
            await wallet.GetPublicKeyAsync(key.KeyId); // each wallet learns the key outside the timed run
        }

        status($"{wallets.Count} wallets signing for {settings.Sustained.TotalSeconds:0} s, pool starting empty, {aggregator.Supply.ConcurrentRuns} background runs at a time");
        var before = aggregator.Supply.Counters;
        var loadBefore = LoadAverage();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var latencies = new List<double>();
        var clock = Stopwatch.StartNew();
        var deadline = settings.Sustained;
        await Task.WhenAll(wallets.Select(async wallet =>
        {
            var own = new List<double>();
            while (clock.Elapsed < deadline)
            {
                var started = clock.Elapsed;
                await wallet.SignDigestAsync(key.KeyId, RandomNumberGenerator.GetBytes(32));
                own.Add((clock.Elapsed - started).TotalMilliseconds);
            }

            lock (latencies)
            {
                latencies.AddRange(own);
            }
        }));
        var elapsed = clock.Elapsed;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / (elapsed.TotalSeconds * Environment.ProcessorCount);
        var after = aggregator.Supply.Counters;
        var supply = aggregator.Supply.Status(key.KeyId);
        var loadAfter = LoadAverage();
        aggregator.BackgroundPresigning = false;
        await aggregator.DrainAsync();
        latencies.Sort();
        return new SustainedReport(
            wallets.Count,
            Round(elapsed.TotalSeconds),
            latencies.Count,
            Round(latencies.Count / elapsed.TotalSeconds),
            after.TakenFromPool - before.TakenFromPool,
            after.Missed - before.Missed,
            after.BackgroundRuns - before.BackgroundRuns,
            Round(Percentile(latencies, 0.50)),
            Round(Percentile(latencies, 0.99)),
            aggregator.Supply.ConcurrentRuns,
            supply.Target,
            Round(supply.LeadTime.TotalMilliseconds),
            Round(cpu),
            loadBefore,
            loadAfter);
    }

    /// <summary>The 1, 5 and 15-minute load averages (other work on the machine shows here), or "unknown".</summary>
    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    private static double Round(double value) => Math.Round(value, 3);

    private static string Ms(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + " ms";

    private static string PerSecond(double value) => value.ToString("0.0", CultureInfo.InvariantCulture) + " /s";

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}

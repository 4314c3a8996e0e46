using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;
using Threshold.Cggmp.Signing;
using Threshold.Client;
using Threshold.Curves;
using Threshold.Opaque;
using Threshold.Opaque.Ksf;
using Threshold.Paillier;
using Threshold.Primes;
using Threshold.Server;

namespace Threshold.Cli.Commands;

/// <summary>
/// <c>threshold demo</c>: starts n nodes and an aggregator in this process, registers a user, logs in,
/// generates a key, signs messages, verifies every signature with .NET's ECDsa (OpenSSL), and reports
/// what happened with timings.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a narrative." };
        var nodes = new Option<int>("--nodes") { Description = "n, the number of nodes.", DefaultValueFactory = _ => 3 };
        var threshold = new Option<int>("--threshold") { Description = "t, how many nodes sign.", DefaultValueFactory = _ => 2 };
        var curve = new Option<string>("--curve") { Description = "secp256k1 or p256.", DefaultValueFactory = _ => "secp256k1" };
        var signatures = new Option<int>("--signatures") { Description = "How many messages to sign.", DefaultValueFactory = _ => 3 };
        var level = new Option<string>("--level") { Description = "Paillier level: 2048 or 3072.", DefaultValueFactory = _ => "2048" };
        var command = new Command("demo", "Run an embedded cluster: register, log in, generate a key, sign and verify.") { json, nodes, threshold, curve, signatures, level };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (GlobalOptions.Apply(parse) is { } failed)
            {
                return failed;
            }

            var (n, t, k) = (parse.GetValue(nodes), parse.GetValue(threshold), parse.GetValue(signatures));
            if (n < 1 || t < 1 || t > n || k < 1)
            {
                Console.Error.WriteLine("error: need 1 ≤ t ≤ n and at least one signature");
                return 2;
            }

            var settings = new DemoSettings(n, t, Curve.FromName(parse.GetValue(curve)!), SecurityLevel.FromName(parse.GetValue(level)!), k);
            var asJson = parse.GetValue(json);
            var report = await RunAsync(settings, asJson ? null : AnsiConsole.Console, cancellationToken);
            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(report, Bench.BenchReport.JsonOptions));
            }

            return report.Signatures.All(s => s.Verified) ? 0 : 1;
        });
        return command;
    }

    private static async Task<DemoReport> RunAsync(DemoSettings settings, IAnsiConsole? console, CancellationToken cancellationToken)
    {
        var timings = new Dictionary<string, double>();
        var watch = Stopwatch.StartNew();
        void Lap(string name)
        {
            timings[name] = Math.Round(watch.Elapsed.TotalMilliseconds, 2);
            watch.Restart();
        }

        var primes = new PrimePool();
        var wanted = 2 * settings.Nodes;
        if (console is null)
        {
            await primes.FillAsync(settings.Level.PrimeBits, wanted, null, cancellationToken);
        }
        else
        {
            await console.Progress().StartAsync(async context =>
            {
                var task = context.AddTask($"safe primes for {settings.Nodes} Paillier keys", maxValue: wanted);
                await primes.FillAsync(settings.Level.PrimeBits, wanted, new Relay(p => task.Value = p.Found), cancellationToken);
                task.Value = wanted;
            });
        }

        Lap("safe_primes");
        var opaque = new OpaqueConfiguration(OpaqueSuite.Ristretto255Sha512, new Argon2idKsf(Argon2idProfile.Interactive), OpaqueConfiguration.DefaultContext);
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Nodes = settings.Nodes, Threshold = settings.Threshold, Opaque = opaque, Primes = primes, Level = settings.Level, OverLoopbackTls = true }, cancellationToken);
        await using var client = new ThresholdClient(cluster.WalletApi, opaque);
        var info = await client.ConnectAsync(cancellationToken);
        Lap("start_cluster");
        console?.MarkupLine($"Cluster of [bold]{settings.Nodes}[/] nodes, any [bold]{settings.Threshold}[/] sign, each serving gRPC over TLS on loopback; aggregator at {cluster.AggregatorAddress}; fingerprint [bold]{info.Fingerprint}[/].");

        var password = RandomNumberGenerator.GetBytes(16);
        var user = await client.RegisterAsync(password, cancellationToken);
        Lap("register");
        console?.MarkupLine($"Registered user [bold]{user}[/] with every node (OPAQUE, {opaque.Suite.Name}, Argon2id).");
        await client.LoginAsync(user, password, cancellationToken: cancellationToken);
        Lap("login");
        console?.MarkupLine($"Logged in: one sealed channel with each of {client.SessionNodes.Count} nodes.");

        KeyInfo key = null!;
        if (console is null)
        {
            key = await client.GenerateKeyAsync(settings.Curve, cancellationToken);
        }
        else
        {
            await console.Status().StartAsync("generating the key: distributed key generation, then aux-info (Paillier keys and proofs)…", async _ =>
            {
                key = await client.GenerateKeyAsync(settings.Curve, cancellationToken);
            });
        }

        Lap("generate_key");
        var publicKey = Convert.ToHexStringLower(key.PublicKey.Encode());
        console?.MarkupLine($"Generated {settings.Curve.Name} key [bold]{key.KeyId}[/]: {publicKey}");

        await cluster.Aggregator.DrainAsync();
        Lap("fill_presignature_pool");
        var signed = new List<DemoSignature>();
        var signTimes = new List<double>();
        for (var i = 1; i <= settings.Signatures; i++)
        {
            var message = System.Text.Encoding.UTF8.GetBytes($"Threshold demo message {i}");
            var one = Stopwatch.StartNew();
            var (signature, digest) = await client.SignMessageAsync(key.KeyId, message, cancellationToken);
            signTimes.Add(one.Elapsed.TotalMilliseconds);
            var verified = IndependentVerify(key.PublicKey, digest, signature);
            signed.Add(new DemoSignature(Convert.ToHexStringLower(message), Convert.ToHexStringLower(digest), signature.R.ToHex(), signature.S.ToHex(), signature.RecoveryId, verified));
            console?.MarkupLine($"Signed message {i} in {one.Elapsed.TotalMilliseconds:0.0} ms; .NET ECDsa (OpenSSL) says [bold]{(verified ? "valid" : "INVALID")}[/].");

            // Let the background refill finish, so each signature is timed with a warm pool and idle cores.
            await cluster.Aggregator.DrainAsync();
        }

        timings["sign_median"] = Math.Round(Bench.Measurement.MedianOf(signTimes), 2);
        watch.Restart();
        await client.LogoutAsync(cancellationToken);
        Lap("logout");
        console?.MarkupLine("Logged out. " + string.Join(", ", timings.Select(e => $"{e.Key} {e.Value} ms")));
        return new DemoReport(settings.Curve.Name, settings.Nodes, settings.Threshold, publicKey, signed, timings);
    }

    private static bool IndependentVerify(Point publicKey, byte[] digest, EcdsaSignature signature)
    {
        var encoded = publicKey.Encode(compressed: false);
        var curve = publicKey.Curve == Curve.P256 ? ECCurve.NamedCurves.nistP256 : ECCurve.CreateFromFriendlyName("secP256k1");
        using var key = ECDsa.Create(new ECParameters { Curve = curve, Q = new ECPoint { X = encoded[1..33], Y = encoded[33..] } });
        return key.VerifyHash(digest, signature.ToP1363(), DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>Reports on the worker's thread, in order (Progress&lt;T&gt; would post and could reorder).</summary>
    private sealed class Relay(Action<SafePrimeProgress> report) : IProgress<SafePrimeProgress>
    {
        public void Report(SafePrimeProgress value) => report(value);
    }

    private sealed record DemoSettings(int Nodes, int Threshold, Curve Curve, SecurityLevel Level, int Signatures);
}

/// <summary>One signed message of the demo (hex fields; digest is SHA-256 on P-256, Keccak-256 on secp256k1).</summary>
internal sealed record DemoSignature(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("digest")] string Digest,
    [property: JsonPropertyName("r")] string R,
    [property: JsonPropertyName("s")] string S,
    [property: JsonPropertyName("recoveryId")] int RecoveryId,
    [property: JsonPropertyName("verified")] bool Verified);

/// <summary><c>threshold demo --json</c>: a stable shape for scripts.</summary>
internal sealed record DemoReport(
    [property: JsonPropertyName("curve")] string Curve,
    [property: JsonPropertyName("nodes")] int Nodes,
    [property: JsonPropertyName("threshold")] int Threshold,
    [property: JsonPropertyName("publicKey")] string PublicKey,
    [property: JsonPropertyName("signatures")] IReadOnlyList<DemoSignature> Signatures,
    [property: JsonPropertyName("timings_ms")] IReadOnlyDictionary<string, double> TimingsMs);

using System.CommandLine;
using Spectre.Console;
using Threshold.Cli.Bench;
using Threshold.Cli.Bench.Proofs;
using Threshold.Paillier;

namespace Threshold.Cli.Commands;

/// <summary><c>threshold bench …</c>: quick medians of the hot operations, as a table or JSON.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure primitives, proofs and protocol phases on this machine.");
        bench.Add(Primitives());
        bench.Add(ProofsCommand());
        bench.Add(ProtocolCommand());
        bench.Add(SigningCommand());
        bench.Add(Opaque());
        bench.Add(BenchCtCommand.Create());
        return bench;
    }

    private static Command ProofsCommand()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var level = new Option<string[]>("--level") { Description = "Security level(s): 2048, 3072 (default both).", AllowMultipleArgumentsPerToken = true };
        var only = new Option<string[]>("--only") { Description = "Proof ids to run (enc, affg, logstar, mod, prm, fac, sch, mul, dec, …).", AllowMultipleArgumentsPerToken = true };
        var command = new Command("proofs", "Prove and verify time and encoded size of each CGGMP21 proof.") { json, level, only };
        command.SetAction(parse =>
        {
            if (GlobalOptions.Apply(parse) is { } failed)
            {
                return failed;
            }

            var names = parse.GetValue(level) ?? [];
            var levels = names.Length == 0 ? SecurityLevel.All : names.Select(SecurityLevel.FromName).ToList();
            var ids = parse.GetValue(only) ?? [];
            return Report(parse.GetValue(json), "threshold bench proofs", status => ProofsBench.Run(levels, ids, status));
        });
        return command;
    }

    private static Command ProtocolCommand()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var parties = new Option<int>("--parties") { Description = "n, the number of parties.", DefaultValueFactory = _ => 3 };
        var threshold = new Option<int>("--threshold") { Description = "t, how many parties sign.", DefaultValueFactory = _ => 2 };
        var curve = new Option<string>("--curve") { Description = "secp256k1 or p256.", DefaultValueFactory = _ => "secp256k1" };
        var level = new Option<string>("--level") { Description = "Paillier level: 2048 or 3072.", DefaultValueFactory = _ => "2048" };
        var runs = new Option<int>("--runs") { Description = "Timed runs per phase (median reported).", DefaultValueFactory = _ => 5 };
        var command = new Command("protocol", "Per phase and per party: compute time, rounds, and bytes sent per round.")
        {
            json, parties, threshold, curve, level, runs,
        };
        command.SetAction(parse =>
        {
            if (GlobalOptions.Apply(parse) is { } failed)
            {
                return failed;
            }

            var (n, t) = (parse.GetValue(parties), parse.GetValue(threshold));
            if (t < 1 || t > n)
            {
                Console.Error.WriteLine($"error: --threshold must be between 1 and --parties ({n})");
                return 2;
            }

            var selectedCurve = Threshold.Curves.Curve.FromName(parse.GetValue(curve)!);
            var selectedLevel = SecurityLevel.FromName(parse.GetValue(level)!);
            var count = Math.Max(1, parse.GetValue(runs));
            if (parse.GetValue(json))
            {
                var report = ProtocolBench.Run(n, t, selectedCurve, selectedLevel, count, _ => { });
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(report, BenchReport.JsonOptions));
                return 0;
            }

            ProtocolReport? result = null;
            AnsiConsole.Status().Start("starting", context => result = ProtocolBench.Run(n, t, selectedCurve, selectedLevel, count, m => context.Status(Markup.Escape(m))));
            BenchReport.WriteProtocolTable(AnsiConsole.Console, result!);
            return 0;
        });
        return command;
    }

    private static Command SigningCommand()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var signatures = new Option<int>("--signatures") { Description = "Warm-pool run: signatures per wallet.", DefaultValueFactory = _ => 100 };
        var concurrency = new Option<int>("--concurrency") { Description = "Wallets signing at once (warm-pool throughput and sustained runs).", DefaultValueFactory = _ => 4 };
        var curve = new Option<string>("--curve") { Description = "secp256k1 or p256.", DefaultValueFactory = _ => "secp256k1" };
        var nodes = new Option<int>("--nodes") { Description = "n.", DefaultValueFactory = _ => 3 };
        var threshold = new Option<int>("--threshold") { Description = "t.", DefaultValueFactory = _ => 2 };
        var duration = new Option<double>("--duration") { Description = "Sustained run: seconds of signing from a pool starting empty.", DefaultValueFactory = _ => 60 };
        var only = new Option<string?>("--only") { Description = "Run only one measurement: warm or sustained." };
        var poolMin = new Option<int>("--pool-min") { Description = "The aggregator's pool target per key, at least.", DefaultValueFactory = _ => 4 };
        var poolMax = new Option<int?>("--pool-max") { Description = "The pool target per key, at most (default 64)." };
        var poolConcurrency = new Option<int>("--pool-concurrency") { Description = "Background presigning runs in flight per key.", DefaultValueFactory = _ => 2 };
        var command = new Command("signing", "End-to-end signing over loopback TLS: latency and throughput with a pool filled beforehand (warm), and the rate sustained from a pool starting empty (sustained).")
        {
            json, signatures, concurrency, curve, nodes, threshold, duration, only, poolMin, poolMax, poolConcurrency,
        };
        command.SetAction(parse =>
        {
            if (GlobalOptions.Apply(parse) is { } failed)
            {
                return failed;
            }

            var (n, t, which) = (parse.GetValue(nodes), parse.GetValue(threshold), parse.GetValue(only));
            var (min, max, runs, seconds) = (parse.GetValue(poolMin), parse.GetValue(poolMax), parse.GetValue(poolConcurrency), parse.GetValue(duration));
            if (t < 1 || t > n || which is not (null or "warm" or "sustained") || min < 0 || max < min || runs < 1 || !(seconds > 0))
            {
                Console.Error.WriteLine("error: need 1 ≤ t ≤ n, --only warm|sustained, 0 ≤ --pool-min ≤ --pool-max, --pool-concurrency ≥ 1 and --duration > 0");
                return 2;
            }

            var settings = new SigningBenchSettings(
                n,
                t,
                Threshold.Curves.Curve.FromName(parse.GetValue(curve)!),
                Math.Max(1, parse.GetValue(signatures)),
                Math.Max(1, parse.GetValue(concurrency)),
                TimeSpan.FromSeconds(seconds),
                WarmPool: which is null or "warm",
                SustainedRun: which is null or "sustained",
                min,
                max,
                runs);
            if (parse.GetValue(json))
            {
                parse.InvocationConfiguration.Output.WriteLine(System.Text.Json.JsonSerializer.Serialize(SigningBench.Run(settings, _ => { }), BenchReport.JsonOptions));
                return 0;
            }

            SigningReport? report = null;
            AnsiConsole.Status().Start("starting", context => report = SigningBench.Run(settings, m => context.Status(Markup.Escape(m))));
            SigningBench.WriteTable(AnsiConsole.Console, report!);
            return 0;
        });
        return command;
    }

    private static int Report(bool json, string title, Func<Action<string>, IEnumerable<BenchResult>> run)
    {
        var machine = MachineInfo.Current();
        if (json)
        {
            Console.WriteLine(BenchReport.ToJson(machine, run(_ => { }).ToList()));
            return 0;
        }

        var results = new List<BenchResult>();
        AnsiConsole.Status().Start("starting", context => results.AddRange(run(message => context.Status(Markup.Escape(message)))));
        BenchReport.WriteTable(AnsiConsole.Console, title, machine, results);
        return 0;
    }

    private static Command Primitives()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var primeRuns = new Option<int>("--prime-runs")
        {
            Description = "How many 1024-bit safe primes to generate for the safeprime.1024 median.",
            DefaultValueFactory = _ => 5,
        };
        var command = new Command("primitives", "Modular exponentiation (GMP and managed), Paillier, ring-Pedersen, safe primes, point multiplication.")
        {
            json,
            primeRuns,
        };
        command.SetAction(parse =>
        {
            if (GlobalOptions.Apply(parse) is { } failed)
            {
                return failed;
            }

            var runs = Math.Max(1, parse.GetValue(primeRuns));
            return Report(parse.GetValue(json), "threshold bench primitives", status => PrimitivesBench.Run(runs, status));
        });
        return command;
    }

    private static Command Opaque()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var quick = new Option<bool>("--quick")
        {
            Description = "Skip Argon2id with RFC 9807's parameters (2 GiB and about two seconds per key stretch).",
        };
        var command = new Command("opaque", "Password login (RFC 9807 OPAQUE-3DH): client and node cost per login and registration, per suite and key stretching function, and a 3-of-5 multi-server login.")
        {
            json,
            quick,
        };
        command.SetAction(parse =>
        {
            if (GlobalOptions.Apply(parse) is { } failed)
            {
                return failed;
            }

            if (Threshold.Opaque.Groups.Ristretto255Group.LibsodiumVersion is not { } sodium)
            {
                Console.Error.WriteLine("error: libsodium (shipped with NSec.Cryptography under runtimes/<rid>/native) could not be loaded");
                return 2;
            }

            var machine = MachineInfo.Current();
            var includeHeavy = !parse.GetValue(quick);
            if (parse.GetValue(json))
            {
                Console.WriteLine(BenchReport.ToJson(machine, OpaqueBench.Run(includeHeavy, _ => { }).ToList()));
                return 0;
            }

            var results = new List<BenchResult>();
            AnsiConsole.Status().Start("starting", context =>
            {
                results.AddRange(OpaqueBench.Run(includeHeavy, message => context.Status(Markup.Escape(message))));
            });
            BenchReport.WriteTable(AnsiConsole.Console, $"threshold bench opaque (libsodium {sodium})", machine, results);
            return 0;
        });
        return command;
    }
}

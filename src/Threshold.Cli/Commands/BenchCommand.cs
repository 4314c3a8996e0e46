using System.CommandLine;
using Spectre.Console;
using Threshold.Cli.Bench;

namespace Threshold.Cli.Commands;

/// <summary><c>threshold bench …</c>: quick medians of the hot operations, as a table or JSON.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure primitives, proofs and protocol phases on this machine.");
        bench.Add(Primitives());
        bench.Add(Opaque());
        return bench;
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

            var machine = MachineInfo.Current();
            var runs = Math.Max(1, parse.GetValue(primeRuns));
            if (parse.GetValue(json))
            {
                Console.WriteLine(BenchReport.ToJson(machine, PrimitivesBench.Run(runs, _ => { }).ToList()));
                return 0;
            }

            var results = new List<BenchResult>();
            AnsiConsole.Status().Start("starting", context =>
            {
                results.AddRange(PrimitivesBench.Run(runs, message => context.Status(Markup.Escape(message))));
            });
            BenchReport.WriteTable(AnsiConsole.Console, "threshold bench primitives", machine, results);
            return 0;
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
                Console.Error.WriteLine("error: libsodium is required (Debian/Ubuntu: apt-get install libsodium23)");
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

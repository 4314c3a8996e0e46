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
}

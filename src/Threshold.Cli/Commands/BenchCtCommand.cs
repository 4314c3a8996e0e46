using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Threshold.Cli.Bench;

namespace Threshold.Cli.Commands;

/// <summary>
/// <c>threshold bench ct</c>: the dudect-style fixed-vs-random timing test of every secret-scalar point
/// multiplication, with BouncyCastle's variable-time path alongside to show the test can see a leak.
/// How to read it: docs/constant-time.md.
/// </summary>
internal static class BenchCtCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var samples = new Option<int>("--samples")
        {
            Description = "Timed samples per class (fixed and random); dudect needs many: default 100000.",
            DefaultValueFactory = _ => 100_000,
        };
        var only = new Option<string[]>("--only")
        {
            Description = "Operation ids or prefixes (secp256k1.mulgen.ct, p256.mul.vt, p256, …); default all.",
            AllowMultipleArgumentsPerToken = true,
        };
        var fixedOption = new Option<string>("--fixed")
        {
            Description = "The fixed class's scalar, decimal or 0x-hex (default 3).",
            DefaultValueFactory = _ => "3",
        };
        var command = new Command("ct", "Constant-time check (dudect): Welch's t between a fixed and random secret scalars, per operation; |t| < 4.5 passes.")
        {
            json, samples, only, fixedOption,
        };
        command.SetAction(parse =>
        {
            if (GlobalOptions.Apply(parse) is { } failed)
            {
                return failed;
            }

            var perClass = parse.GetValue(samples);
            if (perClass < 100)
            {
                Console.Error.WriteLine("error: --samples must be at least 100 (dudect wants 100000 or more)");
                return 2;
            }

            var text = parse.GetValue(fixedOption)!;
            if (!TryParseScalar(text, out var fixedValue))
            {
                Console.Error.WriteLine("error: --fixed takes a non-negative integer, decimal or 0x-hex");
                return 2;
            }

            var filters = parse.GetValue(only) ?? [];
            var operations = ConstantTimeMeasurement.Operations()
                .Where(o => filters.Length == 0 || filters.Any(f => o.Id.StartsWith(f, StringComparison.OrdinalIgnoreCase)))
                .ToList();
            if (operations.Count == 0)
            {
                Console.Error.WriteLine("error: --only matches no operation");
                return 2;
            }

            var machine = MachineInfo.Current();
            var loadBefore = LoadAverage();
            var results = new List<ConstantTimeResult>();
            if (parse.GetValue(json))
            {
                results.AddRange(operations.Select(o => ConstantTimeMeasurement.Measure(o, perClass, fixedValue, _ => { })));
                var report = new { machine, loadBefore, loadAfter = LoadAverage(), threshold = ConstantTimeResult.Threshold, fixedScalar = text, results };
                Console.WriteLine(JsonSerializer.Serialize(report, BenchReport.JsonOptions));
                return 0;
            }

            AnsiConsole.Status().Start("starting", context =>
            {
                foreach (var operation in operations)
                {
                    results.Add(ConstantTimeMeasurement.Measure(operation, perClass, fixedValue, m => context.Status(Markup.Escape(m))));
                }
            });
            Write(machine, loadBefore, LoadAverage(), text, results);
            return 0;
        });
        return command;
    }

    private static void Write(MachineInfo machine, string loadBefore, string loadAfter, string fixedText, List<ConstantTimeResult> results)
    {
        var console = AnsiConsole.Console;
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = Math.Max(console.Profile.Width, 132);
        }

        console.MarkupLine($"[bold]threshold bench ct[/] — {Markup.Escape(machine.Cpu)}, {machine.Cores} cores, {Markup.Escape(machine.Runtime)}, {machine.Date}");
        console.MarkupLine($"load average before: {Markup.Escape(loadBefore)}; after: {Markup.Escape(loadAfter)}");
        var table = new Table().AddColumns("operation", "n/class", "|t| max", "at", "|t| all", "fixed µs", "random µs", "verdict");
        foreach (var r in results)
        {
            var verdict = (r.Passes, r.ExpectedConstantTime) switch
            {
                (true, true) => "[green]pass[/]",
                (false, true) => "[red]LEAK[/]",
                (false, false) => "[yellow]leak (VT)[/]",
                (true, false) => "[yellow]none seen (VT)[/]",
            };
            table.AddRow(
                Markup.Escape(r.Id),
                r.SamplesPerClass.ToString("N0", CultureInfo.InvariantCulture),
                r.MaxAbsT.ToString("0.00", CultureInfo.InvariantCulture),
                Markup.Escape(r.WorstTest),
                r.UncroppedAbsT.ToString("0.00", CultureInfo.InvariantCulture),
                r.FixedMeanMicroseconds.ToString("0.0", CultureInfo.InvariantCulture),
                r.RandomMeanMicroseconds.ToString("0.0", CultureInfo.InvariantCulture),
                verdict);
        }

        console.Write(table);
        console.MarkupLine($"|t| < {ConstantTimeResult.Threshold} passes (dudect); VT marks BouncyCastle's variable-time path, shown for contrast.");
        console.MarkupLine($"Fixed class: k = {Markup.Escape(fixedText)}; random class: a fresh uniform k per sample; \"at\": all samples or those below a percentile.");
    }

    private static bool TryParseScalar(string text, out System.Numerics.BigInteger value)
    {
        var ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? System.Numerics.BigInteger.TryParse("0" + text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : System.Numerics.BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        return ok && value.Sign >= 0;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}

using System.CommandLine;
using Spectre.Console;
using Threshold.Paillier;
using Threshold.Primes;
using Threshold.Simulator.Reports;
using Threshold.Simulator.Scenarios;

namespace Threshold.Cli.Commands;

/// <summary>
/// <c>threshold sim run scenario.yaml [--seed S] [--json out] [--csv out] [--trace out] [--primes pool]</c>: runs a
/// network-simulator scenario (simulator/scenarios/) and prints a summary, the full JSON, or CSV.
/// </summary>
internal static class SimCommand
{
    public static Command Create()
    {
        var command = new Command("sim", "The network simulator: the real protocol state machines over a virtual network (docs/simulator.md).");
        command.Add(Run());
        return command;
    }

    private static Command Run()
    {
        var scenarioFile = new Argument<FileInfo>("scenario") { Description = "A scenario file (YAML), e.g. simulator/scenarios/wan-three-regions.yaml." };
        var seed = new Option<string?>("--seed") { Description = "Replaces the scenario's seed." };
        var repetitions = new Option<int?>("--repetitions") { Description = "Replaces the scenario's number of repetitions." };
        var json = new Option<string?>("--json") { Description = "Write the full report as JSON to this file ('-' for standard output)." };
        var csv = new Option<string?>("--csv") { Description = "Write one CSV row per phase of each run to this file ('-' for standard output)." };
        var trace = new Option<string?>("--trace") { Description = "Write every transmission (sent, arrived or lost; phase, round, kind, size) as CSV to this file, for timelines." };
        var primes = new Option<FileInfo?>("--primes") { Description = "A safe-prime pool file for aux-info (instead of the scenario's, or of generating primes now)." };
        var command = new Command("run", "Run a scenario: per phase latency (virtual), rounds, bytes per party per round, messages, retransmissions, aborts, culprits.")
        {
            scenarioFile, seed, repetitions, json, csv, trace, primes,
        };
        command.SetAction(parse =>
        {
            if (GlobalOptions.Apply(parse) is { } failed)
            {
                return failed;
            }

            Scenario scenario;
            try
            {
                scenario = ScenarioFile.Load(parse.GetValue(scenarioFile)!.FullName);
                scenario.Repetitions = parse.GetValue(repetitions) ?? scenario.Repetitions;
                scenario.Primes = parse.GetValue(primes)?.FullName ?? scenario.Primes;
                ScenarioFile.Validate(scenario);
            }
            catch (Exception e) when (e is ScenarioException or IOException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }

            var jsonOut = parse.GetValue(json);
            var csvOut = parse.GetValue(csv);
            var quiet = jsonOut == "-" || csvOut == "-";
            var simulator = new Simulator.Simulator(() => GeneratedPrimes(scenario, quiet));
            SimulationReport report;
            try
            {
                report = simulator.Run(scenario, parse.GetValue(seed), trace: parse.GetValue(trace) is not null);
            }
            catch (ScenarioException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }

            Write(jsonOut, ReportWriter.ToJson(report));
            Write(csvOut, ReportWriter.ToCsv(report));
            Write(parse.GetValue(trace), ReportWriter.ToTraceCsv(report));
            if (!quiet)
            {
                Print(report);
            }

            // A simulation that ran is a success whatever its phases did; an honest node blamed is a broken guarantee.
            return report.Runs.Any(r => r.Phases.Any(p => p.HonestBlamed.Count > 0)) ? 1 : 0;
        });
        return command;
    }

    /// <summary>Safe primes generated now, when neither the scenario nor --primes names a pool (progress on standard error).</summary>
    private static PrimePool GeneratedPrimes(Scenario scenario, bool quiet)
    {
        var bits = SecurityLevel.FromName(scenario.SecurityLevel.ToString(System.Globalization.CultureInfo.InvariantCulture)).PrimeBits;
        var count = 2 * scenario.N;
        if (!quiet)
        {
            Console.Error.WriteLine($"generating {count} safe primes of {bits} bits for aux-info (not simulated time; pass --primes to skip)…");
        }

        var pool = new PrimePool();
        pool.FillAsync(bits, count).GetAwaiter().GetResult();
        return pool;
    }

    private static void Write(string? target, string text)
    {
        if (target == "-")
        {
            Console.Out.Write(text);
        }
        else if (target is not null)
        {
            File.WriteAllText(target, text);
        }
    }

    private static void Print(SimulationReport report)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(report.Scenario)}[/]: n = {report.N}, t = {report.T}, {report.Curve}, Paillier {report.SecurityLevel}, compute {report.Compute.Mode}, seed {Markup.Escape(report.Seed)}");
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 160; // a file gets whole rows, not cells wrapped to 80 columns
        }

        var table = new Table().AddColumns("run", "phase", "outcome", "latency ms", "rounds", "messages", "bytes", "resent", "culprits", "unreachable", "honest blamed");
        foreach (var run in report.Runs)
        {
            foreach (var p in run.Phases)
            {
                table.AddRow(
                    $"{run.Repetition}",
                    p.Phase,
                    p.Outcome == PhaseOutcome.Completed ? "completed" : $"[yellow]{Outcome(p.Outcome)}[/]",
                    $"{p.LatencyMs:0.0}",
                    $"{p.Rounds}",
                    $"{p.Messages}",
                    $"{p.WireBytes:N0}",
                    $"{p.Retransmissions}",
                    Nodes(p.Culprits),
                    Nodes(p.Unreachable),
                    p.HonestBlamed.Count == 0 ? "" : $"[red]{Nodes(p.HonestBlamed)}[/]");
            }
        }

        AnsiConsole.Write(table);
        foreach (var s in report.Summary)
        {
            AnsiConsole.MarkupLine($"{s.Phase}: {s.Completed}/{s.Runs} completed, {s.Aborted} aborted, {s.TimedOut} timed out; latency mean {Ms(s.LatencyMeanMs)}, median {Ms(s.LatencyP50Ms)}, max {Ms(s.LatencyMaxMs)}; {s.Retransmissions} retransmissions");
        }
    }

    private static string Outcome(PhaseOutcome outcome) => outcome == PhaseOutcome.TimedOut ? "timed out" : outcome.ToString().ToLowerInvariant();

    private static string Nodes(IReadOnlyList<int> nodes) => string.Join(",", nodes);

    private static string Ms(double? ms) => ms is { } v ? $"{v:0.0} ms" : "–";
}

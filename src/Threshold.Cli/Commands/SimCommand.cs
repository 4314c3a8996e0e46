using System.CommandLine;
using Spectre.Console;
using Threshold.Paillier;
using Threshold.Primes;
using Threshold.Simulator;
using Threshold.Simulator.Calibration;
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
        command.Add(Calibrate());
        command.Add(SweepCommand());
        return command;
    }

    private static Command SweepCommand()
    {
        var scenarioFile = new Argument<FileInfo>("scenario") { Description = "The base scenario (YAML); n, t and the signers are replaced per case." };
        var n = new Option<string>("--n") { Description = "Party counts: a range like 3..15, or one number.", Required = true };
        var t = new Option<string?>("--t") { Description = "Thresholds: a range like 2..5, or 2.. (up to n); default ⌈n/2⌉." };
        var json = new Option<string?>("--json") { Description = "Write the sweep as JSON to this file ('-' for standard output)." };
        var csv = new Option<string?>("--csv") { Description = "Write one CSV row per case and phase to this file ('-' for standard output)." };
        var html = new Option<string?>("--html") { Description = "Write a self-contained HTML report with plots (latency and bytes against n) to this file." };
        var figures = new Option<DirectoryInfo?>("--figures") { Description = "Also write latency-vs-n.svg and bytes-vs-n.svg into this folder." };
        var threads = new Option<int>("--threads") { Description = "Cases run at once.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var primes = new Option<FileInfo?>("--primes") { Description = "A safe-prime pool file for aux-info (real and fixed modes)." };
        var command = new Command("sweep", "Run a scenario for each n (and t) of a range on all cores, with a progress bar; per case and phase: latency, bytes, messages.")
        {
            scenarioFile, n, t, json, csv, html, figures, threads, primes,
        };
        command.SetAction(parse =>
        {
            if (GlobalOptions.Apply(parse) is { } failed)
            {
                return failed;
            }

            Scenario scenario;
            IReadOnlyList<(int N, int T)> cases;
            try
            {
                scenario = ScenarioFile.Load(parse.GetValue(scenarioFile)!.FullName);
                scenario.Primes = parse.GetValue(primes)?.FullName ?? scenario.Primes;
                var (nFrom, nTo) = Range(parse.GetValue(n)!, null);
                var (tFrom, tTo) = parse.GetValue(t) is { } tr ? Range(tr, int.MaxValue) : ((int?)null, (int?)null);
                cases = Simulator.Sweep.Cases(nFrom!.Value, nTo!.Value, tFrom, tTo);
                if (cases.Count == 0)
                {
                    throw new ScenarioException("the ranges give no case (t must be at most n)");
                }
            }
            catch (Exception e) when (e is ScenarioException or IOException or FormatException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }

            var jsonOut = parse.GetValue(json);
            var csvOut = parse.GetValue(csv);
            var simulator = new Simulator.Simulator(() => GeneratedPrimes(scenario, quiet: true));
            var watch = System.Diagnostics.Stopwatch.StartNew();
            SweepReport report;
            try
            {
                report = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }).Progress().Start(progress =>
                {
                    var task = progress.AddTask($"{Markup.Escape(scenario.Name)}: {cases.Count} cases", maxValue: cases.Count);
                    return Simulator.Sweep.Run(simulator, scenario, cases, parse.GetValue(threads), _ => task.Increment(1));
                });
            }
            catch (ScenarioException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }

            Console.Error.WriteLine($"{cases.Count} cases in {watch.Elapsed.TotalSeconds:0.0} s");
            Write(jsonOut, report.ToJson());
            Write(csvOut, report.ToCsv());
            if (parse.GetValue(html) is { } htmlOut)
            {
                File.WriteAllText(htmlOut, HtmlReport.Sweep(report));
            }

            if (parse.GetValue(figures) is { } folder)
            {
                folder.Create();
                File.WriteAllText(Path.Combine(folder.FullName, "latency-vs-n.svg"), HtmlReport.Svg(HtmlReport.LatencyVsN(report)));
                File.WriteAllText(Path.Combine(folder.FullName, "bytes-vs-n.svg"), HtmlReport.Svg(HtmlReport.BytesVsN(report)));
            }

            if (jsonOut != "-" && csvOut != "-")
            {
                Console.Out.Write(report.ToCsv());
            }

            return 0;
        });
        return command;
    }

    /// <summary>"3..15" → (3, 15); "2.." → (2, open); "5" → (5, 5).</summary>
    private static (int? From, int? To) Range(string text, int? open)
    {
        var parts = text.Split("..");
        var from = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        return parts.Length == 1 ? (from, from) : (from, parts[1].Length == 0 ? open ?? throw new FormatException($"'{text}': give an upper bound") : int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static Command Calibrate()
    {
        var output = new Option<string?>("--out") { Description = "Write the table here (default: standard output); simulator/calibration/default.json is the one built into the simulator." };
        var parties = new Option<string>("--parties") { Description = "Party counts to measure, comma-separated.", DefaultValueFactory = _ => "2,3,4" };
        var repetitions = new Option<int>("--repetitions") { Description = "Runs per party count (each cost is a median over them).", DefaultValueFactory = _ => 3 };
        var level = new Option<int>("--security-level") { Description = "Paillier modulus bits: 2048 or 3072.", DefaultValueFactory = _ => 2048 };
        var curve = new Option<string>("--curve") { Description = "secp256k1 or P-256.", DefaultValueFactory = _ => "secp256k1" };
        var primes = new Option<FileInfo?>("--primes") { Description = "A safe-prime pool file for aux-info (default: generate 2·max(parties) primes first)." };
        var clock = new Option<string>("--clock") { Description = "wall (a step costs its wall time) or cpu (the process CPU time it used; Linux).", DefaultValueFactory = _ => "wall" };
        var command = new Command("calibrate", "Measure, on this machine, what each step of each phase costs and sends (real cryptography, a few small party counts): the table cost mode charges.")
        {
            output, parties, repetitions, level, curve, primes, clock,
        };
        command.SetAction(parse =>
        {
            if (GlobalOptions.Apply(parse) is { } failed)
            {
                return failed;
            }

            List<int> counts;
            try
            {
                counts = [.. parse.GetValue(parties)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(x => int.Parse(x, System.Globalization.CultureInfo.InvariantCulture))];
            }
            catch (FormatException)
            {
                Console.Error.WriteLine("error: --parties takes comma-separated numbers, e.g. 2,3,4");
                return 2;
            }

            var probe = new Scenario { N = counts.DefaultIfEmpty(2).Max(), SecurityLevel = parse.GetValue(level) };
            var simulator = new Simulator.Simulator(() => GeneratedPrimes(probe, quiet: false));
            var watch = System.Diagnostics.Stopwatch.StartNew();
            CalibrationTable table;
            try
            {
                table = Calibrator.Measure(simulator, counts, parse.GetValue(repetitions), parse.GetValue(curve)!, parse.GetValue(level), parse.GetValue(primes)?.FullName, m => Console.Error.WriteLine($"measuring m = {m}…"), parse.GetValue(clock)!);
            }
            catch (Exception e) when (e is ScenarioException or ArgumentException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }

            Console.Error.WriteLine($"calibrated in {watch.Elapsed.TotalSeconds:0.0} s");
            Write(parse.GetValue(output) ?? "-", table.ToJson());
            return 0;
        });
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
        var html = new Option<string?>("--html") { Description = "Write a self-contained HTML report with plots (latency CDF per phase, timeline of the first run) to this file." };
        var command = new Command("run", "Run a scenario: per phase latency (virtual), rounds, bytes per party per round, messages, retransmissions, aborts, culprits.")
        {
            scenarioFile, seed, repetitions, json, csv, trace, primes, html,
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
                report = simulator.Run(scenario, parse.GetValue(seed), trace: parse.GetValue(trace) is not null || parse.GetValue(html) is not null);
            }
            catch (ScenarioException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }

            Write(jsonOut, ReportWriter.ToJson(report));
            Write(csvOut, ReportWriter.ToCsv(report));
            Write(parse.GetValue(trace), ReportWriter.ToTraceCsv(report));
            if (parse.GetValue(html) is { } htmlOut)
            {
                File.WriteAllText(htmlOut, HtmlReport.Run(report));
            }
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

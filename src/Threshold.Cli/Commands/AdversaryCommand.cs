using System.CommandLine;
using System.Diagnostics;
using System.Numerics;
using System.Text.Json;
using Spectre.Console;
using Threshold.Adversary;
using Threshold.Paillier;
using Threshold.Primes;

namespace Threshold.Cli.Commands;

/// <summary>
/// <c>threshold adversary --runs N --seed S [--json]</c>: a seeded campaign of Byzantine runs over every
/// protocol, checking on each that no honest party is blamed and every abort names a culprit.
/// </summary>
internal static class AdversaryCommand
{
    public static Command Create()
    {
        var runs = new Option<int>("--runs") { Description = "How many runs.", DefaultValueFactory = _ => 200 };
        var first = new Option<int>("--first") { Description = "Index of the first run: replays one run of a longer campaign with --runs 1.", DefaultValueFactory = _ => 0 };
        var seed = new Option<string>("--seed") { Description = "Seed of every choice (the same seed replays the same campaign).", DefaultValueFactory = _ => "threshold" };
        var parties = new Option<int>("--max-parties") { Description = "Largest n (2 to 5).", DefaultValueFactory = _ => 4 };
        var protocols = new Option<string[]>("--protocol") { Description = "Only these: keygen, refresh, aux-info, presign, sign (default all).", AllowMultipleArgumentsPerToken = true };
        var primes = new Option<FileInfo?>("--primes") { Description = "A safe-prime pool file (1024-bit primes) to use instead of generating them." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var command = new Command("adversary", "Run seeded Byzantine campaigns over keygen, refresh, aux-info, presigning and signing; check the identification guarantees.")
        {
            runs, first, seed, parties, protocols, primes, json,
        };
        command.SetAction(parse =>
        {
            if (GlobalOptions.Apply(parse) is { } failed)
            {
                return failed;
            }

            var maxParties = Math.Clamp(parse.GetValue(parties), 2, 5);
            var asJson = parse.GetValue(json);
            var chosen = (parse.GetValue(protocols) ?? []).Select(ParseProtocol).ToList();
            var level = SecurityLevel.Bits2048;
            var supply = LoadPrimes(parse.GetValue(primes), level.PrimeBits, 2 * maxParties, asJson);
            var total = parse.GetValue(runs);
            var watch = Stopwatch.StartNew();
            var progress = 0;
            var report = Campaign.Run(new CampaignOptions
            {
                Runs = total,
                FirstRun = parse.GetValue(first),
                Seed = parse.GetValue(seed)!,
                Level = level,
                MaxParties = maxParties,
                Protocols = chosen.Count == 0 ? null : chosen,
                Primes = () =>
                {
                    var pool = new PrimePool();
                    supply.ForEach(p => pool.Add(level.PrimeBits, p));
                    return pool;
                },
                OnRun = record =>
                {
                    if (!asJson && (++progress % 50 == 0 || record.Violations.Count > 0))
                    {
                        Console.Error.WriteLine($"{progress}/{total} runs ({watch.Elapsed.TotalSeconds:0} s){(record.Violations.Count > 0 ? $": run {record.Index} broke a guarantee" : "")}");
                    }
                },
            });
            Print(report, parse.GetValue(seed)!, watch.Elapsed, asJson);
            return report.Failures.Count == 0 ? 0 : 1;
        });
        return command;
    }

    private static AttackedProtocol ParseProtocol(string name) => name.ToLowerInvariant() switch
    {
        "keygen" => AttackedProtocol.Keygen,
        "refresh" => AttackedProtocol.Refresh,
        "aux-info" or "auxinfo" => AttackedProtocol.AuxInfo,
        "presign" => AttackedProtocol.Presign,
        "sign" => AttackedProtocol.Sign,
        _ => throw new ArgumentException($"unknown protocol '{name}'"),
    };

    /// <summary>The campaign's safe primes: from a pool file, or generated now (a few seconds, with progress).</summary>
    private static List<BigInteger> LoadPrimes(FileInfo? file, int bits, int count, bool quiet)
    {
        var pool = file is null ? new PrimePool() : PrimePool.Load(file.FullName);
        if (pool.Count(bits) < count)
        {
            if (!quiet)
            {
                Console.Error.WriteLine($"generating {count - pool.Count(bits)} safe primes of {bits} bits for aux-info runs…");
            }

            pool.FillAsync(bits, count).GetAwaiter().GetResult();
        }

        return [.. Enumerable.Range(0, count).Select(_ => pool.Take(bits)).Select(s => s.Value)];
    }

    private static void Print(CampaignReport report, string seed, TimeSpan elapsed, bool asJson)
    {
        var byProtocol = report.Runs.GroupBy(r => r.Protocol).OrderBy(g => g.Key).Select(g => new
        {
            protocol = g.Key.ToString(),
            runs = g.Count(),
            injected = g.Count(r => r.Injected),
            aborts = g.Count(r => r.HonestAborted),
            stalls = g.Count(r => r.Outcome == RunOutcome.Stalled),
            splits = g.Count(r => r.Outcome == RunOutcome.Split),
            culprits_named = g.Sum(r => r.Named.Count),
            honest_blamed = g.Sum(r => r.HonestBlamed.Count),
        }).ToList();
        var behaviours = report.Runs.SelectMany(r => r.Performed).GroupBy(b => b).OrderBy(g => g.Key).ToDictionary(g => g.Key.ToString(), g => g.Count());
        if (asJson)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                seed,
                runs = report.Runs.Count,
                injected = report.Injected,
                aborts = report.Aborts,
                stalls = report.Stalls,
                culprits_named = report.CulpritsNamed,
                honest_blamed = report.HonestBlamed,
                aborts_naming_nobody = report.NobodyNamed,
                elapsed_s = Math.Round(elapsed.TotalSeconds, 1),
                protocols = byProtocol,
                misbehaviours = behaviours,
                failures = report.Failures.Select(f => new { run = f.Index, protocol = f.Protocol.ToString(), participants = f.Participants, f.Threshold, malicious = f.Malicious, plan = f.Plan, violations = f.Violations }),
            }, new JsonSerializerOptions { WriteIndented = true }));
            return;
        }

        var table = new Table().AddColumns("protocol", "runs", "misbehaving", "aborts", "stalls", "splits", "culprits named", "honest blamed");
        foreach (var p in byProtocol)
        {
            table.AddRow(p.protocol, $"{p.runs}", $"{p.injected}", $"{p.aborts}", $"{p.stalls}", $"{p.splits}", $"{p.culprits_named}", $"{p.honest_blamed}");
        }

        table.AddRow("[bold]all[/]", $"{report.Runs.Count}", $"{report.Injected}", $"{report.Aborts}", $"{report.Stalls}", $"{report.Runs.Count(r => r.Outcome == RunOutcome.Split)}", $"{report.CulpritsNamed}", $"[bold]{report.HonestBlamed}[/]");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"seed {Markup.Escape(seed)}, {elapsed.TotalSeconds:0} s; aborts naming nobody: [bold]{report.NobodyNamed}[/]; runs breaking a guarantee: [bold]{report.Failures.Count}[/]");
        AnsiConsole.MarkupLine("misbehaviours that took effect: " + Markup.Escape(string.Join(", ", behaviours.Select(e => $"{e.Key} {e.Value}"))));
        foreach (var f in report.Failures)
        {
            AnsiConsole.MarkupLine($"[red]run {f.Index}[/] {f.Protocol} parties [{string.Join(",", f.Participants)}] t={f.Threshold} malicious [{string.Join(",", f.Malicious)}] {Markup.Escape(f.Plan)}: {Markup.Escape(string.Join(" | ", f.Violations))}");
        }
    }
}

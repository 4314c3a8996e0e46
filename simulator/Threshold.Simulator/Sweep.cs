using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Threshold.Simulator.Reports;
using Threshold.Simulator.Scenarios;

namespace Threshold.Simulator;

/// <summary>One case of a sweep: the scenario with n parties and threshold t, and what each phase did.</summary>
/// <param name="N">Parties.</param>
/// <param name="T">Threshold.</param>
/// <param name="Phases">Per phase over the case's repetitions.</param>
public sealed record SweepCase(int N, int T, IReadOnlyList<SweepPhase> Phases);

/// <summary>A phase of a sweep case, over its repetitions.</summary>
/// <param name="Phase">The phase.</param>
/// <param name="Completed">Runs that completed it.</param>
/// <param name="LatencyMeanMs">Mean latency of the completed runs (null: none).</param>
/// <param name="LatencyP50Ms">Median latency of the completed runs (null: none).</param>
/// <param name="WireBytes">Mean bytes on the wire per run, all parties, resends included.</param>
/// <param name="BytesPerParty">Mean bytes on the wire per run and participating party.</param>
/// <param name="Messages">Mean messages per run.</param>
public sealed record SweepPhase(string Phase, int Completed, double? LatencyMeanMs, double? LatencyP50Ms, double WireBytes, double BytesPerParty, double Messages);

/// <summary>A sweep over n and t of one scenario: the cases in (n, t) order, whatever order they ran in.</summary>
/// <param name="Scenario">The scenario's name.</param>
/// <param name="Seed">The seed every case ran from.</param>
/// <param name="Compute">How computation was charged.</param>
/// <param name="Cases">The cases.</param>
public sealed record SweepReport(string Scenario, string Seed, ComputeDescription Compute, IReadOnlyList<SweepCase> Cases)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The sweep as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json) + "\n";

    /// <summary>One row per case and phase.</summary>
    public string ToCsv()
    {
        var csv = new StringBuilder("scenario,n,t,phase,completed,latency_mean_ms,latency_p50_ms,wire_bytes,bytes_per_party,messages\n");
        foreach (var c in Cases)
        {
            foreach (var p in c.Phases)
            {
                csv.AppendJoin(',', Scenario, Number(c.N), Number(c.T), p.Phase, Number(p.Completed), p.LatencyMeanMs is { } mean ? Number(mean) : "", p.LatencyP50Ms is { } median ? Number(median) : "", Number(p.WireBytes), Number(p.BytesPerParty), Number(p.Messages)).Append('\n');
            }
        }

        return csv.ToString();
    }

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Runs a scenario for each (n, t) of a sweep, in parallel; each case is deterministic, so the report is too.</summary>
public static class Sweep
{
    /// <summary>The (n, t) cases for n in [<paramref name="nFrom"/>, <paramref name="nTo"/>] and t in [tFrom, tTo] (t ≤ n); t defaults to ⌈n/2⌉.</summary>
    public static IReadOnlyList<(int N, int T)> Cases(int nFrom, int nTo, int? tFrom = null, int? tTo = null) =>
    [
        .. Enumerable.Range(nFrom, Math.Max(0, nTo - nFrom + 1)).SelectMany(n =>
            tFrom is { } lo
                ? Enumerable.Range(lo, Math.Max(0, Math.Min(tTo ?? n, n) - lo + 1)).Select(t => (n, t))
                : [(n, (n + 1) / 2)]),
    ];

    /// <summary>Runs every case of <paramref name="scenario"/> on up to <paramref name="parallelism"/> threads.</summary>
    /// <param name="simulator">Runs the cases.</param>
    /// <param name="scenario">The base scenario; n, t and the signers are replaced per case, and links and events naming nodes beyond n dropped.</param>
    /// <param name="cases">(n, t) pairs.</param>
    /// <param name="parallelism">Threads (e.g. the processor count).</param>
    /// <param name="done">Called after each case (from any thread).</param>
    /// <exception cref="ScenarioException">A case cannot run.</exception>
    public static SweepReport Run(Simulator simulator, Scenario scenario, IReadOnlyList<(int N, int T)> cases, int parallelism, Action<SweepCase>? done = null)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(cases);
        var results = new SweepCase[cases.Count];
        SimulationReport? first = null;
        Parallel.For(0, cases.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) }, k =>
        {
            var (n, t) = cases[k];
            var report = simulator.Run(Resize(scenario, n, t));
            Interlocked.CompareExchange(ref first, report, null);
            results[k] = new SweepCase(n, t, [.. report.Summary.Select(s => Summarize(s, report))]);
            done?.Invoke(results[k]);
        });
        return new SweepReport(scenario.Name, scenario.Seed, first?.Compute ?? new ComputeDescription(scenario.Compute.Mode, null), [.. results.OrderBy(c => c.N).ThenBy(c => c.T)]);
    }

    /// <summary>The scenario with n parties and threshold t: default signers, links and events among nodes 1..n only.</summary>
    internal static Scenario Resize(Scenario scenario, int n, int t)
    {
        bool Within(int node) => node <= n;
        var links = scenario.Network.Links
            .Select(l => new LinkOverrideSpec { Between = [.. l.Between.Select(g => g.Where(Within).ToList())], Latency = l.Latency, BandwidthMbps = l.BandwidthMbps, Loss = l.Loss, RetransmitTimeoutMs = l.RetransmitTimeoutMs })
            .Where(l => l.Between.All(g => g.Count > 0))
            .ToList();
        var events = scenario.Events.Where(e => e.Node is null || Within(e.Node.Value))
            .Select(e => new EventSpec { AtMs = e.AtMs, Phase = e.Phase, Kind = e.Kind, Node = e.Node, Factor = e.Factor, Groups = e.Groups?.Select(g => g.Where(Within).ToList()).Where(g => g.Count > 0).ToList() })
            .Where(e => e.Kind != "partition" || e.Groups!.Count > 0)
            .ToList();
        return new Scenario
        {
            Name = scenario.Name,
            Description = scenario.Description,
            N = n,
            T = t,
            Curve = scenario.Curve,
            SecurityLevel = scenario.SecurityLevel,
            Phases = scenario.Phases,
            Signers = null,
            Repetitions = scenario.Repetitions,
            Seed = scenario.Seed,
            PhaseTimeoutMs = scenario.PhaseTimeoutMs,
            Primes = scenario.Primes,
            Compute = scenario.Compute,
            Network = new NetworkSpec { Default = scenario.Network.Default, Links = links },
            Events = events,
            Behaviours = [.. scenario.Behaviours.Where(b => Within(b.Node))],
        };
    }

    private static SweepPhase Summarize(PhaseSummary summary, SimulationReport report)
    {
        var phases = report.Runs.SelectMany(r => r.Phases).Where(p => p.Phase == summary.Phase).ToList();
        return new SweepPhase(
            summary.Phase,
            summary.Completed,
            summary.LatencyMeanMs,
            summary.LatencyP50Ms,
            Math.Round(phases.Average(p => (double)p.WireBytes), 1),
            Math.Round(phases.Average(p => p.Parties.Count == 0 ? 0 : (double)p.WireBytes / p.Parties.Count), 1),
            Math.Round(phases.Average(p => (double)p.Messages), 1));
    }
}

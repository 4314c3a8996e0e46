using System.Globalization;
using Threshold.Simulator.Engine;
using Threshold.Simulator.Scenarios;

namespace Threshold.Simulator.Calibration;

/// <summary>
/// Measures a <see cref="CalibrationTable"/> on this machine: real-mode runs of every phase at a few
/// party counts (n = t = m, so every phase has m parties), each step timed and classified by phase, round
/// and whether it completed its round; the table keeps each class's deciles over the runs, and the
/// sizes of what it sent, each fitted linearly in m.
/// </summary>
/// <remarks>
/// Steps, not primitive operations, are the unit: a step is what the engine charges, and its median
/// already holds the mix of proofs, Paillier operations and checks the protocol does in it, so nothing
/// is lost in composing per-primitive costs. Keygen is measured with t = m; its dependence on t (one
/// more curve point per commitment) is left out.
/// </remarks>
public static class Calibrator
{
    /// <summary>The phases a table covers.</summary>
    public static IReadOnlyList<string> Phases { get; } = ["keygen", "refresh", "aux-info", "presign", "sign"];

    /// <summary>Runs the measurements and fits the table.</summary>
    /// <param name="simulator">Runs the real-mode scenarios (its prime supply feeds aux-info).</param>
    /// <param name="partyCounts">Party counts to measure (at least one; two or more give slopes).</param>
    /// <param name="repetitions">Runs per party count.</param>
    /// <param name="curve">The curve.</param>
    /// <param name="securityLevel">Paillier modulus bits.</param>
    /// <param name="primes">A prime pool file for aux-info (null: the simulator's supply).</param>
    /// <param name="progress">Told about each party count as it starts.</param>
    /// <param name="clock"><c>wall</c> or <c>cpu</c>: how a step is measured (see <see cref="ComputeSpec.Clock"/>).</param>
    public static CalibrationTable Measure(Simulator simulator, IReadOnlyList<int> partyCounts, int repetitions = 3, string curve = "secp256k1", int securityLevel = 2048, string? primes = null, Action<int>? progress = null, string clock = "wall")
    {
        ArgumentNullException.ThrowIfNull(simulator);
        ArgumentNullException.ThrowIfNull(partyCounts);
        if (partyCounts.Count == 0 || partyCounts.Any(m => m < 2) || repetitions < 1)
        {
            throw new ArgumentException("party counts of at least 2 and at least one repetition are needed");
        }

        // One run thrown away first: JIT compilation and first-use caches would otherwise inflate the smallest count.
        simulator.Record(Scenario(partyCounts.Min(), 1, curve, securityLevel, primes, clock), []);
        var steps = new List<StepRecord>();
        foreach (var m in partyCounts.Distinct().Order())
        {
            progress?.Invoke(m);
            simulator.Record(Scenario(m, repetitions, curve, securityLevel, primes, clock), steps);
        }

        var machine = $"{Environment.MachineName}, {Environment.ProcessorCount} processors, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {clock} clock";
        return new CalibrationTable(machine, securityLevel, curve, [.. partyCounts.Distinct().Order()], repetitions, [.. Phases.Select(p => Profile(p, steps.Where(s => s.Phase == p).ToList()))]);
    }

    /// <summary>The median of <paramref name="values"/> (0 when empty).</summary>
    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static Scenario Scenario(int m, int repetitions, string curve, int securityLevel, string? primes, string clock) => new()
    {
        Name = $"calibration-{m.ToString(CultureInfo.InvariantCulture)}",
        N = m,
        T = m,
        Curve = curve,
        SecurityLevel = securityLevel,
        Phases = [.. Phases],
        Repetitions = repetitions,
        Seed = "calibration",
        Primes = primes,
        Compute = new ComputeSpec { Mode = "real", Clock = clock },
        Network = new NetworkSpec { Default = new LinkSpec { Latency = new LatencySpec { Distribution = "constant", Ms = 1 } } },
    };

    private static PhaseProfile Profile(string phase, List<StepRecord> steps)
    {
        var byCount = steps.GroupBy(s => s.Participants).OrderBy(g => g.Key).ToList();
        var rounds = steps.Select(s => s.Round).Concat(steps.SelectMany(s => s.Emitted).Select(e => e.Round)).DefaultIfEmpty(1).Max();
        return new PhaseProfile(
            phase,
            Deciles(byCount, g => g.Where(s => s.Round == 0)),
            [.. Enumerable.Range(1, rounds).Select(k => Round(k, byCount))]);
    }

    private static RoundProfile Round(int k, List<IGrouping<int, StepRecord>> byCount)
    {
        // Per party and recipient: the steps of a count hold every party's output, over every repetition.
        static double Starts(IGrouping<int, StepRecord> g) => Math.Max(1, g.Count(s => s.Round == 0));
        IEnumerable<Emitted> Sent(IGrouping<int, StepRecord> g, bool broadcast) => g.SelectMany(s => s.Emitted).Where(e => e.Round == k && e.Broadcast == broadcast);
        return new RoundProfile(
            k,
            Fit(byCount, g => Sent(g, true).Count() / Starts(g)),
            Fit(byCount, g => Sent(g, true).Select(e => (double)e.Bytes).DefaultIfEmpty(0).Average()),
            Fit(byCount, g => Sent(g, false).Count() / Starts(g) / Math.Max(1, g.Key - 1)),
            Fit(byCount, g => Sent(g, false).Select(e => (double)e.Bytes).DefaultIfEmpty(0).Average()),
            Deciles(byCount, g => g.Where(s => s.Round == k && !s.Completes)),
            Deciles(byCount, g => g.Where(s => s.Round == k && s.Completes)));
    }

    /// <summary>Each decile of the selected steps' costs, fitted across the party counts (none measured: free).</summary>
    private static CostFit Deciles(List<IGrouping<int, StepRecord>> byCount, Func<IGrouping<int, StepRecord>, IEnumerable<StepRecord>> select)
    {
        var costs = byCount.Select(g => (g.Key, Costs: select(g).Select(s => s.CostMs).Order().ToList())).Where(x => x.Costs.Count > 0).ToList();
        return costs.Count == 0
            ? new CostFit([])
            : new CostFit([.. Enumerable.Range(0, 10).Select(d => LinearFit.Through([.. costs.Select(x => (x.Key, x.Costs[Math.Min(x.Costs.Count - 1, (int)((d + 0.5) * x.Costs.Count / 10))]))]))]);
    }

    private static LinearFit Fit(List<IGrouping<int, StepRecord>> byCount, Func<IGrouping<int, StepRecord>, double> value) =>
        LinearFit.Through([.. byCount.Select(g => (g.Key, value(g)))]);
}

using System.Collections.Concurrent;
using Threshold.Adversary;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Primes;
using Threshold.Simulator.Calibration;
using Threshold.Simulator.Engine;
using Threshold.Simulator.Reports;
using Threshold.Simulator.Scenarios;

namespace Threshold.Simulator;

/// <summary>
/// Runs scenarios: for each repetition, the scenario's phases in turn over a fresh virtual network,
/// with the real state machines of protocols/. Identities, and the keys and aux info of phases a
/// scenario does not simulate, are made once per (level, n) and shared by every run of this instance.
/// </summary>
public sealed class Simulator
{
    private readonly Func<PrimePool> defaultPrimes;
    private readonly ConcurrentDictionary<(string Level, string Primes, int N), Lazy<(Fixtures Fixtures, PrimeSupply Supply)>> setups = new();
    private readonly ConcurrentDictionary<string, Lazy<CalibrationTable>> calibrations = new();
    private readonly CalibrationTable? calibration;

    /// <summary>Creates a simulator.</summary>
    /// <param name="primes">
    /// Where aux-info's safe primes come from when a scenario names no pool file: a pool holding at least
    /// two primes of the level's size (taken once; reused in turn for every run).
    /// </param>
    /// <param name="calibration">
    /// The cost model's table for scenarios in <c>cost</c> mode that name none (null: the table committed
    /// under simulator/calibration/).
    /// </param>
    public Simulator(Func<PrimePool> primes, CalibrationTable? calibration = null)
    {
        defaultPrimes = primes ?? throw new ArgumentNullException(nameof(primes));
        this.calibration = calibration;
    }

    /// <summary>Runs every repetition of <paramref name="scenario"/>.</summary>
    /// <param name="scenario">A validated scenario.</param>
    /// <param name="seed">Replaces the scenario's seed when given.</param>
    /// <param name="trace">Records every transmission in <see cref="RunReport.Transmissions"/> (for timelines).</param>
    /// <exception cref="ScenarioException">The scenario cannot be run.</exception>
    public SimulationReport Run(Scenario scenario, string? seed = null, bool trace = false) => Run(scenario, seed, trace, null);

    /// <summary>Runs <paramref name="scenario"/> and records every step in <paramref name="steps"/> (for calibration).</summary>
    internal SimulationReport Record(Scenario scenario, List<StepRecord> steps) => Run(scenario, null, false, steps);

    /// <summary>The calibration table of a <c>cost</c>-mode scenario: its own file, this simulator's, or the committed one.</summary>
    /// <exception cref="ScenarioException">None is available.</exception>
    internal CalibrationTable Calibration(Scenario scenario) =>
        calibrations.GetOrAdd(scenario.Compute.Calibration ?? "", path => new(() => path != ""
            ? CalibrationTable.Load(path)
            : calibration ?? CalibrationTable.Default ?? throw new ScenarioException("cost mode needs a calibration table: run `threshold sim calibrate` and name it in compute.calibration"))).Value;

    private SimulationReport Run(Scenario scenario, string? seed, bool trace, List<StepRecord>? steps)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ScenarioFile.Validate(scenario);
        seed ??= scenario.Seed;

        // One aggregator's memory across the repetitions: a signer whose run failed goes to the back of the queue, as in the cluster.
        var selection = new Aggregator.SignerSelection(scenario.T);
        var runs = Enumerable.Range(0, scenario.Repetitions).Select(r => new ScenarioRun(this, scenario, $"{seed}/{r}", trace, selection) { Steps = steps }.Execute(r)).ToList();
        var summary = scenario.Phases.Select(PhaseNames.Parse).Select(p => Summarize(p.Name(), runs)).ToList();
        return new SimulationReport(
            scenario.Name,
            seed,
            scenario.N,
            scenario.T,
            Curve.FromName(scenario.Curve).Name,
            scenario.SecurityLevel,
            new ComputeDescription(scenario.Compute.Mode, scenario.Compute.Mode == "fixed" ? scenario.Compute.StepMs : null, scenario.Compute.Mode == "cost" ? Calibration(scenario).Machine : null),
            [.. scenario.Behaviours.Select(b => b.Node).Distinct().Order()],
            summary,
            runs);
    }

    /// <summary>The shared set-ups for <paramref name="scenario"/>'s level, prime pool and n, made once.</summary>
    internal (Fixtures Fixtures, PrimeSupply Supply) Setup(Scenario scenario)
    {
        var level = SecurityLevel.FromName(scenario.SecurityLevel.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return setups.GetOrAdd((level.Name, scenario.Primes ?? "", scenario.N), _ => new(() =>
        {
            var source = scenario.Primes is { } file ? () => PrimePool.Load(file) : defaultPrimes;
            var supply = new PrimeSupply(source, level.PrimeBits);
            return (new Fixtures(level, () => supply.Pool(scenario.N)), supply);
        })).Value;
    }

    private static PhaseSummary Summarize(string phase, List<RunReport> runs)
    {
        var reports = runs.SelectMany(r => r.Phases).Where(p => p.Phase == phase && p.Outcome != PhaseOutcome.Skipped).ToList();
        var latencies = reports.Where(p => p.Outcome == PhaseOutcome.Completed).Select(p => p.LatencyMs).Order().ToList();
        return new PhaseSummary(
            phase,
            reports.Count,
            latencies.Count,
            reports.Count(p => p.Outcome == PhaseOutcome.Aborted),
            reports.Count(p => p.Outcome == PhaseOutcome.TimedOut),
            latencies.Count == 0 ? null : Math.Round(latencies.Average(), 3),
            latencies.Count == 0 ? null : latencies[(latencies.Count - 1) / 2],
            latencies.Count == 0 ? null : latencies[^1],
            reports.Sum(p => p.Retransmissions));
    }
}

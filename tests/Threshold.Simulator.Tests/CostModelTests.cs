using System.Globalization;
using Threshold.Simulator.Calibration;
using Threshold.Simulator.Reports;
using Threshold.Simulator.Scenarios;
using Threshold.Testing;

namespace Threshold.Simulator.Tests;

/// <summary>The cost model: what it sends and charges, and how well it predicts real-mode runs on this machine.</summary>
public sealed class CostModelTests(ITestOutputHelper output)
{
    /// <summary>A table with round numbers: every step 1 ms, every start 2 ms, two rounds of 100-byte broadcasts.</summary>
    internal static readonly CalibrationTable Simple = new(
        "test",
        2048,
        "secp256k1",
        [2, 3],
        1,
        [
            .. Calibrator.Phases.Select(p => new PhaseProfile(
                p,
                CostFit.Constant(2),
                [
                    .. Enumerable.Range(1, p == "sign" ? 1 : 2).Select(k => new RoundProfile(
                        k, new LinearFit(p == "sign" ? 0 : 1, 0), new LinearFit(100, 0), new LinearFit(p == "sign" ? 1 : 0, 0), new LinearFit(36, 0), CostFit.Constant(1), CostFit.Constant(1))),
                ])),
        ]);

    [Fact]
    public void CostModeFollowsTheTableWithoutCryptography()
    {
        var simulator = new Simulator(() => throw new InvalidOperationException("cost mode needs no primes"), Simple);
        var scenario = Scenarios.Parse("keygen, aux-info, presign, sign", "compute: { mode: cost }\nnetwork: { default: { latency: { distribution: constant, ms: 10 } } }", n: 4, t: 3);

        var report = simulator.Run(scenario);

        // Each round: 10 ms latency, then n − 2 receipts and the completing one, 1 ms each (the receipts arrive together).
        var keygen = report.Phase("keygen");
        Assert.Equal(PhaseOutcome.Completed, keygen.Outcome);
        Assert.Equal(2 + ((10 + 3) * 2), keygen.LatencyMs, precision: 2); // and 0.8 µs a message at 1 Gbit/s
        Assert.Equal(4 * 3 * 2, keygen.Messages);
        Assert.Equal(4 * 3 * 2 * 100, keygen.WireBytes);
        Assert.Equal([100L, 100L], keygen.Parties[0].BytesPerRound);
        Assert.Equal(3, report.Phase("presign").Parties.Count);
        var sign = report.Phase("sign");
        Assert.Equal(2 + 10 + 2, sign.LatencyMs, precision: 2); // the combiner takes its own σ at 2 ms, the others' at 12
        Assert.Equal(2, sign.Messages);
        Assert.Equal("cost", report.Compute.Mode);
        Assert.Equal("test", report.Compute.Calibration);
    }

    [Fact]
    public void CostModeTimesOutAcrossAPartitionAndNamesTheNode()
    {
        var simulator = new Simulator(TestPrimes.Pool, Simple);
        var scenario = Scenarios.Parse("keygen", "compute: { mode: cost }\nevents:\n  - { at_ms: 0, kind: partition, groups: [[3]] }", timeoutMs: 1000);

        var keygen = simulator.Run(scenario).Phase("keygen");

        Assert.Equal(PhaseOutcome.TimedOut, keygen.Outcome);
        Assert.Equal([3], keygen.Unreachable);
    }

    [Fact]
    public void CostModeRefusesByzantineNodes()
    {
        var e = Assert.Throws<ScenarioException>(() => Scenarios.Parse("keygen", "compute: { mode: cost }\nbehaviours:\n  - { node: 2, misbehaviour: Withhold, phase: keygen }"));
        Assert.Contains("real or fixed", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The requirement: calibrated here and now (not from a committed table, so CI's machine is
    /// measured against itself), the cost model predicts each phase's real-mode latency within 15 % on
    /// three small scenarios. Both sides measure steps in process CPU time (<c>clock: cpu</c>): on a shared
    /// machine wall time mostly measures the other load, which drifts during the test. Real mode is
    /// still noisy (garbage collections, the runtime's own threads), so each real figure is
    /// the median of three runs, and the cost model's the median of nine (it draws step costs from the
    /// measured deciles, reproducibly from the seed).
    /// </summary>
    [Fact(Skip = "not met yet: two-signer presign and sign miss by 28-57 % (docs/simulator.md, agreement); issue #17 stays open until this passes")]
    [Trait("Category", "Slow")]
    public void CostModelPredictsRealModeWithinFifteenPercent()
    {
        var simulator = new Simulator(TestPrimes.Pool);
        var table = Calibrator.Measure(simulator, [2, 3], repetitions: 3, clock: "cpu");
        var predictor = new Simulator(TestPrimes.Pool, table);
        string[] scenarios =
        [
            "n: 3\nt: 2\nphases: [keygen, aux-info, presign, sign]\nnetwork: { default: { latency: { distribution: constant, ms: 10 } } }",
            "n: 3\nt: 3\nphases: [keygen, presign, sign]\nnetwork: { default: { latency: { distribution: constant, ms: 30 }, bandwidth_mbps: 20 } }",
            "n: 2\nt: 2\nphases: [keygen, refresh, presign, sign]\nnetwork: { default: { latency: { distribution: constant, ms: 5 } } }",
        ];
        var worst = 0.0;
        var failures = "";
        foreach (var (yaml, index) in scenarios.Select((s, i) => (s, i)))
        {
            var real = ScenarioFile.Parse($"name: agreement-{index}\nseed: agreement\nrepetitions: 3\ncompute: {{ mode: real, clock: cpu }}\n{yaml}");
            var cost = ScenarioFile.Parse($"name: agreement-{index}\nseed: agreement\nrepetitions: 9\ncompute: {{ mode: cost }}\n{yaml}");
            var measured = simulator.Run(real);
            var predicted = predictor.Run(cost);
            foreach (var phase in real.Phases)
            {
                var realMs = Calibrator.Median(measured.Runs.Select(r => r.Phases.Single(p => p.Phase == phase).LatencyMs));
                var costMs = Calibrator.Median(predicted.Runs.Select(r => r.Phases.Single(p => p.Phase == phase).LatencyMs));
                var error = (costMs - realMs) / realMs;
                worst = Math.Max(worst, Math.Abs(error));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scenario {index} {phase}: real {realMs:0.0} ms, cost model {costMs:0.0} ms, {100 * error:+0.0;-0.0} %"));
                failures += Math.Abs(error) <= 0.15 ? "" : $"scenario {index} {phase}: real {realMs} ms, cost model {costMs} ms; ";
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"worst: {100 * worst:0.0} %"));
        Assert.True(failures.Length == 0, failures);
    }
}

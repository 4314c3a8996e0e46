using Threshold.Simulator.Reports;

namespace Threshold.Simulator.Tests;

/// <summary>The same scenario and seed give the same bytes, whatever the wall clock did.</summary>
public sealed class DeterminismTests
{
    private const string Network = """
        network:
          default:
            latency: { distribution: lognormal, median_ms: 30, sigma: 0.4 }
            bandwidth_mbps: 20
            loss: 0.1
            retransmit_timeout_ms: 100
          links:
            - between: [[1], [2, 3]]
              latency: { distribution: normal, mean_ms: 50, stddev_ms: 20 }
        events:
          - { phase: presign, at_ms: 5, kind: slow, node: 2, factor: 3 }
        repetitions: 2
        """;

    [Fact]
    public void SameSeedGivesTheSameJsonAndCsvBytes()
    {
        var scenario = Scenarios.Parse("keygen, presign, sign", Network);
        var first = Scenarios.Simulator.Run(scenario);
        var second = Scenarios.Simulator.Run(scenario);

        Assert.Equal(ReportWriter.ToJson(first), ReportWriter.ToJson(second));
        Assert.Equal(ReportWriter.ToCsv(first), ReportWriter.ToCsv(second));
        Assert.All(first.Runs.SelectMany(r => r.Phases), p => Assert.Equal(PhaseOutcome.Completed, p.Outcome));
        Assert.True(first.Runs.Sum(r => r.Phases.Sum(p => p.Retransmissions)) > 0, "10 % loss caused no retransmission");
    }

    [Fact]
    public void AnotherSeedGivesAnotherRun()
    {
        var scenario = Scenarios.Parse("keygen", Network.Replace("phase: presign, ", "", StringComparison.Ordinal));
        var first = Scenarios.Simulator.Run(scenario, seed: "one");
        var second = Scenarios.Simulator.Run(scenario, seed: "two");

        Assert.NotEqual(first.Runs[0].TotalMs, second.Runs[0].TotalMs);
        Assert.Equal("one", first.Seed);
    }
}

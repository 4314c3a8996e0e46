using Threshold.Simulator.Reports;

namespace Threshold.Simulator.Tests;

/// <summary>Phases hand their outputs on: refreshed shares presign and sign under the key keygen made.</summary>
public sealed class PhaseTests
{
    [Fact]
    public void RefreshedSharesPresignAndSign()
    {
        var report = Scenarios.Simulator.Run(Scenarios.Parse("keygen, refresh, presign, sign", """
            network:
              default: { latency: { distribution: constant, ms: 5 } }
            """));

        Assert.All(report.Runs.Single().Phases, p => Assert.Equal(PhaseOutcome.Completed, p.Outcome));
        Assert.Equal(4, report.Phase("refresh").Rounds);
        Assert.Equal(report.Phase("keygen").EndMs, report.Phase("refresh").StartMs);
        Assert.Equal("combiner: node 1", report.Phase("sign").Note);
    }

    [Fact]
    public void APhaseThatDoesNotCompleteSkipsTheRest()
    {
        var report = Scenarios.Simulator.Run(Scenarios.Parse("keygen, refresh", """
            events:
              - { at_ms: 0, kind: crash, node: 3 }
            """, timeoutMs: 500));

        Assert.Equal(PhaseOutcome.TimedOut, report.Phase("keygen").Outcome);
        Assert.Equal(PhaseOutcome.Skipped, report.Phase("refresh").Outcome);
        Assert.Equal("skipped: keygen timed out", report.Phase("refresh").Note);
    }
}

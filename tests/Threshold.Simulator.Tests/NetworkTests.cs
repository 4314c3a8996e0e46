using Threshold.Simulator.Reports;

namespace Threshold.Simulator.Tests;

/// <summary>Each feature of the network model, on key generation (fast) among three nodes.</summary>
public sealed class NetworkTests
{
    private const string Lan = """
        network:
          default: { latency: { distribution: constant, ms: 10 }, bandwidth_mbps: 1000000, retransmit_timeout_ms: 200 }
        """;

    [Fact]
    public void WithFreeComputeAPhaseTakesOneLatencyPerRound()
    {
        var scenario = Scenarios.Parse("keygen", Lan);
        scenario.Compute.StepMs = 0;
        var keygen = Scenarios.Simulator.Run(scenario).Phase("keygen");

        Assert.Equal(PhaseOutcome.Completed, keygen.Outcome);
        Assert.Equal(4, keygen.Rounds);
        Assert.Equal(40, keygen.LatencyMs, precision: 2);
    }

    [Fact]
    public void LowBandwidthAddsTransferTime()
    {
        var fast = Scenarios.Simulator.Run(Scenarios.Parse("keygen", Lan)).Phase("keygen");
        var slow = Scenarios.Simulator.Run(Scenarios.Parse("keygen", Lan.Replace("1000000", "1", StringComparison.Ordinal))).Phase("keygen");

        // At 1 Mbit/s a byte takes 8 µs; every round's message on the critical path is hundreds of bytes.
        Assert.True(slow.LatencyMs >= fast.LatencyMs + 10, $"{slow.LatencyMs} ms at 1 Mbit/s against {fast.LatencyMs} ms");
        Assert.Equal(fast.WireBytes, slow.WireBytes);
    }

    [Fact]
    public void APartitionLongerThanTheTimeoutAbortsAndNamesTheUnreachableNode()
    {
        var report = Scenarios.Simulator.Run(Scenarios.Parse("keygen", Lan + "\n" + """
            events:
              - { at_ms: 15, kind: partition, groups: [[1, 2], [3]] }
            """, timeoutMs: 2000)).Phase("keygen");

        Assert.Equal(PhaseOutcome.TimedOut, report.Outcome);
        Assert.Equal(2000, report.EndMs);
        Assert.Equal([3], report.Unreachable);
        Assert.Empty(report.Culprits);
        Assert.Contains(report.Waiting, w => w.Party == 1 && w.WaitsFor.SequenceEqual([3]));
        Assert.True(report.Retransmissions > 0);
    }

    [Fact]
    public void APartitionHealedInTimeDelaysThePhaseAndCostsRetransmissions()
    {
        var report = Scenarios.Simulator.Run(Scenarios.Parse("keygen", Lan + "\n" + """
            events:
              - { at_ms: 15, kind: partition, groups: [[3]] }
              - { at_ms: 1000, kind: heal }
            """, timeoutMs: 5000)).Phase("keygen");

        Assert.Equal(PhaseOutcome.Completed, report.Outcome);
        Assert.True(report.LatencyMs > 1000, $"{report.LatencyMs} ms");
        Assert.True(report.Retransmissions > 0);
    }

    [Fact]
    public void ACrashedNodeIsNamedWhenThePhaseTimesOut()
    {
        var report = Scenarios.Simulator.Run(Scenarios.Parse("keygen", Lan + "\n" + """
            events:
              - { at_ms: 0, kind: crash, node: 2 }
            """, timeoutMs: 1500)).Phase("keygen");

        Assert.Equal(PhaseOutcome.TimedOut, report.Outcome);
        Assert.Equal([2], report.Unreachable);
    }

    [Fact]
    public void ANodeThatRecoversCatchesUp()
    {
        var report = Scenarios.Simulator.Run(Scenarios.Parse("keygen", Lan + "\n" + """
            events:
              - { at_ms: 5, kind: crash, node: 2 }
              - { at_ms: 700, kind: recover, node: 2 }
            """, timeoutMs: 5000)).Phase("keygen");

        Assert.Equal(PhaseOutcome.Completed, report.Outcome);
        Assert.True(report.LatencyMs > 700);
        Assert.True(report.Retransmissions > 0);
    }

    [Fact]
    public void LossWithRetransmissionCompletes()
    {
        var report = Scenarios.Simulator.Run(Scenarios.Parse("keygen", """
            network:
              default: { latency: { distribution: constant, ms: 10 }, loss: 0.3, retransmit_timeout_ms: 100 }
            """)).Phase("keygen");

        Assert.Equal(PhaseOutcome.Completed, report.Outcome);
        Assert.True(report.Retransmissions > 0);
        Assert.True(report.WireBytes > report.Parties.Sum(p => p.WireBytes - (p.WireBytes * p.Retransmissions / (p.Messages + p.Retransmissions))));
        Assert.True(report.LatencyMs > 40);
    }

    [Fact]
    public void TheTraceRecordsEveryTransmissionAndEveryLoss()
    {
        var report = Scenarios.Simulator.Run(Scenarios.Parse("keygen", """
            network:
              default: { latency: { distribution: constant, ms: 10 }, loss: 0.2, retransmit_timeout_ms: 100 }
            """), trace: true);
        var keygen = report.Phase("keygen");
        var trace = report.Runs.Single().Transmissions!;

        Assert.Equal(keygen.Messages + keygen.Retransmissions, trace.Count);
        Assert.Equal(keygen.Retransmissions, trace.Count(t => t.ArrivedMs is null));
        Assert.Equal(keygen.WireBytes, trace.Sum(t => (long)t.Bytes));
        // Arrival = start + size / 1000 Mbit/s + 10 ms latency (times rounded to the microsecond).
        Assert.All(trace.Where(t => t.ArrivedMs is not null), t => Assert.InRange(t.ArrivedMs!.Value - t.SentMs, 10 - 0.002, 10 + (t.Bytes * 8 / 1e6) + 0.002));
        Assert.Equal(trace.Count + 1, ReportWriter.ToTraceCsv(report).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void ASlowNodeHoldsUpThePhase()
    {
        var normal = Scenarios.Simulator.Run(Scenarios.Parse("keygen", Lan)).Phase("keygen");
        var slowed = Scenarios.Simulator.Run(Scenarios.Parse("keygen", Lan + "\n" + """
            events:
              - { at_ms: 0, kind: slow, node: 3, factor: 20 }
            """)).Phase("keygen");

        Assert.True(slowed.LatencyMs >= normal.LatencyMs + 40, $"{slowed.LatencyMs} ms slowed against {normal.LatencyMs} ms");
    }
}

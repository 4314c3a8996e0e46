using Threshold.Simulator.Reports;

namespace Threshold.Simulator.Tests;

/// <summary>Misbehaviours of the adversary catalogue, assigned in a scenario: the culprit is named, no honest node is.</summary>
public sealed class ByzantineTests
{
    private const string Network = """
        network:
          default: { latency: { distribution: lognormal, median_ms: 10, sigma: 0.3 } }
        """;

    [Fact]
    public void AWrongDeltaInPresigningNamesItsSenderAndNoHonestNode()
    {
        var report = Scenarios.Simulator.Run(Scenarios.Parse("presign, sign", Network + "\n" + """
            signers: [1, 2, 3]
            behaviours:
              - { node: 2, misbehaviour: WrongDelta, phase: presign }
            """));
        var presign = report.Phase("presign");

        Assert.Equal(PhaseOutcome.Aborted, presign.Outcome);
        Assert.Equal([2], presign.Culprits);
        Assert.Empty(presign.HonestBlamed);
        Assert.Contains(presign.Blames, b => b.Accuser == 1 && b.Accused == 2 && b.AccuserHonest && !b.AccusedHonest);
        Assert.Equal(PhaseOutcome.Skipped, report.Phase("sign").Outcome);
        Assert.Equal([2], report.Malicious);
    }

    [Fact]
    public void ATamperedKeygenMessageNamesItsSender()
    {
        var keygen = Scenarios.Simulator.Run(Scenarios.Parse("keygen", Network + "\n" + """
            behaviours:
              - { node: 3, misbehaviour: TamperField, phase: keygen, round: 2 }
            """)).Phase("keygen");

        Assert.Equal(PhaseOutcome.Aborted, keygen.Outcome);
        Assert.Equal([3], keygen.Culprits);
        Assert.Empty(keygen.HonestBlamed);
    }

    [Fact]
    public void AWrongPartialSignatureNamesItsSigner()
    {
        var sign = Scenarios.Simulator.Run(Scenarios.Parse("sign", Network + "\n" + """
            signers: [1, 2]
            behaviours:
              - { node: 2, misbehaviour: WrongPartialSignature, phase: sign }
            """)).Phase("sign");

        Assert.Equal(PhaseOutcome.Aborted, sign.Outcome);
        Assert.Equal([2], sign.Culprits);
        Assert.Empty(sign.HonestBlamed);
    }

    [Fact]
    public void AWithholdingNodeIsNamedAsUnreachableWhenThePhaseTimesOut()
    {
        var keygen = Scenarios.Simulator.Run(Scenarios.Parse("keygen", Network + "\n" + """
            behaviours:
              - { node: 1, misbehaviour: Withhold, phase: keygen, round: 1 }
            """, timeoutMs: 3000)).Phase("keygen");

        Assert.Equal(PhaseOutcome.TimedOut, keygen.Outcome);
        Assert.Equal([1], keygen.Unreachable);
        Assert.Empty(keygen.HonestBlamed);
    }
}

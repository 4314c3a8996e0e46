using Threshold.Simulator.Reports;
using Threshold.Simulator.Scenarios;

namespace Threshold.Simulator.Tests;

/// <summary>The example scenarios under simulator/scenarios/, and what the loader refuses.</summary>
public sealed class ScenarioFileTests(ITestOutputHelper output)
{
    public static TheoryData<string> Examples() =>
        [.. Directory.GetFiles(Path.Combine(Scenarios.RepositoryRoot(), "simulator", "scenarios"), "*.yaml").Select(f => Path.GetFileName(f)).Order()];

    [Fact]
    public void TheExamplesTheIssueAsksForExist()
    {
        var names = Examples().Select(e => e.Data).ToList();
        Assert.Subset(names.ToHashSet(), new HashSet<string> { "wan-three-regions.yaml", "lossy-mobile.yaml", "partition-during-presign.yaml", "one-byzantine-node.yaml", "custody-5-of-9.yaml" });
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void EveryExampleParses(string file)
    {
        var scenario = ScenarioFile.Load(Path.Combine(Scenarios.RepositoryRoot(), "simulator", "scenarios", file));
        Assert.True(File.Exists(scenario.Primes), $"{file}: primes file {scenario.Primes}");
        Assert.Equal(Path.GetFileNameWithoutExtension(file), scenario.Name);
    }

    /// <summary>Each example once, in fixed compute mode (so the run is short and its outcome fixed).</summary>
    [Theory]
    [MemberData(nameof(Examples))]
    [Trait("Category", "Slow")]
    public void EveryExampleRuns(string file)
    {
        var scenario = ScenarioFile.Load(Path.Combine(Scenarios.RepositoryRoot(), "simulator", "scenarios", file));
        scenario.Repetitions = 1;
        scenario.Compute = new ComputeSpec { Mode = "fixed", StepMs = 5 };
        var report = Scenarios.Simulator.Run(scenario);
        output.WriteLine(ReportWriter.ToCsv(report));

        var phases = report.Runs.Single().Phases;
        Assert.Equal(scenario.Phases.Count, phases.Count);
        Assert.All(phases, p => Assert.Empty(p.HonestBlamed));
        if (scenario.Behaviours.Count == 0)
        {
            Assert.All(phases, p => Assert.Equal(PhaseOutcome.Completed, p.Outcome));
        }
        else
        {
            Assert.Contains(phases, p => p.Culprits.SequenceEqual(scenario.Behaviours.Select(b => b.Node).Distinct().Order()));
        }
    }

    /// <summary>Each example without Byzantine nodes once in cost mode, from the committed calibration table (what the custody example uses).</summary>
    [Theory]
    [MemberData(nameof(Examples))]
    public void EveryHonestExampleRunsInCostMode(string file)
    {
        var scenario = ScenarioFile.Load(Path.Combine(Scenarios.RepositoryRoot(), "simulator", "scenarios", file));
        Assert.SkipWhen(scenario.Behaviours.Count > 0, "Byzantine nodes need real or fixed compute");
        scenario.Repetitions = 1;
        scenario.Compute = new ComputeSpec { Mode = "cost" };
        var report = Scenarios.Simulator.Run(scenario);
        output.WriteLine(ReportWriter.ToCsv(report));

        Assert.All(report.Runs.Single().Phases, p => Assert.Equal(PhaseOutcome.Completed, p.Outcome));
        Assert.NotNull(report.Compute.Calibration);
    }

    [Theory]
    [InlineData("n: 3\nt: 4", "t = 4")]
    [InlineData("phases: [presign, keygen]", "order")]
    [InlineData("phases: [keygen, teleport]", "unknown phase 'teleport'")]
    [InlineData("behaviours:\n  - { node: 2, misbehaviour: Gossip, phase: keygen }", "unknown misbehaviour 'Gossip'")]
    [InlineData("behaviours:\n  - { node: 2, misbehaviour: WrongDelta, phase: keygen }", "WrongDelta does not act in keygen")]
    [InlineData("events:\n  - { at_ms: 5, kind: crash, node: 9 }", "node must be one of 1..3")]
    [InlineData("network:\n  default: { loss: 1.5 }", "loss must be in [0, 1)")]
    [InlineData("network:\n  default: { latency: { distribution: pareto } }", "latency distribution 'pareto'")]
    [InlineData("n: [", "does not parse")]
    public void AnImpossibleScenarioIsRefusedWithItsReason(string yaml, string reason)
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse(yaml));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MeasuredRoundTripsFromACsvFileSetTheLatency()
    {
        var file = Path.Combine(Path.GetTempPath(), $"rtt-{Guid.NewGuid():N}.csv");
        File.WriteAllText(file, "rtt_ms\n40\n40\n");
        try
        {
            var scenario = Scenarios.Parse("keygen", $$"""
                network:
                  default: { latency: { distribution: csv, file: "{{file}}" }, bandwidth_mbps: 1000000 }
                """);
            scenario.Compute.StepMs = 0;
            Assert.Equal(80, Scenarios.Simulator.Run(scenario).Phase("keygen").LatencyMs, precision: 2);
        }
        finally
        {
            File.Delete(file);
        }
    }
}

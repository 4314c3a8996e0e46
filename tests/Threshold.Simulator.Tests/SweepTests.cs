using System.Text;
using Threshold.Simulator.Reports;

namespace Threshold.Simulator.Tests;

/// <summary>Sweeps over n and t, and the HTML reports with their plots.</summary>
public sealed class SweepTests
{
    private static readonly Simulator CostSimulator = new(() => throw new InvalidOperationException("cost mode needs no primes"), CostModelTests.Simple);

    [Fact]
    public void TheThresholdDefaultsToHalfOfNRoundedUp()
    {
        Assert.Equal([(3, 2), (4, 2), (5, 3)], Sweep.Cases(3, 5));
        Assert.Equal([(3, 2), (3, 3), (4, 2), (4, 3), (4, 4)], Sweep.Cases(3, 4, 2));
    }

    [Fact]
    public void SameSeedGivesTheSameSweepBytesWhateverTheThreads()
    {
        var scenario = Scenarios.Parse("keygen, aux-info, presign, sign", "compute: { mode: cost }\nrepetitions: 3\nnetwork: { default: { latency: { distribution: lognormal, median_ms: 20, sigma: 0.5 }, loss: 0.05 } }");
        var cases = Sweep.Cases(3, 9);

        var parallel = Sweep.Run(CostSimulator, scenario, cases, parallelism: 4);
        var sequential = Sweep.Run(CostSimulator, scenario, cases, parallelism: 1);

        Assert.Equal(sequential.ToJson(), parallel.ToJson());
        Assert.Equal(sequential.ToCsv(), parallel.ToCsv());
        Assert.Equal(cases, parallel.Cases.Select(c => (c.N, c.T)));
        Assert.All(parallel.Cases.SelectMany(c => c.Phases), p => Assert.Equal(3, p.Completed));
    }

    [Fact]
    public void LinksAndEventsBeyondNAreDroppedFromSmallerCases()
    {
        var scenario = Scenarios.Parse("keygen", "n: 5\nnetwork: { links: [ { between: [[1, 5], [2]], loss: 0.1 } ] }\nevents:\n  - { at_ms: 1, kind: crash, node: 5 }", n: 5);

        var resized = Sweep.Resize(scenario, 3, 2);

        Assert.Equal([[1], [2]], resized.Network.Links.Single().Between);
        Assert.Empty(resized.Events);
    }

    [Fact]
    public void ARunReportHoldsTheLatencyCdfAndTheTimeline()
    {
        var scenario = Scenarios.Parse("keygen, presign, sign", "compute: { mode: cost }\nrepetitions: 4\nnetwork: { default: { latency: { distribution: normal, mean_ms: 20, stddev_ms: 5 }, loss: 0.1 } }");
        var report = CostSimulator.Run(scenario, trace: true);

        var html = HtmlReport.Run(report);

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("<figure id=\"latency-cdf\">", html, StringComparison.Ordinal);
        Assert.Contains("<figure id=\"timeline\">", html, StringComparison.Ordinal);
        Assert.Equal(2, Svgs(html).Count);
        Assert.All(Svgs(html), svg => Assert.Contains("<svg", svg, StringComparison.Ordinal));
    }

    [Fact]
    public void ASweepReportHoldsLatencyAndBytesAgainstN()
    {
        var scenario = Scenarios.Parse("keygen, aux-info, presign, sign", "compute: { mode: cost }");
        var report = Sweep.Run(CostSimulator, scenario, Sweep.Cases(3, 6), parallelism: 2);

        var html = HtmlReport.Sweep(report);

        Assert.Contains("<figure id=\"latency-vs-n\">", html, StringComparison.Ordinal);
        Assert.Contains("<figure id=\"bytes-vs-n\">", html, StringComparison.Ordinal);
        Assert.Equal(2, Svgs(html).Count);
        Assert.All(Svgs(html), svg => Assert.Contains("aux-info", svg, StringComparison.Ordinal));
    }

    /// <summary>The SVG documents embedded in <paramref name="html"/> as base64 data URIs.</summary>
    private static List<string> Svgs(string html) =>
    [
        .. html.Split("data:image/svg+xml;base64,").Skip(1).Select(part => Encoding.UTF8.GetString(Convert.FromBase64String(part[..part.IndexOf('"', StringComparison.Ordinal)]))),
    ];
}

using Threshold.Simulator.Reports;
using Threshold.Simulator.Scenarios;
using Threshold.Testing;

namespace Threshold.Simulator.Tests;

/// <summary>One simulator for the whole suite (identities, keys and aux info are made once per n), and small scenarios.</summary>
internal static class Scenarios
{
    /// <summary>Shared: its set-ups are cached per (level, n).</summary>
    public static Simulator Simulator { get; } = new(TestPrimes.Pool);

    /// <summary>
    /// A 2-of-3 scenario in fixed compute mode (1 ms a step, reproducible) over a 10 ms constant-latency
    /// network; <paramref name="extra"/> is appended (YAML keys not set here: network, events, behaviours…).
    /// </summary>
    public static Scenario Parse(string phases, string extra = "", int n = 3, int t = 2, double timeoutMs = 10_000) =>
        ScenarioFile.Parse($$"""
            name: test
            n: {{n}}
            t: {{t}}
            phases: [{{phases}}]
            seed: test
            phase_timeout_ms: {{timeoutMs}}
            compute: { mode: fixed, step_ms: 1 }
            {{extra}}
            """);

    /// <summary>The single run's report of <paramref name="phase"/>.</summary>
    public static PhaseReport Phase(this SimulationReport report, string phase) => report.Runs.Single().Phases.Single(p => p.Phase == phase);

    /// <summary>The repository root (the folder holding Threshold.sln).</summary>
    public static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Threshold.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("Threshold.sln not found above the test binaries");
    }
}

using System.Diagnostics;
using Threshold.Simulator.Scenarios;

namespace Threshold.Simulator.Engine;

/// <summary>
/// What a state-machine step costs in virtual time. The step always runs for real (its messages and
/// results are needed); <c>real</c> mode charges its measured wall time (or, with <c>clock: cpu</c>, the
/// process CPU time it used), <c>fixed</c> mode a constant,
/// so only fixed mode reproduces byte for byte.
/// </summary>
internal sealed class ComputeModel(ComputeSpec spec)
{
    /// <summary>Whether measured wall time is charged.</summary>
    public bool Measured => spec.Mode == "real";

    /// <summary>Wall time spent in steps so far (whatever the mode).</summary>
    public TimeSpan Wall { get; private set; }

    /// <summary>Runs <paramref name="step"/> and returns its result and its charge in ms.</summary>
    public (T Result, double CostMs) Run<T>(Func<T> step)
    {
        var cpu = spec.Clock == "cpu" ? CpuClock.NowMs() : 0;
        var watch = Stopwatch.StartNew();
        var result = step();
        var elapsed = watch.Elapsed;
        Wall += elapsed;
        var charged = spec.Clock == "cpu" ? CpuClock.NowMs() - cpu : elapsed.TotalMilliseconds;
        return (result, Measured ? charged : spec.StepMs);
    }
}

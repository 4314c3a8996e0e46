using System.Diagnostics;

namespace Threshold.Cli.Bench;

/// <summary>One benchmark line: a stable name, the median wall time and how many runs it took.</summary>
/// <param name="Name">"&lt;operation&gt;.&lt;backend or curve&gt;.&lt;size&gt;", stable for scripts.</param>
/// <param name="MedianMs">Median of the runs, in milliseconds.</param>
/// <param name="Runs">Number of timed runs.</param>
/// <param name="Bytes">Size of the produced object where that matters (proofs, messages), else null.</param>
internal sealed record BenchResult(string Name, double MedianMs, int Runs, long? Bytes = null);

/// <summary>Times an operation: one warm-up, then runs until the count or the time budget is reached.</summary>
internal static class Measurement
{
    public static BenchResult Median(string name, Action operation, int maxRuns = 20, double budgetMs = 2000, int minRuns = 3)
    {
        operation(); // warm-up: JIT, caches, lazy native loading
        var samples = new List<double>(maxRuns);
        var total = Stopwatch.StartNew();
        while (samples.Count < maxRuns && (samples.Count < minRuns || total.Elapsed.TotalMilliseconds < budgetMs))
        {
            var watch = Stopwatch.StartNew();
            operation();
            samples.Add(watch.Elapsed.TotalMilliseconds);
        }

        return new BenchResult(name, MedianOf(samples), samples.Count);
    }

    public static double MedianOf(IReadOnlyList<double> samples)
    {
        var sorted = samples.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}

using BenchmarkDotNet.Running;

namespace Threshold.Benchmarks;

/// <summary>Runs the suites chosen on the command line (BenchmarkDotNet's --filter, --list, --job).</summary>
internal static class Program
{
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

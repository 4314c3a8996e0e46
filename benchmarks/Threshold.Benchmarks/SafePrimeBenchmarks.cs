using System.Numerics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Threshold.Arithmetic;
using Threshold.Primes;

namespace Threshold.Benchmarks;

/// <summary>Safe-prime generation on all cores. The time is geometric-like: many iterations, report the median.</summary>
[SimpleJob(RunStrategy.Monitoring, warmupCount: 1, iterationCount: 15)]
[MedianColumn]
public class SafePrimeBenchmarks
{
    [Params(1024)]
    public int Bits { get; set; }

    [Benchmark]
    public BigInteger Generate() => SafePrimes.Generate(Bits, Backends.Gmp);
}

using BenchmarkDotNet.Attributes;
using Threshold.Curves;
using Threshold.Randomness;

namespace Threshold.Benchmarks;

/// <summary>Point multiplication on both curves: k·P for an arbitrary point and k·G with the comb.</summary>
public class CurveBenchmarks
{
    private Scalar k = null!;
    private Point point = null!;

    [Params("secp256k1", "P-256")]
    public string CurveName { get; set; } = "secp256k1";

    [GlobalSetup]
    public void Setup()
    {
        var curve = Curve.FromName(CurveName);
        var rng = new SeededRandom($"curve {CurveName}");
        k = Scalar.Random(curve, rng);
        point = Point.MultiplyGenerator(Scalar.Random(curve, rng));
    }

    [Benchmark]
    public Point Multiply() => point.Multiply(k);

    [Benchmark]
    public Point MultiplyGenerator() => Point.MultiplyGenerator(k);
}

// A dudect-style leakage test (Reparaz, Balasch, Verbauwhede, "Dude, is my code constant time?", DATE 2017):
// time one operation on two classes of secret input, a fixed value and fresh random values, interleaved in
// random order so drift and load fall on both classes alike; then compare the two timing distributions with
// Welch's t statistic, on all samples and on samples cropped at dudect's percentile thresholds (long tails
// from interrupts and garbage collection hide a small mean difference). |t| above 4.5 rejects "constant
// time" with overwhelming confidence; below, no leak was found at this sample size.
using System.Diagnostics;
using System.Security.Cryptography;
using Threshold.Curves;

namespace Threshold.Cli.Commands;

/// <summary>One secret-dependent operation under test: prepares an input per sample, then times only <see cref="Run"/>.</summary>
internal sealed record ConstantTimeOperation(string Id, Curve Curve, string Description, bool ExpectedConstantTime, Func<Scalar, object> Prepare, Action<object> Run, Action<object> Release);

/// <summary>The verdict for one operation.</summary>
internal sealed record ConstantTimeResult(
    string Id,
    string Description,
    bool ExpectedConstantTime,
    int SamplesPerClass,
    double MaxAbsT,
    string WorstTest,
    double UncroppedAbsT,
    double FixedMeanMicroseconds,
    double RandomMeanMicroseconds)
{
    /// <summary>dudect's threshold: |t| below 4.5 means no leak detected.</summary>
    public const double Threshold = 4.5;

    public bool Passes => MaxAbsT < Threshold;
}

/// <summary>Runs the fixed-vs-random measurement and computes Welch's t.</summary>
internal static class ConstantTimeMeasurement
{
    private const int Percentiles = 100;
    private const int Batch = 5_000;

    /// <summary>The operations: secret-scalar point multiplication on both curves, and BouncyCastle's variable-time path for contrast.</summary>
    public static IReadOnlyList<ConstantTimeOperation> Operations()
    {
        var list = new List<ConstantTimeOperation>();
        foreach (var curve in Curve.All)
        {
            var id = curve == Curve.P256 ? "p256" : "secp256k1";
            var library = curve == Curve.P256 ? "OpenSSL" : "NBitcoin.Secp256k1";
            var p = Point.MultiplyGenerator(Scalar.FromValue(curve, new System.Numerics.BigInteger(RandomNumberGenerator.GetBytes(32), isUnsigned: true)));
            // The secret multipliers are timed directly (32 secret bytes in, 65 public bytes out): the
            // conversion of the public product into a Point afterwards depends on the product, which is
            // public, and would make the fixed class (always the same product) look faster.
            var encodedP = p.Encode(compressed: false);
            var product = new byte[Point.UncompressedLength];
            list.Add(new($"{id}.mulgen.ct", curve, $"{curve.Name} k·G, secret ({library})", true,
                k => k.Encode(), s => curve.SecretMultiplier.MultiplyGenerator((byte[])s, product), s => CryptographicOperations.ZeroMemory((byte[])s)));
            list.Add(new($"{id}.mul.ct", curve, $"{curve.Name} k·P, secret ({library})", true,
                k => k.Encode(), s => curve.SecretMultiplier.Multiply(encodedP, (byte[])s, product), s => CryptographicOperations.ZeroMemory((byte[])s)));
            list.Add(new($"{id}.mulgen.vt", curve, $"{curve.Name} k·G, public Scalar (BouncyCastle comb)", false,
                k => k.Copy(), s => Point.MultiplyGenerator((Scalar)s), _ => { }));
            list.Add(new($"{id}.mul.vt", curve, $"{curve.Name} k·P, public Scalar (BouncyCastle wNAF)", false,
                k => k.Copy(), s => p.Multiply((Scalar)s), _ => { }));
        }

        foreach (var curve in Curve.All)
        {
            // Scalar arithmetic mod q with a secret operand: the fixed-width Montgomery field (constant time)
            // against System.Numerics.BigInteger (variable time, for contrast). The other operand is a fixed
            // public value, as m and r are in σ_i = k_i·m + r·χ_i.
            var id = curve == Curve.P256 ? "p256" : "secp256k1";
            var field = curve.ScalarField;
            var other = Scalar.FromValue(curve, new System.Numerics.BigInteger(RandomNumberGenerator.GetBytes(32), isUnsigned: true));
            var otherLimbs = new ulong[ScalarField.Limbs];
            ScalarField.FromBigEndian(other.Encode(), otherLimbs);
            var sink = new ulong[ScalarField.Limbs];
            list.Add(new($"{id}.scalar.mul.ct", curve, $"{curve.Name} k·m mod q, 4×64-bit Montgomery", true,
                Limbs, s => field.Multiply((ulong[])s, otherLimbs, sink), s => Array.Clear((ulong[])s)));
            list.Add(new($"{id}.scalar.add.ct", curve, $"{curve.Name} k + m mod q, 4×64-bit", true,
                Limbs, s => field.Add((ulong[])s, otherLimbs, sink), s => Array.Clear((ulong[])s)));
            list.Add(new($"{id}.scalar.mul.vt", curve, $"{curve.Name} k·m mod q, BigInteger", false,
                k => k.Value, s => _ = ((System.Numerics.BigInteger)s * other.Value) % curve.Order, _ => { }));
        }

        return list;
    }

    private static object Limbs(Scalar k)
    {
        var limbs = new ulong[ScalarField.Limbs];
        ScalarField.FromBigEndian(k.Encode(), limbs);
        return limbs;
    }

    /// <summary>
    /// Measures <paramref name="operation"/> with <paramref name="samplesPerClass"/> samples per class: the
    /// fixed class is the scalar <paramref name="fixedValue"/> (by default 3: a short, sparse value, the kind
    /// a variable-time ladder finishes early on), the random class a fresh uniform scalar per sample.
    /// </summary>
    public static ConstantTimeResult Measure(ConstantTimeOperation operation, int samplesPerClass, System.Numerics.BigInteger fixedValue, Action<string> status)
    {
        var curve = operation.Curve;
        var fixedScalar = Scalar.FromValue(curve, fixedValue);
        var rng = RandomNumberGenerator.Create();
        var total = 2 * samplesPerClass;
        var classes = new byte[total];
        classes.AsSpan(samplesPerClass).Fill(1);
        Shuffle(classes);

        // Warm-up: let the JIT reach its final tier before anything is recorded.
        var warm = Math.Min(total, 1_000);
        for (var i = 0; i < warm; i++)
        {
            var random = Scalar.Random(curve, rng);
            var input = operation.Prepare(i % 2 == 0 ? fixedScalar : random);
            operation.Run(input);
            operation.Release(input);
        }

        // As dudect does, a batch of inputs is prepared first and then timed back to back: preparing a random
        // input right before timing it (running the RNG) would change the cache state for one class only.
        // Inputs of both classes have the same shape (a fresh array), and a random scalar is drawn for every
        // sample, used or not, so both classes leave the same garbage between their inputs and their inputs
        // land alike in memory (otherwise the fixed class's inputs sit closer together, miss the cache less,
        // and fast operations look faster on it). Only Run is timed.
        var times = new long[total];
        var inputs = new object[Batch];
        for (var start = 0; start < total; start += Batch)
        {
            var count = Math.Min(Batch, total - start);
            for (var i = 0; i < count; i++)
            {
                var random = Scalar.Random(curve, rng);
                inputs[i] = operation.Prepare(classes[start + i] == 0 ? fixedScalar : random);
            }

            for (var i = 0; i < count; i++)
            {
                var before = Stopwatch.GetTimestamp();
                operation.Run(inputs[i]);
                times[start + i] = Stopwatch.GetTimestamp() - before;
            }

            for (var i = 0; i < count; i++)
            {
                operation.Release(inputs[i]);
            }

            status($"{operation.Id}: {start + count:N0}/{total:N0} samples");
        }

        return Analyse(operation, samplesPerClass, classes, times);
    }

    /// <summary>Welch's t on all samples and on samples below each of dudect's percentile thresholds; the largest |t| decides.</summary>
    internal static ConstantTimeResult Analyse(ConstantTimeOperation operation, int samplesPerClass, byte[] classes, long[] times)
    {
        var sorted = (long[])times.Clone();
        Array.Sort(sorted);
        var uncropped = WelchT(classes, times, long.MaxValue);
        var (maxT, worst) = (Math.Abs(uncropped), "all");
        for (var k = 0; k < Percentiles; k++)
        {
            // dudect: thresholds at the 1 − 0.5^(10·(k+1)/100) quantiles, denser towards the tail.
            var quantile = 1 - Math.Pow(0.5, 10.0 * (k + 1) / Percentiles);
            var threshold = sorted[Math.Min(sorted.Length - 1, (int)(quantile * sorted.Length))];
            var t = Math.Abs(WelchT(classes, times, threshold));
            if (t > maxT)
            {
                (maxT, worst) = (t, $"< p{quantile * 100:0.#}");
            }
        }

        var tick = 1e6 / Stopwatch.Frequency;
        return new ConstantTimeResult(
            operation.Id,
            operation.Description,
            operation.ExpectedConstantTime,
            samplesPerClass,
            maxT,
            worst,
            Math.Abs(uncropped),
            Mean(classes, times, 0) * tick,
            Mean(classes, times, 1) * tick);
    }

    /// <summary>Welch's t between the two classes over the samples at most <paramref name="limit"/>; 0 when a class has fewer than two.</summary>
    internal static double WelchT(byte[] classes, long[] times, long limit)
    {
        Span<double> mean = stackalloc double[2];
        Span<double> m2 = stackalloc double[2];
        Span<long> n = stackalloc long[2];
        for (var i = 0; i < times.Length; i++)
        {
            if (times[i] > limit)
            {
                continue;
            }

            // Welford's online mean and variance, as dudect keeps them.
            var c = classes[i];
            n[c]++;
            var delta = times[i] - mean[c];
            mean[c] += delta / n[c];
            m2[c] += delta * (times[i] - mean[c]);
        }

        if (n[0] < 2 || n[1] < 2)
        {
            return 0;
        }

        var variance0 = m2[0] / (n[0] - 1);
        var variance1 = m2[1] / (n[1] - 1);
        var denominator = Math.Sqrt((variance0 / n[0]) + (variance1 / n[1]));
        return denominator == 0 ? 0 : (mean[0] - mean[1]) / denominator;
    }

    private static double Mean(byte[] classes, long[] times, int c)
    {
        double sum = 0;
        long n = 0;
        for (var i = 0; i < times.Length; i++)
        {
            if (classes[i] == c)
            {
                sum += times[i];
                n++;
            }
        }

        return n == 0 ? 0 : sum / n;
    }

    private static void Shuffle(byte[] classes)
    {
        // Fisher–Yates with the system RNG: the class order must not correlate with anything periodic.
        for (var i = classes.Length - 1; i > 0; i--)
        {
            var j = RandomNumberGenerator.GetInt32(i + 1);
            (classes[i], classes[j]) = (classes[j], classes[i]);
        }
    }
}

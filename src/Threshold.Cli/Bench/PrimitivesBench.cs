using System.Numerics;
using System.Security.Cryptography;
using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Primes;

namespace Threshold.Cli.Bench;

/// <summary>
/// The quick primitives suite behind <c>threshold bench primitives</c>: the operations CGGMP21 spends
/// its time in, each reported as a median. The BenchmarkDotNet suites under benchmarks/ measure the
/// same operations with full statistics.
/// </summary>
internal static class PrimitivesBench
{
    private static readonly (int Modulus, int Exponent)[] ModExpSizes = [(2048, 1024), (3072, 1536), (4096, 2048), (6144, 3072)];

    public static IEnumerable<BenchResult> Run(int primeRuns, Action<string> status)
    {
        using var rng = RandomNumberGenerator.Create();
        var arithmetic = Backends.Default;

        // Safe primes first: they are also the factors of the Paillier keys measured below.
        var primes = new Dictionary<int, List<BigInteger>>();
        foreach (var (bits, runs) in new[] { (1024, Math.Max(2, primeRuns)), (1536, 2) })
        {
            var samples = new List<double>();
            primes[bits] = [];
            for (var i = 0; i < runs; i++)
            {
                status($"generating {bits}-bit safe prime {i + 1}/{runs}");
                var watch = System.Diagnostics.Stopwatch.StartNew();
                primes[bits].Add(SafePrimes.Generate(bits, arithmetic));
                samples.Add(watch.Elapsed.TotalMilliseconds);
            }

            yield return new BenchResult($"safeprime.{bits}", Measurement.MedianOf(samples), runs);
        }

        foreach (var backend in AvailableBackends())
        {
            foreach (var (modulusBits, exponentBits) in ModExpSizes)
            {
                status($"modexp {backend.Name} {modulusBits}x{exponentBits}");
                var m = Sampling.Bits(rng, modulusBits) | (BigInteger.One << (modulusBits - 1)) | 1;
                var b = Sampling.Below(rng, m);
                var e = Sampling.Bits(rng, exponentBits) | (BigInteger.One << (exponentBits - 1));
                yield return Measurement.Median($"modexp.{backend.Name}.{modulusBits}x{exponentBits}", () => backend.ModPow(b, e, m));
                if (modulusBits == 4096)
                {
                    yield return Measurement.Median($"modexp_sec.{backend.Name}.{modulusBits}x{exponentBits}", () => backend.ModPowSecret(b, e, m));
                }
            }
        }

        foreach (var level in SecurityLevel.All)
        {
            status($"paillier {level.Name}");
            var factors = primes[level.PrimeBits];
            using var key = PaillierSecretKey.FromSafePrimes(factors[0], factors[1], arithmetic);
            var message = Sampling.Below(rng, key.N);
            var nonce = key.PublicKey.SampleNonce(rng);
            var ciphertext = key.PublicKey.Encrypt(message, nonce);
            yield return Measurement.Median($"paillier.encrypt.{level.Name}", () => key.PublicKey.Encrypt(message, nonce));
            yield return Measurement.Median($"paillier.encrypt_crt.{level.Name}", () => key.Encrypt(message, nonce));
            yield return Measurement.Median($"paillier.decrypt.{level.Name}", () => key.Decrypt(ciphertext));

            using var ringPedersen = RingPedersenSecret.Generate(key, rng);
            var x = Sampling.Signed(rng, level.EllPrime + level.Epsilon);
            var y = Sampling.Signed(rng, level.EllPrime + level.Epsilon + level.ModulusBits);
            yield return Measurement.Median($"ringpedersen.commit.{level.Name}", () => ringPedersen.Parameters.Commit(x, y));
            yield return Measurement.Median($"ringpedersen.commit_crt.{level.Name}", () => ringPedersen.Commit(x, y));
        }

        foreach (var curve in Curve.All)
        {
            status($"point multiplication {curve.Name}");
            var name = curve == Curve.P256 ? "p256" : "secp256k1";
            var k = Scalar.Random(curve, rng);
            var point = Point.MultiplyGenerator(Scalar.Random(curve, rng));
            yield return Measurement.Median($"point.mul.{name}.256", () => point.Multiply(k), maxRuns: 200, budgetMs: 500);
            yield return Measurement.Median($"point.mul_base.{name}.256", () => Point.MultiplyGenerator(k), maxRuns: 200, budgetMs: 500);
        }
    }

    private static IEnumerable<IArithmetic> AvailableBackends()
    {
        if (Backends.GmpAvailable)
        {
            yield return Backends.Gmp;
        }

        yield return Backends.Managed;
    }
}

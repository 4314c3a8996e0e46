using System.Numerics;
using Threshold.Arithmetic;
using Threshold.Randomness;

namespace Threshold.Tests.Arithmetic;

/// <summary>GMP and the managed backend must agree on every operation, at every size CGGMP21 uses.</summary>
public sealed class CrossCheckTests
{
    private static readonly int[] ModulusBits = [256, 512, 1024, 1536, 2048, 3072, 4096, 6144];

    private readonly IArithmetic gmp = Backends.Gmp;
    private readonly IArithmetic managed = Backends.Managed;

    [Fact]
    public void ModPowAgreesOnThousandsOfRandomInputs()
    {
        var rng = new SeededRandom("modpow cross-check");
        var cases = 0;
        foreach (var bits in ModulusBits)
        {
            for (var i = 0; i < 250; i++)
            {
                var m = Sampling.Bits(rng, bits) | (BigInteger.One << (bits - 1));
                if (i % 2 == 1)
                {
                    m |= 1; // odd moduli, as in Paillier and ring-Pedersen; even ones too
                }

                var b = Sampling.Signed(rng, bits + 8);
                var e = Sampling.Bits(rng, 1 + (i % 160)); // short exponents keep the managed side fast
                Assert.Equal(managed.ModPow(b, e, m), gmp.ModPow(b, e, m));
                if (!m.IsEven)
                {
                    Assert.Equal(managed.ModPowSecret(b, e, m), gmp.ModPowSecret(b, e, m));
                }

                cases++;
            }
        }

        Assert.Equal(2000, cases);
    }

    [Theory]
    [InlineData(2048, 2048)]
    [InlineData(3072, 1536)]
    [InlineData(4096, 2048)]
    [InlineData(6144, 3072)]
    public void FullSizeExponentsAgree(int modulusBits, int exponentBits)
    {
        var rng = new SeededRandom($"full {modulusBits}");
        var m = Sampling.Bits(rng, modulusBits) | (BigInteger.One << (modulusBits - 1)) | 1;
        var b = Sampling.Below(rng, m);
        var e = Sampling.Bits(rng, exponentBits);
        var expected = BigInteger.ModPow(b, e, m);
        Assert.Equal(expected, gmp.ModPow(b, e, m));
        Assert.Equal(expected, gmp.ModPowSecret(b, e, m));
        Assert.Equal(expected, managed.ModPow(b, e, m));
    }

    [Fact]
    public void ManagedSecretLadderMatchesAtFullSize()
    {
        var rng = new SeededRandom("ladder");
        var m = Sampling.Bits(rng, 2048) | (BigInteger.One << 2047) | 1;
        var b = Sampling.Below(rng, m);
        var e = Sampling.Bits(rng, 1024);
        Assert.Equal(BigInteger.ModPow(b, e, m), managed.ModPowSecret(b, e, m));
    }

    [Fact]
    public void InverseGcdJacobiAndMultiExpAgree()
    {
        var rng = new SeededRandom("inverse gcd jacobi");
        for (var i = 0; i < 1200; i++)
        {
            var bits = ModulusBits[i % ModulusBits.Length];
            var m = Sampling.Bits(rng, bits) | (BigInteger.One << (bits - 1)) | 1;
            var a = Sampling.Signed(rng, bits);
            var shared = i % 3 == 0 ? a * 3 : a; // some pairs share a factor with m = 3k
            var m3 = i % 3 == 0 ? m * 3 : m;

            Assert.Equal(managed.Gcd(shared, m3), gmp.Gcd(shared, m3));
            Assert.Equal(managed.Jacobi(a, m), gmp.Jacobi(a, m));
            Assert.Equal(managed.ModMul(a, shared, m), gmp.ModMul(a, shared, m));

            var okManaged = managed.TryModInverse(shared, m3, out var invManaged);
            var okGmp = gmp.TryModInverse(shared, m3, out var invGmp);
            Assert.Equal(okManaged, okGmp);
            if (okGmp)
            {
                Assert.Equal(invManaged, invGmp);
                Assert.Equal(BigInteger.One, (((shared * invGmp) % m3) + m3) % m3);
            }

            if (i % 20 == 0)
            {
                var b = Sampling.Below(rng, m);
                var x = Sampling.Signed(rng, 200);
                var y = Sampling.Signed(rng, 200);
                if (gmp.IsCoprime(a, m) && gmp.IsCoprime(b, m))
                {
                    Assert.Equal(managed.MultiExp(a, x, b, y, m), gmp.MultiExp(a, x, b, y, m));
                }
            }
        }
    }

    [Fact]
    public void PrimalityAgreesOnPrimesAndComposites()
    {
        var rng = new SeededRandom("primality");
        BigInteger[] carmichael = [561, 1105, 1729, 2465, 2821, 6601, 8911, BigInteger.Parse("3825123056546413051", System.Globalization.CultureInfo.InvariantCulture)];
        foreach (var c in carmichael)
        {
            Assert.False(gmp.IsProbablePrime(c));
            Assert.False(managed.IsProbablePrime(c));
        }

        var mersenne521 = (BigInteger.One << 521) - 1;
        Assert.True(gmp.IsProbablePrime(mersenne521));
        Assert.True(managed.IsProbablePrime(mersenne521));
        Assert.False(managed.IsProbablePrime(mersenne521 * ((BigInteger.One << 127) - 1)));

        for (var i = 0; i < 300; i++)
        {
            var n = Sampling.Bits(rng, 256) | 1;
            Assert.Equal(gmp.IsProbablePrime(n, 20), managed.IsProbablePrime(n, 20));
        }
    }

    [Fact]
    public void BothBackendsRefuseWhatGmpWouldAbortOn()
    {
        foreach (var backend in new[] { gmp, managed })
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => backend.ModPow(2, 3, 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => backend.ModPow(2, 3, -7));
            Assert.Throws<ArgumentOutOfRangeException>(() => backend.ModPowSecret(2, 3, 10));
            Assert.Throws<ArgumentOutOfRangeException>(() => backend.ModPowSecret(2, -3, 11));
            Assert.Throws<ArithmeticException>(() => backend.ModPow(6, -1, 9));
            Assert.Throws<ArithmeticException>(() => backend.ModInverse(6, 9));
            Assert.Throws<ArgumentOutOfRangeException>(() => backend.Jacobi(3, 8));
            Assert.Equal(new BigInteger(4), backend.ModPow(2, -1, 7)); // 2·4 = 8 ≡ 1
            Assert.Equal(BigInteger.One, backend.ModPowSecret(5, 0, 7));
        }
    }

    [Fact]
    public void UnknownBackendNameIsAClearError()
    {
        var error = Assert.Throws<ArgumentException>(() => Backends.ByName("bouncy"));
        Assert.Contains("gmp or managed", error.Message, StringComparison.Ordinal);
        Assert.Same(Backends.Managed, Backends.ByName(" Managed "));
    }
}

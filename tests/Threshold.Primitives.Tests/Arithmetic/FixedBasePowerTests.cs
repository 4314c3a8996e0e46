using System.Numerics;
using Threshold.Arithmetic;
using Threshold.Paillier;
using Threshold.Randomness;

namespace Threshold.Tests.Arithmetic;

/// <summary>
/// The fixed-base tables the provers commit with: every power equals GMP's own, for signed exponents
/// at and inside their bounds, on moduli of every limb shape; bad arguments are refused; the cache
/// admits a base on its second request and stays within its byte budget.
/// </summary>
public sealed class FixedBasePowerTests
{
    private static readonly int[] Bounds = [0, 1, 3, 4, 5, 63, 64, 65, 256, 768, 1792, 2048];

    [Theory]
    [InlineData(1024)]
    [InlineData(1500)]
    [InlineData(2048)]
    [InlineData(3072)]
    public void PowersEqualModPowForSignedExponentsInsideAndAtTheBound(int modulusBits)
    {
        var rng = new SeededRandom($"fixed base {modulusBits}");
        var modulus = Sampling.Bits(rng, modulusBits) | (BigInteger.One << (modulusBits - 1)) | BigInteger.One;
        var value = Unit(rng, modulus);
        var table = new GmpFixedBasePower(value, modulus, 2048);
        foreach (var bits in Bounds)
        {
            var bound = BigInteger.One << bits;
            BigInteger[] exponents = [bound, -bound, BigInteger.Zero, BigInteger.One, BigInteger.MinusOne, Sampling.Signed(rng, bits), Sampling.Signed(rng, bits), bound - 1];
            foreach (var exponent in exponents)
            {
                Assert.Equal(Backends.Gmp.ModPow(value, exponent, modulus), table.Power(exponent, bits));
            }
        }
    }

    [Fact]
    public void TheTableSizeIsWhatTheCacheBudgetsFor()
    {
        var rng = new SeededRandom("fixed base size");
        var modulus = Sampling.Bits(rng, 2048) | (BigInteger.One << 2047) | BigInteger.One;
        var table = new GmpFixedBasePower(Unit(rng, modulus), modulus, 3072);
        Assert.Equal(GmpFixedBasePower.BytesFor(modulus, 3072), table.Bytes);
        Assert.Equal(769 * 16 * 32 * 8, table.Bytes);
    }

    [Fact]
    public void ExponentsOutsideTheBoundAndBoundsOverTheTableAreRefused()
    {
        var rng = new SeededRandom("fixed base refusals");
        var modulus = Sampling.Bits(rng, 1024) | (BigInteger.One << 1023) | BigInteger.One;
        var table = new GmpFixedBasePower(Unit(rng, modulus), modulus, 256);
        Assert.Throws<ArgumentOutOfRangeException>(() => table.Power((BigInteger.One << 100) + 1, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.Power(-(BigInteger.One << 100) - 1, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.Power(BigInteger.One, 257));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.Power(BigInteger.One, -1));
    }

    [Fact]
    public void BasesThatAreNotUnitsAndEvenModuliAreRefused()
    {
        var prime = (BigInteger.One << 127) - 1;
        Assert.Throws<ArgumentException>(() => new GmpFixedBasePower(prime, prime * 3, 64));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GmpFixedBasePower(3, prime * 4, 64));
    }

    [Fact]
    public void TheCacheBuildsATableOnTheSecondRequestAndKeepsItsBudget()
    {
        var rng = new SeededRandom("fixed base cache");
        var modulus = Sampling.Bits(rng, 1024) | (BigInteger.One << 1023) | BigInteger.One;
        var oneTable = GmpFixedBasePower.BytesFor(modulus, 512);
        var cache = new FixedBaseCache(oneTable + (oneTable / 2));
        var first = Unit(rng, modulus);
        var second = Unit(rng, modulus);

        Assert.Null(cache.Find(Backends.Gmp, first, modulus, 512));
        var table = cache.Find(Backends.Gmp, first, modulus, 512);
        Assert.NotNull(table);
        Assert.Same(table, cache.Find(Backends.Gmp, first, modulus, 512));
        Assert.Equal(oneTable, cache.Bytes);

        Assert.Null(cache.Find(Backends.Gmp, second, modulus, 512));
        Assert.NotNull(cache.Find(Backends.Gmp, second, modulus, 512));
        Assert.Equal(oneTable, cache.Bytes); // the first base's table made room
        Assert.Null(cache.Find(Backends.Gmp, first, modulus, 512)); // and is asked for anew
    }

    [Fact]
    public void TheCacheGivesNoTableOffGmpOrForModuliOverFourKilobits()
    {
        var rng = new SeededRandom("fixed base cache refusals");
        var cache = new FixedBaseCache(1L << 30);
        var huge = Sampling.Bits(rng, 4100) | (BigInteger.One << 4099) | BigInteger.One;
        var small = Sampling.Bits(rng, 1024) | (BigInteger.One << 1023) | BigInteger.One;
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(cache.Find(Backends.Gmp, 5, huge, 256));
            Assert.Null(cache.Find(Backends.Managed, 5, small, 256));
        }
    }

    [Fact]
    public void SecretCommitmentsEqualPublicOnesColdWarmAndOutOfBound()
    {
        var rng = new SeededRandom("secret commit");
        var key = Threshold.Testing.TestPrimes.PaillierKey(SecurityLevel.Bits2048, 2);
        var setup = RingPedersenSecret.Generate(key, rng).Parameters;
        var wide = 768 + (int)setup.N.GetBitLength();
        for (var i = 0; i < 4; i++)
        {
            var x = Sampling.Signed(rng, 768);
            var y = Sampling.Signed(rng, wide);
            Assert.Equal(setup.Commit(x, y), setup.SecretCommit(x, 768, y, wide));
        }

        var outside = (BigInteger.One << 300) + 7; // a cheating prover's witness beyond its bound
        Assert.Equal(setup.Commit(outside, -outside), setup.SecretCommit(outside, 256, -outside, 256));
    }

    private static BigInteger Unit(SeededRandom rng, BigInteger modulus) => Sampling.Unit(rng, modulus, Backends.Gmp);
}

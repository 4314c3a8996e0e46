using System.Numerics;
using Threshold.Arithmetic;
using Threshold.Randomness;

namespace Threshold.Tests.Arithmetic;

public sealed class SamplingTests
{
    [Fact]
    public void BelowStaysInRangeAndReachesBothEnds()
    {
        var rng = new SeededRandom("below");
        var seen = new HashSet<BigInteger>();
        for (var i = 0; i < 2000; i++)
        {
            var x = Sampling.Below(rng, 5);
            Assert.InRange(x, BigInteger.Zero, new BigInteger(4));
            seen.Add(x);
        }

        Assert.Equal(5, seen.Count);
    }

    [Fact]
    public void SignedCoversTheClosedRange()
    {
        var rng = new SeededRandom("signed");
        var seen = new HashSet<BigInteger>();
        for (var i = 0; i < 3000; i++)
        {
            var x = Sampling.Signed(rng, 2); // [−4, 4]
            Assert.InRange(x, new BigInteger(-4), new BigInteger(4));
            seen.Add(x);
        }

        Assert.Equal(9, seen.Count);
    }

    [Fact]
    public void UnitIsCoprime()
    {
        var rng = new SeededRandom("unit");
        var n = new BigInteger(3 * 5 * 7 * 11);
        for (var i = 0; i < 500; i++)
        {
            var u = Sampling.Unit(rng, n, Backends.Managed);
            Assert.True(BigInteger.GreatestCommonDivisor(u, n).IsOne);
        }
    }

    [Fact]
    public void BitsRespectsLength()
    {
        var rng = new SeededRandom("bits");
        for (var bits = 0; bits < 70; bits++)
        {
            Assert.True(Sampling.Bits(rng, bits) < BigInteger.One << bits);
        }
    }

    [Fact]
    public void EmptyRangesAreRejected()
    {
        var rng = new SeededRandom("empty");
        Assert.Throws<ArgumentOutOfRangeException>(() => Sampling.Below(rng, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sampling.Between(rng, 5, 4));
    }

    [Fact]
    public void SeededRandomIsReproducibleAndForksIndependently()
    {
        var a = new SeededRandom("seed");
        var b = new SeededRandom("seed");
        Assert.Equal(Sampling.Bits(a, 256), Sampling.Bits(b, 256));
        Assert.NotEqual(Sampling.Bits(a.Fork("party-1"), 256), Sampling.Bits(b.Fork("party-2"), 256));
        Assert.Equal(Sampling.Bits(new SeededRandom("seed").Fork("x"), 256), Sampling.Bits(new SeededRandom("seed").Fork("x"), 256));
    }
}

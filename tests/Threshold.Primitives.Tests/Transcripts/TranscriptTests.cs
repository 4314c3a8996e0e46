using System.Numerics;
using Threshold.Curves;
using Threshold.Transcripts;

namespace Threshold.Tests.Transcripts;

public sealed class TranscriptTests
{
    private static byte[] Digest(Func<Transcript, Transcript> build)
    {
        using var t = build(Transcript.Start("threshold.test"));
        return t.Digest();
    }

    [Fact]
    public void SameFieldsGiveTheSameDigest()
    {
        Assert.Equal(Digest(t => t.Append("a", 5UL).Append("b", "x")), Digest(t => t.Append("a", 5UL).Append("b", "x")));
    }

    [Fact]
    public void LengthPrefixesSeparateFieldBoundaries()
    {
        Assert.NotEqual(Digest(t => t.Append("a", "bc"u8)), Digest(t => t.Append("ab", "c"u8)));
        Assert.NotEqual(Digest(t => t.Append("a", "b"u8).Append("a", "c"u8)), Digest(t => t.Append("a", "bc"u8)));
    }

    [Fact]
    public void TypesAreSeparated()
    {
        Assert.NotEqual(Digest(t => t.Append("v", new BigInteger(5))), Digest(t => t.Append("v", 5UL)));
        Assert.NotEqual(Digest(t => t.Append("v", "5")), Digest(t => t.Append("v", "5"u8)));
    }

    [Fact]
    public void IntegerSignsAreSeparated()
    {
        Assert.NotEqual(Digest(t => t.Append("v", new BigInteger(7))), Digest(t => t.Append("v", new BigInteger(-7))));
        Assert.NotEqual(Digest(t => t.Append("v", BigInteger.Zero)), Digest(t => t.Append("v", BigInteger.One)));
    }

    [Fact]
    public void DomainsAreSeparated()
    {
        using var a = Transcript.Start("threshold.a");
        using var b = Transcript.Start("threshold.b");
        Assert.NotEqual(a.Digest(), b.Digest());
        using var wide = Transcript.Start("threshold.a", TranscriptHash.Sha512);
        Assert.Equal(64, wide.Digest().Length);
    }

    [Fact]
    public void PointsAndScalarsCarryTheirCurve()
    {
        var one = Scalar.One(Curve.Secp256k1);
        Assert.NotEqual(Digest(t => t.Append("s", one)), Digest(t => t.Append("s", Scalar.One(Curve.P256))));
        Assert.NotEqual(Digest(t => t.Append("g", Curve.Secp256k1.Generator)), Digest(t => t.Append("g", Curve.Secp256k1.Identity)));
    }

    [Fact]
    public void ListsIncludeTheirCount()
    {
        Assert.NotEqual(
            Digest(t => t.Append("l", new BigInteger[] { 1, 2 }).Append("l", new BigInteger[] { 3 })),
            Digest(t => t.Append("l", new BigInteger[] { 1 }).Append("l", new BigInteger[] { 2, 3 })));
    }

    [Fact]
    public void ChallengesAreDeterministicAndInRange()
    {
        using var t = Transcript.Start("threshold.test.challenge").Append("x", 1UL);
        var first = t.Challenge();
        var second = t.Challenge();
        var bound = BigInteger.Parse("1000000000000000000000007", System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < 200; i++)
        {
            var a = first.NextBelow(bound);
            Assert.Equal(a, second.NextBelow(bound));
            Assert.InRange(a, BigInteger.Zero, bound - 1);
            var s = first.NextSigned(bound);
            second.NextSigned(bound);
            Assert.InRange(s, -bound, bound);
        }

        var scalar = t.Challenge().NextScalar(Curve.P256);
        Assert.True(scalar.Value < Curve.P256.Order);
    }

    [Fact]
    public void AppendingChangesTheChallenge()
    {
        using var t = Transcript.Start("threshold.test.challenge");
        var before = t.Challenge().NextBytes(32);
        t.Append("more", 1UL);
        Assert.NotEqual(before, t.Challenge().NextBytes(32));
    }

    [Fact]
    public void ChallengeBitsAreUnbiased()
    {
        using var t = Transcript.Start("threshold.test.bits");
        var stream = t.Challenge();
        var ones = Enumerable.Range(0, 4000).Count(_ => stream.NextBit());
        Assert.InRange(ones, 1800, 2200); // ±6σ
    }
}

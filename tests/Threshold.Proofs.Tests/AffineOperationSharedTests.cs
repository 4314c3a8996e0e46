using System.Numerics;
using Threshold.Arithmetic;
using Threshold.Paillier;
using Threshold.Randomness;
using Threshold.Testing;

namespace Threshold.Proofs.Tests;

/// <summary>The owner-side (CRT) shortcuts of the affine-operation proofs agree with the public arithmetic.</summary>
public sealed class AffineOperationSharedTests
{
    public static TheoryData<string, int> LevelsAndSigns => new()
    {
        { "2048", 1 },
        { "2048", -1 },
        { "3072", 1 },
        { "3072", -1 },
    };

    [Theory]
    [MemberData(nameof(LevelsAndSigns))]
    public void CrtShortcutsMatchThePublicArithmetic(string name, int sign)
    {
        var level = SecurityLevel.FromName(name);
        var rng = new SeededRandom($"affine shared {name} {sign}");
        var key = TestPrimes.PaillierKey(level, 1);
        var setup = TestSetups.RingPedersen(level, 1);
        var n = key.PublicKey;
        var c = n.Encrypt(Sampling.Below(rng, n.N), rng, out var r).Value;
        var shortExponent = sign * (Sampling.Bits(rng, 256) + 1);
        var wideExponent = sign * (Sampling.Bits(rng, level.Ell + level.Epsilon + level.ModulusBits) + 1);

        Assert.Equal(
            AffineOperationShared.PowModNSquared(n, null, c, shortExponent),
            AffineOperationShared.PowModNSquared(n, key, c, shortExponent));
        var rho = n.SampleNonce(rng);
        Assert.Equal(
            PaillierRangeMath.NonceResponse(n, null, r, rho, shortExponent),
            PaillierRangeMath.NonceResponse(n, key, r, rho, shortExponent));
        Assert.Equal(
            AffineOperationShared.Commit(setup.Parameters, null, shortExponent, wideExponent),
            AffineOperationShared.Commit(setup.Parameters, setup, shortExponent, wideExponent));
        Assert.Equal(
            AffineOperationShared.Commit(setup.Parameters, null, -shortExponent, wideExponent),
            AffineOperationShared.Commit(setup.Parameters, setup, -shortExponent, wideExponent));
        var e = Sampling.Unit(rng, setup.Parameters.N, n.Arithmetic);
        var s = Sampling.Unit(rng, setup.Parameters.N, n.Arithmetic);
        Assert.Equal(
            AffineOperationShared.CommitmentTimesPower(setup.Parameters, null, e, s, shortExponent),
            AffineOperationShared.CommitmentTimesPower(setup.Parameters, setup, e, s, shortExponent));
    }

    [Fact]
    public void RangeTestIncludesBothEnds()
    {
        Assert.True(AffineOperationShared.WithinBits(BigInteger.One << 10, 10));
        Assert.True(AffineOperationShared.WithinBits(-(BigInteger.One << 10), 10));
        Assert.True(AffineOperationShared.WithinBits(BigInteger.Zero, 10));
        Assert.False(AffineOperationShared.WithinBits((BigInteger.One << 10) + 1, 10));
        Assert.False(AffineOperationShared.WithinBits(-(BigInteger.One << 10) - 1, 10));
        Assert.False(AffineOperationShared.WithinBits(BigInteger.One << 11, 10));
    }
}

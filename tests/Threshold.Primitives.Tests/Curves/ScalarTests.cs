using System.Numerics;
using Threshold.Curves;
using Threshold.Randomness;
using Threshold.Secrets;

namespace Threshold.Tests.Curves;

public sealed class ScalarTests
{
    public static TheoryData<string> Curves => ["secp256k1", "P-256"];

    [Theory]
    [MemberData(nameof(Curves))]
    public void NonCanonicalScalarsAreRejected(string name)
    {
        var curve = Curve.FromName(name);
        foreach (var value in new[] { curve.Order, curve.Order + 1, (BigInteger.One << 256) - 1 })
        {
            var encoded = value.ToByteArray(isUnsigned: true, isBigEndian: true);
            var error = Assert.Throws<DecodingException>(() => Scalar.Decode(curve, encoded));
            Assert.Equal(DecodingError.NonCanonical, error.Reason);
        }

        Assert.Equal(curve.Order - 1, Scalar.Decode(curve, (curve.Order - 1).ToByteArray(isUnsigned: true, isBigEndian: true)).Value);
    }

    [Theory]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(0)]
    public void WrongLengthIsMalformed(int length)
    {
        var error = Assert.Throws<DecodingException>(() => Scalar.Decode(Curve.Secp256k1, new byte[length]));
        Assert.Equal(DecodingError.Malformed, error.Reason);
    }

    [Fact]
    public void ZeroIsRefusedWhereItMustBe()
    {
        Assert.True(Scalar.Decode(Curve.P256, new byte[32]).IsZero);
        Assert.Equal(DecodingError.OutOfRange, Assert.Throws<DecodingException>(() => Scalar.DecodeNonZero(Curve.P256, new byte[32])).Reason);
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void FieldLawsHold(string name)
    {
        var curve = Curve.FromName(name);
        var rng = new SeededRandom("scalars " + name);
        for (var i = 0; i < 50; i++)
        {
            var a = Scalar.Random(curve, rng);
            var b = Scalar.Random(curve, rng);
            Assert.Equal(Scalar.One(curve), a * a.Invert());
            Assert.Equal(a, (a + b) - b);
            Assert.True((a + (-a)).IsZero);
            Assert.Equal(a, Scalar.Decode(curve, a.Encode()));
            Assert.Equal(Scalar.FromValue(curve, -1), Scalar.FromValue(curve, curve.Order - 1));
        }

        Assert.Throws<ArithmeticException>(() => Scalar.Zero(curve).Invert());
    }

    [Fact]
    public void HashToScalarIsDomainSeparated()
    {
        var curve = Curve.Secp256k1;
        var a = curve.HashToScalar("threshold.test.a", "input"u8);
        Assert.Equal(a, curve.HashToScalar("threshold.test.a", "input"u8));
        Assert.NotEqual(a, curve.HashToScalar("threshold.test.b", "input"u8));
        Assert.NotEqual(a, curve.HashToScalar("threshold.test.a", "input!"u8));
        Assert.NotEqual(a.Value, Curve.P256.HashToScalar("threshold.test.a", "input"u8).Value);
    }

    [Fact]
    public void ScalarsNeverPrintTheirValue()
    {
        var s = Scalar.Random(Curve.P256, new SeededRandom("print"));
        Assert.DoesNotContain(s.ToHex(), s.ToString(), StringComparison.Ordinal);
        using var secret = new SecretScalar(s);
        Assert.Equal("[secret scalar]", secret.ToString());
    }

    [Fact]
    public void SecretScalarIsWipedOnDispose()
    {
        var s = Scalar.Random(Curve.Secp256k1, new SeededRandom("wipe"));
        var secret = new SecretScalar(s);
        var held = secret.Value;
        Assert.Equal(s, held);
        secret.Dispose();
        Assert.True(held.IsZero);
        Assert.False(s.IsZero);
        Assert.Throws<ObjectDisposedException>(() => secret.Value);
    }

    [Fact]
    public void LowSIsDetected()
    {
        var curve = Curve.Secp256k1;
        Assert.False(Scalar.FromValue(curve, curve.Order >> 1).IsHigh);
        Assert.True(Scalar.FromValue(curve, (curve.Order >> 1) + 1).IsHigh);
    }
}

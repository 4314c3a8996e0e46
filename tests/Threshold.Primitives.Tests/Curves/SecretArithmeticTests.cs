using System.Numerics;
using Threshold.Curves;
using Threshold.Randomness;
using Threshold.Secrets;

namespace Threshold.Tests.Curves;

/// <summary>The fixed-width constant-time arithmetic on secret scalars agrees with BigInteger arithmetic mod q.</summary>
public sealed class SecretArithmeticTests
{
    public static TheoryData<string> Curves => ["secp256k1", "P-256"];

    [Theory]
    [MemberData(nameof(Curves))]
    public void MultiplyAndAddAgreeWithBigIntegerOnEdgeAndRandomValues(string name)
    {
        var curve = Curve.FromName(name);
        var q = curve.Order;
        var rng = new SeededRandom("secret arithmetic " + name);
        var values = new List<BigInteger> { 0, 1, 2, 3, q - 1, q - 2, (q - 1) / 2, (q + 1) / 2, BigInteger.One << 255 < q ? BigInteger.One << 255 : q - 3, (BigInteger.One << 64) - 1, BigInteger.One << 128 };
        for (var i = 0; i < 24; i++)
        {
            values.Add(Scalar.Random(curve, rng).Value);
        }

        foreach (var a in values)
        {
            foreach (var b in values)
            {
                using var secretA = new SecretScalar(Scalar.FromValue(curve, a));
                var publicB = Scalar.FromValue(curve, b);
                using var secretB = new SecretScalar(publicB);
                using var product = secretA.Multiply(publicB);
                using var secretProduct = secretA.Multiply(secretB);
                using var sum = secretA.Add(publicB);
                using var secretSum = secretA.Add(secretB);
                Assert.Equal(Scalar.FromValue(curve, a * b), product.Value);
                Assert.Equal(Scalar.FromValue(curve, a * b), secretProduct.Value);
                Assert.Equal(Scalar.FromValue(curve, a + b), sum.Value);
                Assert.Equal(Scalar.FromValue(curve, a + b), secretSum.Value);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void ASecretDecodesLikeAScalarAndIsRefusedLikeOne(string name)
    {
        var curve = Curve.FromName(name);
        var value = Scalar.FromValue(curve, curve.Order - 5);
        using var decoded = SecretScalar.Decode(curve, value.Encode(), "share");
        Assert.Equal(value, decoded.Value);

        var order = curve.Order.ToByteArray(isUnsigned: true, isBigEndian: true);
        Assert.Equal(DecodingError.NonCanonical, Assert.Throws<DecodingException>(() => SecretScalar.Decode(curve, order, "share")).Reason);
        Assert.Equal(DecodingError.Malformed, Assert.Throws<DecodingException>(() => SecretScalar.Decode(curve, new byte[31], "share")).Reason);
    }

    [Fact]
    public void ARevealedCopySurvivesDisposal()
    {
        var curve = Curve.Secp256k1;
        var secret = new SecretScalar(Scalar.FromValue(curve, 123456789));
        var revealed = secret.Reveal();
        secret.Dispose();
        Assert.Equal(Scalar.FromValue(curve, 123456789), revealed);
        Assert.Throws<ObjectDisposedException>(() => secret.Reveal());
    }

    [Fact]
    public void ScalarsOfAnotherCurveAreRefused()
    {
        using var a = new SecretScalar(Scalar.FromValue(Curve.Secp256k1, 5));
        Assert.Throws<ArgumentException>(() => a.Multiply(Scalar.FromValue(Curve.P256, 5)));
        Assert.Throws<ArgumentException>(() => a.Add(Scalar.FromValue(Curve.P256, 5)));
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void RandomValuesAreReducedAndTheModulusIsNot(string name)
    {
        var curve = Curve.FromName(name);
        var field = curve.ScalarField;
        var limbs = new ulong[ScalarField.Limbs];
        ScalarField.FromBigEndian(Scalar.FromValue(curve, -1).Encode(), limbs);
        Assert.True(field.IsReduced(limbs));
        var q = new byte[32];
        curve.Order.TryWriteBytes(q, out _, isUnsigned: true, isBigEndian: true);
        ScalarField.FromBigEndian(q, limbs);
        Assert.False(field.IsReduced(limbs));
        var rng = new SeededRandom("field random " + name);
        var encoded = new byte[32];
        for (var i = 0; i < 64; i++)
        {
            field.Random(rng, limbs);
            ScalarField.ToBigEndian(limbs, encoded);
            Assert.True(new BigInteger(encoded, isUnsigned: true, isBigEndian: true) < curve.Order);
        }
    }
}

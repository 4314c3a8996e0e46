using System.Numerics;
using System.Reflection;
using Threshold.Curves;
using Threshold.Interop.OpenSsl;
using Threshold.Randomness;
using Threshold.Secrets;

namespace Threshold.Tests.Curves;

/// <summary>
/// The constant-time secret-scalar paths (NBitcoin.Secp256k1 on secp256k1, OpenSSL on P-256) compute the
/// same points as BouncyCastle's public-scalar paths, refuse bad input with the typed errors, and free
/// their native objects. Timing is measured by <c>threshold bench ct</c>, never asserted here.
/// </summary>
public sealed class SecretMultiplicationTests
{
    public static TheoryData<string> Curves => ["secp256k1", "P-256"];

    [Theory]
    [MemberData(nameof(Curves))]
    public void AgreesWithBouncyCastleOnEdgeAndRandomScalarsAndPoints(string name)
    {
        var curve = Curve.FromName(name);
        var rng = new SeededRandom("secret multiplication " + name);
        var q = curve.Order;
        var scalars = new List<Scalar>
        {
            Scalar.One(curve), Scalar.FromValue(curve, 2), Scalar.FromValue(curve, 3), Scalar.FromValue(curve, 7),
            Scalar.FromValue(curve, 255), Scalar.FromValue(curve, BigInteger.One << 128), Scalar.FromValue(curve, q - 1),
            Scalar.FromValue(curve, q - 2), Scalar.FromValue(curve, (q - 1) / 2), Scalar.FromValue(curve, (q + 1) / 2),
        };
        for (var i = 0; i < 16; i++)
        {
            scalars.Add(Scalar.Random(curve, rng));
        }

        var points = new List<Point> { curve.Generator, VectorPoint(curve), Point.MultiplyGenerator(Scalar.FromValue(curve, q - 1)) };
        for (var i = 0; i < 4; i++)
        {
            points.Add(Point.MultiplyGenerator(Scalar.Random(curve, rng)));
        }

        foreach (var k in scalars)
        {
            using var secret = new SecretScalar(k);
            Assert.Equal(Point.MultiplyGenerator(k), Point.MultiplyGenerator(secret));
            foreach (var p in points)
            {
                Assert.Equal(p.Multiply(k), p.Multiply(secret));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void ZeroGivesTheIdentityAndMinusOneTheNegation(string name)
    {
        var curve = Curve.FromName(name);
        using var zero = new SecretScalar(Scalar.Zero(curve));
        using var minusOne = new SecretScalar(Scalar.FromValue(curve, -1));
        var p = VectorPoint(curve);
        Assert.True(Point.MultiplyGenerator(zero).IsIdentity);
        Assert.True(p.Multiply(zero).IsIdentity);
        Assert.Equal(p.Negate(), p.Multiply(minusOne));
        Assert.Equal(curve.Generator.Negate(), Point.MultiplyGenerator(minusOne));
    }

    [Fact]
    public void P256KeyOfRfc6979MatchesItsPublicKey()
    {
        // RFC 6979 §A.2.5: the P-256 private key x and its public key U = x·G.
        var curve = Curve.P256;
        using var x = new SecretScalar(Scalar.Decode(curve, Convert.FromHexString("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721")));
        var u = Convert.FromHexString("04"
            + "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6"
            + "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299");
        Assert.Equal(u, Point.MultiplyGenerator(x).Encode(compressed: false));
    }

    [Fact]
    public void Secp256k1TwiceTheGeneratorMatchesItsKnownValue()
    {
        var curve = Curve.Secp256k1;
        using var two = new SecretScalar(Scalar.FromValue(curve, 2));
        var expected = "04c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee51ae168fea63dc339a3c58419466ceaeef7f632653266d0e1236431a950cfe52a";
        Assert.Equal(expected, Convert.ToHexStringLower(Point.MultiplyGenerator(two).Encode(compressed: false)));
        Assert.Equal(expected, Convert.ToHexStringLower(curve.Generator.Multiply(two).Encode(compressed: false)));
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void AScalarOfAnotherCurveIsRefused(string name)
    {
        var curve = Curve.FromName(name);
        var other = curve == Curve.P256 ? Curve.Secp256k1 : Curve.P256;
        using var k = new SecretScalar(Scalar.FromValue(other, 5));
        Assert.Throws<ArgumentException>(() => curve.Generator.Multiply(k));
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void TheIdentityIsRefusedWithItsTypedError(string name)
    {
        var curve = Curve.FromName(name);
        using var k = new SecretScalar(Scalar.FromValue(curve, 5));
        var error = Assert.Throws<DecodingException>(() => curve.Identity.Multiply(k));
        Assert.Equal(DecodingError.Identity, error.Reason);
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void InvalidPointsAreRefusedByTheMultiplierWithTypedErrors(string name)
    {
        var curve = Curve.FromName(name);
        var other = curve == Curve.P256 ? Curve.Secp256k1 : Curve.P256;
        var k = Scalar.FromValue(curve, 5).Encode();
        var result = new byte[Point.UncompressedLength];

        var offCurve = curve.Generator.Encode(compressed: false);
        offCurve[^1] ^= 1;
        var otherCurve = other.Generator.Encode(compressed: false);
        var xTooLarge = new byte[Point.UncompressedLength];
        xTooLarge.AsSpan().Fill(0xff);
        xTooLarge[0] = 0x04;

        foreach (var bad in new[] { offCurve, otherCurve, xTooLarge })
        {
            var error = Assert.Throws<DecodingException>(() => curve.SecretMultiplier.Multiply(bad, k, result));
            Assert.Equal(DecodingError.NotOnCurve, error.Reason);
        }

        foreach (var bad in new[] { curve.Generator.Encode(), new byte[Point.UncompressedLength], new byte[1] })
        {
            var error = Assert.Throws<DecodingException>(() => curve.SecretMultiplier.Multiply(bad, k, result));
            Assert.Equal(DecodingError.Malformed, error.Reason);
        }

        Assert.All(result, b => Assert.Equal(0, b));
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void AnUnreducedScalarIsRefused(string name)
    {
        var curve = Curve.FromName(name);
        var tooLarge = new byte[Scalar.EncodedLength];
        tooLarge.AsSpan().Fill(0xff);
        var result = new byte[Point.UncompressedLength];
        Assert.Throws<ArgumentException>(() => curve.SecretMultiplier.MultiplyGenerator(tooLarge, result));
        Assert.Throws<ArgumentException>(() => curve.SecretMultiplier.Multiply(curve.Generator.Encode(compressed: false), tooLarge, result));
        Assert.Throws<ArgumentException>(() => curve.SecretMultiplier.MultiplyGenerator(new byte[31], result));
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void ADisposedSecretIsRefused(string name)
    {
        var curve = Curve.FromName(name);
        var k = SecretScalar.Random(curve, new SeededRandom("disposed"));
        k.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Point.MultiplyGenerator(k));
        Assert.Throws<ObjectDisposedException>(() => curve.Generator.Multiply(k));
    }

    [Fact]
    public void LibCryptoHandlesAreFreedOnDispose()
    {
        var k = Scalar.FromValue(Curve.P256, 12345).Encode();
        var bigNum = P256SecretMultiplier.SecretBigNum(k);
        Assert.NotEqual(0, LibCrypto.BigNumGetFlags(bigNum, LibCrypto.BnFlagConstTime));
        var context = P256SecretMultiplier.NewContext();
        var point = P256SecretMultiplier.NewPoint();
        LibCryptoHandle[] handles = [bigNum, context, point];
        Assert.All(handles, h => Assert.False(h.Freed));
        foreach (var h in handles)
        {
            h.Dispose();
        }

        Assert.All(handles, h => Assert.True(h.Freed && h.IsClosed));
    }

    [Fact]
    public void ASecretScalarNeverConvertsToAScalarImplicitly()
    {
        var conversions = typeof(SecretScalar).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Concat(typeof(Scalar).GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.Name is "op_Implicit" or "op_Explicit");
        Assert.Empty(conversions);
    }

    /// <summary>RFC 9380's hash_to_curve("abc") on each curve (suites *_XMD:SHA-256_SSWU_RO_), decoded.</summary>
    private static Point VectorPoint(Curve curve) => Point.Decode(curve, Convert.FromHexString(curve == Curve.P256
        ? "04" + "0bb8b87485551aa43ed54f009230450b492fead5f1cc91658775dac4a3388a0f" + "5c41b3d0731a27a7b14bc0bf0ccded2d8751f83493404c84a88e71ffd424212e"
        : "04" + "3377e01eab42db296b512293120c6cee72b6ecf9f9205760bd9ff11fb3cb2c4b" + "7f95890f33efebd1044d382a01b1bee0900fb6116f94688d487c6c7b9c8371f6"));
}

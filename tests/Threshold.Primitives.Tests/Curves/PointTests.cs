using System.Numerics;
using System.Security.Cryptography;
using Threshold.Curves;
using Threshold.Randomness;

namespace Threshold.Tests.Curves;

public sealed class PointTests
{
    public static TheoryData<string> Curves => ["secp256k1", "P-256"];

    [Theory]
    [MemberData(nameof(Curves))]
    public void GeneratorMatchesTheStandard(string name)
    {
        var curve = Curve.FromName(name);
        var expected = name == "secp256k1"
            ? "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798" // SEC 2 §2.4.1
            : "036b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"; // FIPS 186-5 / SEC 2 §2.4.2
        Assert.Equal(expected, Convert.ToHexStringLower(curve.Generator.Encode()));
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void MultiplicationAgreesWithDotNetAndOpenSsl(string name)
    {
        // An independent implementation: .NET's ECDsa (OpenSSL) derives Q = d·G for a fresh key.
        var curve = Curve.FromName(name);
        var dotnetCurve = name == "secp256k1" ? ECCurve.CreateFromFriendlyName("secP256k1") : ECCurve.NamedCurves.nistP256;
        for (var i = 0; i < 5; i++)
        {
            using var key = ECDsa.Create(dotnetCurve);
            var parameters = key.ExportParameters(includePrivateParameters: true);
            var d = Scalar.Decode(curve, parameters.D);
            var uncompressed = new byte[] { 0x04 }.Concat(parameters.Q.X!).Concat(parameters.Q.Y!).ToArray();
            Assert.Equal(uncompressed, Point.MultiplyGenerator(d).Encode(compressed: false));
            Assert.Equal(Point.Decode(curve, uncompressed), d * curve.Generator);
        }
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void EncodingsRoundTrip(string name)
    {
        var curve = Curve.FromName(name);
        var rng = new SeededRandom("points " + name);
        for (var i = 0; i < 20; i++)
        {
            var p = Point.MultiplyGenerator(Scalar.Random(curve, rng));
            Assert.Equal(p, Point.Decode(curve, p.Encode()));
            Assert.Equal(p, Point.Decode(curve, p.Encode(compressed: false)));
            Assert.Equal(p.IsYOdd ? 0x03 : 0x02, p.Encode()[0]);
        }
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void GroupLawHolds(string name)
    {
        var curve = Curve.FromName(name);
        var rng = new SeededRandom("group " + name);
        var a = Scalar.Random(curve, rng);
        var b = Scalar.Random(curve, rng);
        var g = curve.Generator;
        Assert.Equal((a + b) * g, (a * g) + (b * g));
        Assert.Equal((a * b) * g, a * (b * g));
        Assert.True(((a * g) - (a * g)).IsIdentity);
        Assert.Equal((-a) * g, (a * g).Negate());
        Assert.True(Point.MultiplyGenerator(Scalar.Zero(curve)).IsIdentity);
        Assert.True(Scalar.FromValue(curve, curve.Order) is { IsZero: true });
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void OffCurvePointIsRejected(string name)
    {
        var curve = Curve.FromName(name);
        var encoded = curve.Generator.Encode(compressed: false);
        encoded[^1] ^= 1; // y + 1 or y − 1 no longer satisfies the equation
        var error = Assert.Throws<DecodingException>(() => Point.Decode(curve, encoded));
        Assert.Equal(DecodingError.NotOnCurve, error.Reason);
    }

    [Fact]
    public void CompressedXWithoutASquareRootIsRejected()
    {
        // x = 5 on secp256k1: 5³ + 7 = 132 is not a quadratic residue mod p.
        var encoded = new byte[33];
        encoded[0] = 0x02;
        encoded[^1] = 5;
        var error = Assert.Throws<DecodingException>(() => Point.Decode(Curve.Secp256k1, encoded));
        Assert.Equal(DecodingError.NotOnCurve, error.Reason);
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void CoordinateAboveTheFieldPrimeIsRejected(string name)
    {
        var curve = Curve.FromName(name);
        var encoded = Enumerable.Repeat((byte)0xFF, 33).ToArray();
        encoded[0] = 0x02;
        var error = Assert.Throws<DecodingException>(() => Point.Decode(curve, encoded));
        Assert.Equal(DecodingError.NotOnCurve, error.Reason);
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void IdentityIsRejected(string name)
    {
        var curve = Curve.FromName(name);
        Assert.Equal(DecodingError.Identity, Assert.Throws<DecodingException>(() => Point.Decode(curve, [0x00])).Reason);
        Assert.Throws<InvalidOperationException>(() => curve.Identity.Encode());
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x02 })]
    [InlineData(new byte[] { 0x05, 1, 2, 3 })]
    public void MalformedEncodingsAreRejected(byte[] encoded)
    {
        var error = Assert.Throws<DecodingException>(() => Point.Decode(Curve.Secp256k1, encoded));
        Assert.Equal(DecodingError.Malformed, error.Reason);
    }

    [Fact]
    public void HybridAndWrongLengthPrefixesAreRejected()
    {
        var g = Curve.P256.Generator.Encode(compressed: false);
        g[0] = 0x06; // SEC1 hybrid form: not accepted
        Assert.Equal(DecodingError.Malformed, Assert.Throws<DecodingException>(() => Point.Decode(Curve.P256, g)).Reason);
        var compressed = Curve.P256.Generator.Encode();
        Assert.Equal(DecodingError.Malformed, Assert.Throws<DecodingException>(() => Point.Decode(Curve.P256, compressed.Append((byte)0).ToArray())).Reason);
    }

    [Fact]
    public void PointOfOneCurveIsNotAPointOfTheOther()
    {
        var k1 = Curve.Secp256k1.Generator.Encode(compressed: false);
        Assert.Equal(DecodingError.NotOnCurve, Assert.Throws<DecodingException>(() => Point.Decode(Curve.P256, k1)).Reason);
        Assert.Throws<ArgumentException>(() => Curve.P256.Generator.Add(Curve.Secp256k1.Generator));
    }

    [Fact]
    public void XCoordinateAndParityMatchTheEncoding()
    {
        var g = Curve.Secp256k1.Generator;
        var x = new BigInteger(g.Encode()[1..], isUnsigned: true, isBigEndian: true);
        Assert.Equal(x, g.X);
        Assert.False(g.IsYOdd);
    }
}

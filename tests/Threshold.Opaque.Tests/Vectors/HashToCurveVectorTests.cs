using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Threshold.Curves;
using Threshold.Opaque.HashToCurve;
using Threshold.Opaque.Tests.Support;

namespace Threshold.Opaque.Tests.Vectors;

/// <summary>RFC 9380 Appendix J: P256_XMD:SHA-256_SSWU_RO_ and secp256k1_XMD:SHA-256_SSWU_RO_ (u, Q0, Q1, P).</summary>
public sealed class HashToCurveVectorTests
{
    public static TheoryData<string> Suites => ["P256", "secp256k1"];

    [Theory]
    [MemberData(nameof(Suites))]
    public void EveryStepMatches(string name)
    {
        var (suite, file) = name == "P256"
            ? (HashToCurveSuite.P256Sha256, "h2c-P256_XMD_SHA-256_SSWU_RO_.json")
            : (HashToCurveSuite.Secp256k1Sha256, "h2c-secp256k1_XMD_SHA-256_SSWU_RO_.json");
        var data = VectorFiles.Load(file);
        Assert.Equal(suite.Name, data.Text("ciphersuite").Replace("_XMD:", "_XMD:", StringComparison.Ordinal));
        var dst = Encoding.ASCII.GetBytes(data.Text("dst"));
        var count = 0;
        foreach (var vector in data.GetProperty("vectors").EnumerateArray())
        {
            var message = Encoding.ASCII.GetBytes(vector.Text("msg"));
            var u = suite.HashToFieldIntegers(message, dst, 2);
            var expectedU = vector.GetProperty("u").EnumerateArray().Select(e => Integer(e.GetString()!)).ToArray();
            Assert.Equal(expectedU, u);
            Assert.Equal(PointOf(suite.Curve, vector.GetProperty("Q0")), suite.MapToCurve(u[0]));
            Assert.Equal(PointOf(suite.Curve, vector.GetProperty("Q1")), suite.MapToCurve(u[1]));
            Assert.Equal(PointOf(suite.Curve, vector.GetProperty("P")), suite.HashToCurve(message, dst));
            count++;
        }

        Assert.Equal(5, count);
    }

    private static Point PointOf(Curve curve, JsonElement point)
    {
        var encoded = new byte[65];
        encoded[0] = 4;
        Fixed(point.Text("x")).CopyTo(encoded, 1);
        Fixed(point.Text("y")).CopyTo(encoded, 33);
        return Point.Decode(curve, encoded);
    }

    private static byte[] Fixed(string hex) => Convert.FromHexString(hex[2..].PadLeft(64, '0'));

    private static BigInteger Integer(string hex) => BigInteger.Parse("0" + hex[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}

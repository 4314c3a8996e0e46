using Threshold.Opaque.Groups;

namespace Threshold.Opaque.Tests.Decoding;

/// <summary>DeserializeElement and DeserializeScalar refuse every malformed input with a typed reason.</summary>
public sealed class ElementAndScalarDecodingTests
{
    private static readonly IOprfGroup Ristretto = Ristretto255Group.Instance;
    private static readonly IOprfGroup P256 = P256Group.Instance;

    [Theory]
    [InlineData("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")] // s = p: not canonical
    [InlineData("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")] // s = 2^255 − 1 > p
    [InlineData("0000000000000000000000000000000000000000000000000000000000000080")] // bit 255 set
    [InlineData("0100000000000000000000000000000000000000000000000000000000000000")] // s = 1 is negative (odd)
    public void Ristretto255RefusesInvalidEncodings(string hex)
    {
        var error = Assert.Throws<DecodingException>(() => Ristretto.DeserializeElement(Convert.FromHexString(hex), "element"));
        Assert.Equal(DecodingError.Malformed, error.Reason);
        Assert.Equal("element", error.Field);
    }

    [Fact]
    public void Ristretto255RefusesTheIdentityAndWrongLengths()
    {
        Assert.Equal(DecodingError.Identity, Assert.Throws<DecodingException>(() => Ristretto.DeserializeElement(new byte[32], "e")).Reason);
        var generator = Ristretto.Generator.Serialize();
        Assert.Equal(DecodingError.Malformed, Assert.Throws<DecodingException>(() => Ristretto.DeserializeElement(generator[..31], "e")).Reason);
        Assert.Equal(DecodingError.Malformed, Assert.Throws<DecodingException>(() => Ristretto.DeserializeElement([.. generator, 0], "e")).Reason);
        Assert.Equal(Ristretto.Generator, Ristretto.DeserializeElement(generator, "e"));

        // The generator with bit 255 set: libsodium 1.0.18 alone would accept it as a second encoding.
        byte[] malleable = [.. generator[..31], (byte)(generator[31] | 0x80)];
        Assert.Equal(DecodingError.Malformed, Assert.Throws<DecodingException>(() => Ristretto.DeserializeElement(malleable, "e")).Reason);

        // RFC 9496 §4.4: the generator's encoding.
        Assert.Equal("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76", Convert.ToHexStringLower(generator));
    }

    [Fact]
    public void P256RefusesEverythingButValidCompressedPoints()
    {
        var generator = P256.Generator.Serialize();
        Assert.Equal(33, generator.Length);
        Assert.Equal(P256.Generator, P256.DeserializeElement(generator, "e"));

        var uncompressed = Threshold.Curves.Curve.P256.Generator.Encode(compressed: false);
        Assert.Equal(DecodingError.Malformed, Assert.Throws<DecodingException>(() => P256.DeserializeElement(uncompressed, "e")).Reason);
        Assert.Equal(DecodingError.Malformed, Assert.Throws<DecodingException>(() => P256.DeserializeElement(new byte[33], "e")).Reason);
        Assert.Equal(DecodingError.Malformed, Assert.Throws<DecodingException>(() => P256.DeserializeElement([0x00], "e")).Reason);

        byte[] wrongPrefix = [0x05, .. generator[1..]];
        Assert.Equal(DecodingError.Malformed, Assert.Throws<DecodingException>(() => P256.DeserializeElement(wrongPrefix, "e")).Reason);

        // x = p is outside the field.
        byte[] xIsP = [0x02, .. Convert.FromHexString("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff")];
        Assert.Equal(DecodingError.NotOnCurve, Assert.Throws<DecodingException>(() => P256.DeserializeElement(xIsP, "e")).Reason);
    }

    [Fact]
    public void P256RefusesAnXWithNoPointAboveIt()
    {
        // About half of all x have no y; find one and check both parities are refused.
        var curveFound = false;
        for (byte x = 1; x < 50 && !curveFound; x++)
        {
            var even = new byte[33];
            even[0] = 0x02;
            even[32] = x;
            try
            {
                P256.DeserializeElement(even, "e");
            }
            catch (DecodingException error)
            {
                Assert.Equal(DecodingError.NotOnCurve, error.Reason);
                even[0] = 0x03;
                Assert.Throws<DecodingException>(() => P256.DeserializeElement(even, "e"));
                curveFound = true;
            }
        }

        Assert.True(curveFound);
    }

    [Fact]
    public void ScalarsMustBeCanonical()
    {
        const string RistrettoOrder = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
        const string P256Order = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

        Assert.Equal(DecodingError.NonCanonical, Assert.Throws<DecodingException>(() => Ristretto.DeserializeScalar(Convert.FromHexString(RistrettoOrder), "s")).Reason);
        Assert.Equal(DecodingError.NonCanonical, Assert.Throws<DecodingException>(() => Ristretto.DeserializeScalar(Enumerable.Repeat((byte)0xff, 32).ToArray(), "s")).Reason);
        Assert.Equal(DecodingError.Malformed, Assert.Throws<DecodingException>(() => Ristretto.DeserializeScalar(new byte[31], "s")).Reason);
        var belowOrder = Convert.FromHexString(RistrettoOrder);
        belowOrder[0]--;
        using (var ok = Ristretto.DeserializeScalar(belowOrder, "s"))
        using (var bytes = ok.Serialize())
        {
            Assert.Equal(belowOrder, bytes.Span.ToArray());
        }

        Assert.Equal(DecodingError.NonCanonical, Assert.Throws<DecodingException>(() => P256.DeserializeScalar(Convert.FromHexString(P256Order), "s")).Reason);
        Assert.Equal(DecodingError.Malformed, Assert.Throws<DecodingException>(() => P256.DeserializeScalar(new byte[33], "s")).Reason);
    }

    [Theory]
    [InlineData("ristretto255")]
    [InlineData("P-256")]
    public void GroupArithmeticIsConsistent(string name)
    {
        IOprfGroup group = name == "P-256" ? P256 : Ristretto;
        var rng = new Threshold.Randomness.SeededRandom("arithmetic " + name);
        using var a = group.RandomScalar(rng);
        using var b = group.RandomScalar(rng);
        using var sum = group.Add(a, b);
        using var difference = group.Subtract(sum, b);
        using var product = group.Multiply(a, b);
        using var inverse = group.Invert(a);
        using var one = group.Multiply(a, inverse);
        Assert.Equal(group.MultiplyGenerator(a), group.MultiplyGenerator(difference));
        Assert.Equal(group.Add(group.MultiplyGenerator(a), group.MultiplyGenerator(b)), group.MultiplyGenerator(sum));
        Assert.Equal(group.Multiply(a, group.MultiplyGenerator(b)), group.MultiplyGenerator(product));
        Assert.Equal(group.Generator, group.MultiplyGenerator(one));
        using var zero = group.Subtract(a, a);
        Assert.True(zero.IsZero);
        Assert.True(group.MultiplyGenerator(zero).IsIdentity);
        Assert.Throws<ArithmeticException>(() => group.Invert(zero));
        Assert.Throws<InvalidOperationException>(() => group.Identity.Serialize());
    }

    [Fact]
    public void ValuesOfOneGroupAreRefusedByTheOther()
    {
        var rng = new Threshold.Randomness.SeededRandom("cross");
        using var scalar = Ristretto.RandomScalar(rng);
        Assert.Throws<ArgumentException>(() => P256.MultiplyGenerator(scalar));
        Assert.Throws<ArgumentException>(() => P256.Add(P256.Generator, Ristretto.Generator));
    }
}

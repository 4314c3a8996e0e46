using System.Globalization;
using System.Numerics;
using Threshold.Opaque.HashToCurve;
using Threshold.Randomness;

namespace Threshold.Opaque.Tests.Arithmetic;

/// <summary>The constant-time Montgomery field behind hash-to-curve, cross-checked against BigInteger.</summary>
public sealed class PrimeFieldTests
{
    public static TheoryData<string> Moduli =>
    [
        "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", // P-256 p
        "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", // P-256 n
        "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f", // secp256k1 p
        "000000000000000000000000000000000000000000000000000000000000fff1", // a small prime (65521)
    ];

    [Theory]
    [MemberData(nameof(Moduli))]
    public void OperationsAgreeWithBigInteger(string modulusHex)
    {
        var p = BigInteger.Parse("0" + modulusHex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var field = new PrimeField256(p);
        var rng = new SeededRandom("field " + modulusHex);
        var specials = new[] { BigInteger.Zero, BigInteger.One, p - 1, p - 2, p / 2 };
        for (var i = 0; i < 200; i++)
        {
            var a = i < specials.Length ? specials[i] : Random(rng, p);
            var b = i < specials.Length ? specials[(i + 2) % specials.Length] : Random(rng, p);
            var fa = field.FromInteger(a);
            var fb = field.FromInteger(b);
            Assert.Equal(a, field.ToInteger(fa));
            Assert.Equal((a + b) % p, field.ToInteger(field.Add(fa, fb)));
            Assert.Equal(((a - b) % p + p) % p, field.ToInteger(field.Subtract(fa, fb)));
            Assert.Equal((p - a) % p, field.ToInteger(field.Negate(fa)));
            Assert.Equal(a * b % p, field.ToInteger(field.Multiply(fa, fb)));
            Assert.Equal(a.IsZero ? 0 : BigInteger.ModPow(a, p - 2, p), field.ToInteger(field.Invert(fa)));
            Assert.Equal(a == b ? ulong.MaxValue : 0UL, PrimeField256.EqualMask(fa, fb));
            Assert.Equal((ulong)(a % 2), field.Sign0(fa));
        }
    }

    [Theory]
    [MemberData(nameof(Moduli))]
    public void WideInputsReduceLikeOs2ipModP(string modulusHex)
    {
        var p = BigInteger.Parse("0" + modulusHex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var field = new PrimeField256(p);
        var rng = new SeededRandom("wide " + modulusHex);
        foreach (var length in new[] { 0, 1, 31, 32, 33, 48, 64 })
        {
            for (var i = 0; i < 20; i++)
            {
                var bytes = new byte[length];
                rng.GetBytes(bytes);
                if (i == 0)
                {
                    Array.Fill(bytes, (byte)0xff);
                }

                var expected = new BigInteger(bytes, isUnsigned: true, isBigEndian: true) % p;
                Assert.Equal(expected, field.ToInteger(field.FromBigEndian(bytes)));
            }
        }
    }

    private static BigInteger Random(SeededRandom rng, BigInteger p)
    {
        var bytes = new byte[40];
        rng.GetBytes(bytes);
        return new BigInteger(bytes, isUnsigned: true) % p;
    }
}

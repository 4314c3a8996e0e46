// RFC 9380 Appendix E.1: the 3-isogeny from E': y² = x³ + A'·x + B' to secp256k1 (y² = x³ + 7),
// evaluated in affine coordinates with one inversion of the product of the two denominators.
using System.Globalization;
using System.Numerics;

namespace Threshold.Opaque.HashToCurve;

/// <summary>iso_map for secp256k1_XMD:SHA-256_SSWU_RO_ (constants k_(i,j) of Appendix E.1).</summary>
internal sealed class Secp256k1Isogeny
{
    private readonly PrimeField256 gf;
    private readonly FieldElement[] xNumerator;   // k_(1,0..3)
    private readonly FieldElement[] xDenominator; // k_(2,0..1), then the monic x'^2
    private readonly FieldElement[] yNumerator;   // k_(3,0..3)
    private readonly FieldElement[] yDenominator; // k_(4,0..2), then the monic x'^3

    internal Secp256k1Isogeny(PrimeField256 gf)
    {
        this.gf = gf;
        xNumerator = Constants(
            "8e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38daaaaa8c7",
            "07d3d4c80bc321d5b9f315cea7fd44c5d595d2fc0bf63b92dfff1044f17c6581",
            "534c328d23f234e6e2a413deca25caece4506144037c40314ecbd0b53d9dd262",
            "8e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38daaaaa88c");
        xDenominator = [.. Constants(
            "d35771193d94918a9ca34ccbb7b640dd86cd409542f8487d9fe6b745781eb49b",
            "edadc6f64383dc1df7c4b2d51b54225406d36b641f5e41bbc52a56612a8c6d14"), gf.One];
        yNumerator = Constants(
            "4bda12f684bda12f684bda12f684bda12f684bda12f684bda12f684b8e38e23c",
            "c75e0c32d5cb7c0fa9d0a54b12a0a6d5647ab046d686da6fdffc90fc201d71a3",
            "29a6194691f91a73715209ef6512e576722830a201be2018a765e85a9ecee931",
            "2f684bda12f684bda12f684bda12f684bda12f684bda12f684bda12f38e38d84");
        yDenominator = [.. Constants(
            "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffff93b",
            "7a06534bb8bdb49fd5e9e6632722c2989467c1bfc8e8d978dfb425d2685c2573",
            "6484aa716545ca2cf3a70c3fa8fe337e0a3d21162f0d6299a7bf8192bfd2a76f"), gf.One];
    }

    /// <summary>(x, y) on secp256k1 from (x', y') on E'.</summary>
    internal (FieldElement X, FieldElement Y) Map(FieldElement xPrime, FieldElement yPrime)
    {
        var xNum = Horner(xNumerator, xPrime);
        var xDen = Horner(xDenominator, xPrime);
        var yNum = Horner(yNumerator, xPrime);
        var yDen = Horner(yDenominator, xPrime);

        // One inversion: 1/(xDen·yDen) gives both 1/xDen and 1/yDen. inv0 maps 0 to 0, as §6.6.3 requires
        // for the exceptional case (which the straight-line map sends to the identity of E).
        var inverseBoth = gf.Invert(gf.Multiply(xDen, yDen));
        var x = gf.Multiply(xNum, gf.Multiply(inverseBoth, yDen));
        var y = gf.Multiply(yPrime, gf.Multiply(yNum, gf.Multiply(inverseBoth, xDen)));
        return (x, y);
    }

    private FieldElement Horner(FieldElement[] coefficients, FieldElement x)
    {
        var result = coefficients[^1];
        for (var i = coefficients.Length - 2; i >= 0; i--)
        {
            result = gf.Add(gf.Multiply(result, x), coefficients[i]);
        }

        return result;
    }

    private FieldElement[] Constants(params string[] hex) =>
        [.. hex.Select(h => gf.FromInteger(BigInteger.Parse("0" + h, NumberStyles.HexNumber, CultureInfo.InvariantCulture)))];
}

// RFC 9380 §6.6.2 Simplified Shallue–van de Woestijne–Ulas map for y² = x³ + A·x + B with A·B ≠ 0,
// in the straight-line form of Appendix F.2 with sqrt_ratio for q ≡ 3 (mod 4) (Appendix F.2.1.2).
using System.Numerics;

namespace Threshold.Opaque.HashToCurve;

/// <summary>map_to_curve_simple_swu for one curve (or, for secp256k1, its isogenous curve E').</summary>
internal sealed class SimplifiedSwu
{
    private readonly PrimeField256 gf;
    private readonly FieldElement a;
    private readonly FieldElement b;
    private readonly FieldElement z;
    private readonly BigInteger c1; // (q − 3) / 4
    private readonly FieldElement c2; // sqrt(−Z)

    internal SimplifiedSwu(PrimeField256 gf, BigInteger a, BigInteger b, BigInteger z)
    {
        var q = gf.Modulus;
        if (q % 4 != 3)
        {
            throw new ArgumentException("this sqrt_ratio needs q ≡ 3 (mod 4)", nameof(gf));
        }

        this.gf = gf;
        this.a = gf.FromInteger(a);
        this.b = gf.FromInteger(b);
        this.z = gf.FromInteger(z);
        c1 = (q - 3) / 4;
        var minusZ = ((-z % q) + q) % q;
        c2 = gf.FromInteger(BigInteger.ModPow(minusZ, (q + 1) / 4, q));
    }

    internal PrimeField256 Field => gf;

    /// <summary>Maps a gf element u to an affine point (x, y) of the curve (never the identity).</summary>
    internal (FieldElement X, FieldElement Y) Map(FieldElement u)
    {
        var f = gf;
        var tv1 = f.Square(u);                                               // 1. tv1 = u²
        tv1 = f.Multiply(z, tv1);                                            // 2. tv1 = Z·tv1
        var tv2 = f.Square(tv1);                                             // 3. tv2 = tv1²
        tv2 = f.Add(tv2, tv1);                                               // 4. tv2 = tv2 + tv1
        var tv3 = f.Add(tv2, f.One);                                         // 5. tv3 = tv2 + 1
        tv3 = f.Multiply(b, tv3);                                            // 6. tv3 = B·tv3
        var tv4 = PrimeField256.Select(                                      // 7. tv4 = CMOV(Z, −tv2, tv2 ≠ 0)
            z, f.Negate(tv2), ~PrimeField256.IsZeroMask(tv2));
        tv4 = f.Multiply(a, tv4);                                            // 8. tv4 = A·tv4
        tv2 = f.Square(tv3);                                                 // 9. tv2 = tv3²
        var tv6 = f.Square(tv4);                                             // 10. tv6 = tv4²
        var tv5 = f.Multiply(a, tv6);                                        // 11. tv5 = A·tv6
        tv2 = f.Add(tv2, tv5);                                               // 12. tv2 = tv2 + tv5
        tv2 = f.Multiply(tv2, tv3);                                          // 13. tv2 = tv2·tv3
        tv6 = f.Multiply(tv6, tv4);                                          // 14. tv6 = tv6·tv4
        tv5 = f.Multiply(b, tv6);                                            // 15. tv5 = B·tv6
        tv2 = f.Add(tv2, tv5);                                               // 16. tv2 = tv2 + tv5
        var x = f.Multiply(tv1, tv3);                                        // 17. x = tv1·tv3
        var (isGx1Square, y1) = SqrtRatio(tv2, tv6);                         // 18. (is_gx1_square, y1) = sqrt_ratio(tv2, tv6)
        var y = f.Multiply(tv1, u);                                          // 19. y = tv1·u
        y = f.Multiply(y, y1);                                               // 20. y = y·y1
        x = PrimeField256.Select(x, tv3, isGx1Square);                       // 21. x = CMOV(x, tv3, is_gx1_square)
        y = PrimeField256.Select(y, y1, isGx1Square);                        // 22. y = CMOV(y, y1, is_gx1_square)
        var sameSign = unchecked(0 - (~(f.Sign0(u) ^ f.Sign0(y)) & 1));      // 23. e1 = sgn0(u) == sgn0(y)
        y = PrimeField256.Select(f.Negate(y), y, sameSign);                  // 24. y = CMOV(−y, y, e1)
        x = f.Multiply(x, f.Invert(tv4));                                    // 25. x = x / tv4
        return (x, y);
    }

    /// <summary>sqrt_ratio(u, v) for q ≡ 3 (mod 4): (all-ones, √(u/v)) when u/v is square, else (0, √(Z·u/v)).</summary>
    private (ulong IsSquare, FieldElement Root) SqrtRatio(FieldElement u, FieldElement v)
    {
        var f = gf;
        var tv1 = f.Square(v);                                 // 1. tv1 = v²
        var tv2 = f.Multiply(u, v);                            // 2. tv2 = u·v
        tv1 = f.Multiply(tv1, tv2);                            // 3. tv1 = tv1·tv2
        var y1 = f.Power(tv1, c1);                             // 4. y1 = tv1^c1
        y1 = f.Multiply(y1, tv2);                              // 5. y1 = y1·tv2
        var y2 = f.Multiply(y1, c2);                           // 6. y2 = y1·c2
        var tv3 = f.Square(y1);                                // 7. tv3 = y1²
        tv3 = f.Multiply(tv3, v);                              // 8. tv3 = tv3·v
        var isQuadraticResidue = PrimeField256.EqualMask(tv3, u); // 9. isQR = tv3 == u
        var y = PrimeField256.Select(y2, y1, isQuadraticResidue);  // 10. y = CMOV(y2, y1, isQR)
        return (isQuadraticResidue, y);
    }
}

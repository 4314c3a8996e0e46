using System.Numerics;

namespace Threshold.Arithmetic;

/// <summary>
/// Chinese remaindering for a modulus M = m1·m2 with coprime m1, m2 whose split is secret (Paillier's
/// p², q²; ring-Pedersen's p, q): exponentiations run modulo each half with the exponent reduced by
/// that half's group order, then recombine (Garner). Roughly 3–4× faster than working modulo M.
/// </summary>
internal sealed class CrtPair : IDisposable
{
    private readonly Secrets.SecretBigInteger m1;
    private readonly Secrets.SecretBigInteger m2;
    private readonly Secrets.SecretBigInteger order1;
    private readonly Secrets.SecretBigInteger order2;
    private readonly Secrets.SecretBigInteger m1InverseModM2;
    private readonly IArithmetic arithmetic;

    /// <param name="m1">First factor of the modulus.</param>
    /// <param name="m2">Second factor, coprime to the first.</param>
    /// <param name="order1">A multiple of the order of (Z/m1)* (Euler's φ(m1)).</param>
    /// <param name="order2">A multiple of the order of (Z/m2)*.</param>
    /// <param name="arithmetic">Backend.</param>
    public CrtPair(BigInteger m1, BigInteger m2, BigInteger order1, BigInteger order2, IArithmetic arithmetic)
    {
        this.arithmetic = arithmetic;
        this.m1 = new(m1);
        this.m2 = new(m2);
        this.order1 = new(order1);
        this.order2 = new(order2);
        m1InverseModM2 = new(arithmetic.ModInverse(m1, m2));
        Modulus = m1 * m2;
    }

    /// <summary>M = m1·m2 (public).</summary>
    public BigInteger Modulus { get; }

    /// <summary>x mod M from x mod m1 and x mod m2.</summary>
    public BigInteger Combine(BigInteger x1, BigInteger x2)
    {
        var h = arithmetic.ModMul(x2 - x1, m1InverseModM2.Value, m2.Value);
        return x1 + (m1.Value * h);
    }

    /// <summary>
    /// b^e mod M for a unit b (gcd(b, M) = 1) and any integer e: exponents reduce modulo each half's
    /// group order, so they are non-negative and short, and the secret-exponent path is used.
    /// </summary>
    public BigInteger Pow(BigInteger value, BigInteger exponent) =>
        Combine(Half(value, exponent, m1.Value, order1.Value), Half(value, exponent, m2.Value, order2.Value));

    /// <summary>a^x · b^y mod M for units a, b.</summary>
    public BigInteger MultiExp(BigInteger a, BigInteger x, BigInteger b, BigInteger y)
    {
        var x1 = arithmetic.ModMul(Half(a, x, m1.Value, order1.Value), Half(b, y, m1.Value, order1.Value), m1.Value);
        var x2 = arithmetic.ModMul(Half(a, x, m2.Value, order2.Value), Half(b, y, m2.Value, order2.Value), m2.Value);
        return Combine(x1, x2);
    }

    public void Dispose()
    {
        m1.Dispose();
        m2.Dispose();
        order1.Dispose();
        order2.Dispose();
        m1InverseModM2.Dispose();
    }

    /// <summary>
    /// b^e modulo one half. A negative exponent inverts the base rather than reducing e modulo the
    /// order, which would turn a short exponent (a challenge) into a full-length one.
    /// </summary>
    private BigInteger Half(BigInteger value, BigInteger exponent, BigInteger modulus, BigInteger order)
    {
        var b = exponent.Sign < 0 ? arithmetic.ModInverse(value, modulus) : value;
        var e = BigInteger.Abs(exponent);
        return arithmetic.ModPowSecret(b, e >= order ? e % order : e, modulus);
    }
}

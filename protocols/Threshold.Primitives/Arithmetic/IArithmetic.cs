using System.Numerics;

namespace Threshold.Arithmetic;

/// <summary>
/// The big-integer operations that Paillier, ring-Pedersen and the CGGMP21 proofs spend their time in.
/// Values are <see cref="BigInteger"/> so callers never see which backend ran; implementations are
/// stateless and safe to call from many threads.
/// </summary>
public interface IArithmetic
{
    /// <summary>Short name used in benchmark output ("gmp", "managed").</summary>
    string Name { get; }

    /// <summary>
    /// b^e mod m for a public exponent; a negative <paramref name="exponent"/> raises the inverse of
    /// <paramref name="value"/>. Not constant-time. The result is in [0, m).
    /// </summary>
    /// <exception cref="ArithmeticException">e &lt; 0 and b is not invertible modulo m.</exception>
    BigInteger ModPow(BigInteger value, BigInteger exponent, BigInteger modulus);

    /// <summary>
    /// b^e mod m with a secret, non-negative exponent: the sequence of operations depends only on the
    /// bit lengths, not on the bits of e (GMP's <c>mpz_powm_sec</c>). The modulus must be odd.
    /// </summary>
    BigInteger ModPowSecret(BigInteger value, BigInteger exponent, BigInteger modulus);

    /// <summary>a^x · b^y mod m (exponents may be negative, as in ring-Pedersen commitments s^x·t^y).</summary>
    BigInteger MultiExp(BigInteger a, BigInteger x, BigInteger b, BigInteger y, BigInteger modulus);

    /// <summary>a · b mod m, in [0, m).</summary>
    BigInteger ModMul(BigInteger a, BigInteger b, BigInteger modulus);

    /// <summary>The inverse of a modulo m, or <c>false</c> when gcd(a, m) ≠ 1.</summary>
    bool TryModInverse(BigInteger value, BigInteger modulus, out BigInteger inverse);

    /// <summary>gcd(|a|, |b|).</summary>
    BigInteger Gcd(BigInteger a, BigInteger b);

    /// <summary>The Jacobi symbol (a/n) for odd positive n: −1, 0 or 1.</summary>
    int Jacobi(BigInteger a, BigInteger n);

    /// <summary>
    /// Probabilistic primality: trial division, then Miller–Rabin with <paramref name="rounds"/> random
    /// bases (GMP adds a Baillie–PSW test). A composite passes with probability below 4^-rounds.
    /// </summary>
    bool IsProbablePrime(BigInteger n, int rounds = 40);
}

/// <summary>Operations every backend shares, written once over the interface.</summary>
public static class ArithmeticExtensions
{
    /// <summary>The inverse of a modulo m.</summary>
    /// <exception cref="ArithmeticException">gcd(a, m) ≠ 1.</exception>
    public static BigInteger ModInverse(this IArithmetic arithmetic, BigInteger value, BigInteger modulus)
    {
        ArgumentNullException.ThrowIfNull(arithmetic);
        return arithmetic.TryModInverse(value, modulus, out var inverse)
            ? inverse
            : throw new ArithmeticException("value is not invertible modulo the given modulus");
    }

    /// <summary>
    /// b^e mod m for a secret, signed exponent: <see cref="IArithmetic.ModPowSecret"/> on |e|, so the work
    /// depends on the length of e, not its bits; a negative e raises the inverse of b (variable-time
    /// <c>mpz_invert</c>), so the timing shows the sign of e. The base must be a unit, the modulus odd.
    /// </summary>
    public static BigInteger ModPowSecretSigned(this IArithmetic arithmetic, BigInteger value, BigInteger exponent, BigInteger modulus)
    {
        ArgumentNullException.ThrowIfNull(arithmetic);
        return exponent.Sign >= 0
            ? arithmetic.ModPowSecret(value, exponent, modulus)
            : arithmetic.ModPowSecret(arithmetic.ModInverse(value, modulus), BigInteger.Negate(exponent), modulus);
    }

    /// <summary>Whether gcd(a, m) = 1.</summary>
    public static bool IsCoprime(this IArithmetic arithmetic, BigInteger a, BigInteger modulus)
    {
        ArgumentNullException.ThrowIfNull(arithmetic);
        return arithmetic.Gcd(a, modulus).IsOne;
    }
}

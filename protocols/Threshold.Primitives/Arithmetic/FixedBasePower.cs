using System.Numerics;

namespace Threshold.Arithmetic;

/// <summary>
/// b^e mod m for one public base b and many secret, signed exponents e ∈ ±2^bits, where the bound
/// <c>bits</c> is public. The work depends on the bound only, never on e, its sign included.
/// </summary>
public interface IFixedBasePower
{
    /// <summary>The base b, reduced modulo m.</summary>
    BigInteger Base { get; }

    /// <summary>The odd modulus m.</summary>
    BigInteger Modulus { get; }

    /// <summary>The largest bound this instance accepts.</summary>
    int MaxBits { get; }

    /// <summary>Memory held for the base (its table), in bytes.</summary>
    long Bytes { get; }

    /// <summary>b^e mod m for a secret e with |e| ≤ 2^<paramref name="bits"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bits"/> exceeds <see cref="MaxBits"/>, or e is outside ±2^bits.</exception>
    BigInteger Power(BigInteger exponent, int bits);
}

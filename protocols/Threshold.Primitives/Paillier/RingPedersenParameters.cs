using System.Numerics;
using Threshold.Arithmetic;

namespace Threshold.Paillier;

/// <summary>
/// Public ring-Pedersen parameters (N̂, s, t) of CGGMP21 §3.3 (Definition 3.3): t a quadratic residue
/// mod N̂ and s = t^λ for a secret λ. A commitment to (x, y) is s^x · t^y mod N̂; it binds under the
/// strong-RSA assumption as long as nobody else knows λ, which Πprm proves the owner does.
/// </summary>
public sealed class RingPedersenParameters : IEquatable<RingPedersenParameters>
{
    /// <summary>Accepts parameters from untrusted input: s and t must be units other than 1 modulo N̂.</summary>
    /// <exception cref="DecodingException">A value is out of range or not a unit.</exception>
    public RingPedersenParameters(BigInteger n, BigInteger s, BigInteger t, IArithmetic? arithmetic = null)
    {
        if (n.IsEven || n.GetBitLength() < 1024)
        {
            throw new DecodingException(DecodingError.OutOfRange, "ring-pedersen modulus");
        }

        Arithmetic = arithmetic ?? Backends.Default;
        N = n;
        S = CheckUnit(s, "ring-pedersen s");
        T = CheckUnit(t, "ring-pedersen t");
    }

    /// <summary>The modulus N̂.</summary>
    public BigInteger N { get; }

    /// <summary>s = t^λ mod N̂.</summary>
    public BigInteger S { get; }

    /// <summary>t, a quadratic residue mod N̂.</summary>
    public BigInteger T { get; }

    /// <summary>The arithmetic backend.</summary>
    public IArithmetic Arithmetic { get; }

    /// <summary>
    /// s^x · t^y mod N̂ (x, y signed). Variable-time in x and y: for verifiers, whose exponents are
    /// public; a prover committing to secrets uses the constant-time routine (<see cref="IArithmetic.ModPowSecret"/>).
    /// </summary>
    public BigInteger Commit(BigInteger x, BigInteger y) => Arithmetic.MultiExp(S, x, T, y, N);

    /// <summary>
    /// s^x · t^y mod N̂ for a prover's secret x ∈ ±2^<paramref name="xBits"/> and y ∈ ±2^<paramref name="yBits"/>
    /// (public bounds: the ranges the proof samples from). Constant-time in x and y. From the second
    /// commitment to these parameters on, the powers come from fixed-base tables of s and t in
    /// <see cref="FixedBaseCache.Shared"/> (no squarings; the sign costs nothing either); otherwise, and
    /// for a value outside its bound (a cheating prover in tests), from <see cref="IArithmetic.ModPowSecret"/>,
    /// which inverts the base for a negative exponent.
    /// </summary>
    public BigInteger SecretCommit(BigInteger x, int xBits, BigInteger y, int yBits) =>
        Arithmetic.ModMul(SecretPower(S, SBits, x, xBits), SecretPower(T, TBits, y, yBits), N);

    /// <summary>Table bound for s: the plaintext-sized exponents, at most ℓ' + ε = 1792 bits at both levels.</summary>
    private const int SBits = 2048;

    /// <summary>Table bound for t: the randomisers, at most 2^(ℓ+ε)·N̂ (ℓ + ε = 768 at both levels).</summary>
    private int TBits => (int)N.GetBitLength() + 1024;

    private BigInteger SecretPower(BigInteger value, int tableBits, BigInteger exponent, int bits)
    {
        if (bits <= tableBits && BigInteger.Abs(exponent) <= BigInteger.One << bits
            && FixedBaseCache.Shared.Find(Arithmetic, value, N, tableBits) is { } table)
        {
            return table.Power(exponent, bits);
        }

        return Arithmetic.ModPowSecretSigned(value, exponent, N);
    }

    /// <inheritdoc />
    public bool Equals(RingPedersenParameters? other) => other is not null && other.N == N && other.S == S && other.T == T;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as RingPedersenParameters);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(N, S, T);

    /// <inheritdoc />
    public override string ToString() => $"RingPedersenParameters({N.GetBitLength()} bits)";

    private BigInteger CheckUnit(BigInteger value, string field)
    {
        if (value <= BigInteger.One || value >= N)
        {
            throw new DecodingException(DecodingError.OutOfRange, field);
        }

        return Arithmetic.IsCoprime(value, N) ? value : throw new DecodingException(DecodingError.NotCoprime, field);
    }
}

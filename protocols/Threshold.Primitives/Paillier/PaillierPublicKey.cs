using System.Numerics;
using System.Security.Cryptography;
using Threshold.Arithmetic;

namespace Threshold.Paillier;

/// <summary>
/// A Paillier public key N (Paillier 1999, with generator g = 1 + N): Enc(m; ρ) = (1 + N)^m · ρ^N mod N².
/// Plaintexts are residues mod N; <see cref="Multiply"/> takes signed scalars, as CGGMP21 needs.
/// </summary>
public sealed class PaillierPublicKey : IEquatable<PaillierPublicKey>
{
    /// <summary>Creates the key for modulus <paramref name="n"/>.</summary>
    /// <param name="n">The modulus: odd and at least 1024 bits.</param>
    /// <param name="arithmetic">Backend for the exponentiations (default: <see cref="Backends.Default"/>).</param>
    /// <exception cref="DecodingException">N is even or too small to be a Paillier modulus.</exception>
    public PaillierPublicKey(BigInteger n, IArithmetic? arithmetic = null)
    {
        if (n.IsEven || n.GetBitLength() < 1024)
        {
            throw new DecodingException(DecodingError.OutOfRange, "paillier modulus");
        }

        N = n;
        NSquared = n * n;
        Arithmetic = arithmetic ?? Backends.Default;
    }

    /// <summary>The modulus N = p·q.</summary>
    public BigInteger N { get; }

    /// <summary>N².</summary>
    public BigInteger NSquared { get; }

    /// <summary>The arithmetic backend this key computes with.</summary>
    public IArithmetic Arithmetic { get; }

    /// <summary>Bit length of N.</summary>
    public int Bits => (int)N.GetBitLength();

    /// <summary>Encrypts <paramref name="message"/> (any integer, taken mod N) with a fresh nonce.</summary>
    public PaillierCiphertext Encrypt(BigInteger message, RandomNumberGenerator rng, out BigInteger nonce)
    {
        nonce = SampleNonce(rng);
        return Encrypt(message, nonce);
    }

    /// <summary>Encrypts <paramref name="message"/> with the supplied nonce ρ ∈ Z*_N.</summary>
    /// <exception cref="ArgumentException">ρ is not in Z*_N.</exception>
    public PaillierCiphertext Encrypt(BigInteger message, BigInteger nonce)
    {
        if (!IsUnit(nonce))
        {
            throw new ArgumentException("nonce must be in Z*_N", nameof(nonce));
        }

        return new PaillierCiphertext(Arithmetic.ModMul(PlaintextFactor(message), Arithmetic.ModPow(nonce, N, NSquared), NSquared));
    }

    /// <summary>A uniform nonce ρ ∈ Z*_N.</summary>
    public BigInteger SampleNonce(RandomNumberGenerator rng) => Sampling.Unit(rng, N, Arithmetic);

    /// <summary>Enc(a + b): the product of the ciphertexts.</summary>
    public PaillierCiphertext Add(PaillierCiphertext a, PaillierCiphertext b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new PaillierCiphertext(Arithmetic.ModMul(a.Value, b.Value, NSquared));
    }

    /// <summary>Enc(k · a) for a signed integer k: the ciphertext raised to k.</summary>
    public PaillierCiphertext Multiply(PaillierCiphertext a, BigInteger k)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new PaillierCiphertext(Arithmetic.ModPow(a.Value, k, NSquared));
    }

    /// <summary>
    /// Enc(k · a) for a secret, non-negative k (a share or nonce in presigning): the exponentiation is
    /// constant-time in k.
    /// </summary>
    public PaillierCiphertext MultiplySecret(PaillierCiphertext a, BigInteger k)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new PaillierCiphertext(Arithmetic.ModPowSecret(a.Value, k, NSquared));
    }

    /// <summary>(1 + N)^m mod N² = 1 + (m mod N)·N: the plaintext part of a ciphertext.</summary>
    public BigInteger PlaintextFactor(BigInteger message)
    {
        var m = message % N;
        if (m.Sign < 0)
        {
            m += N;
        }

        return 1 + (m * N);
    }

    /// <summary>
    /// Accepts an integer from untrusted input as a ciphertext of this key: it must lie in [1, N²) and
    /// be coprime to N (an element of Z*_{N²}).
    /// </summary>
    /// <exception cref="DecodingException">Out of range, or sharing a factor with N.</exception>
    public PaillierCiphertext Validate(BigInteger value, string field = "ciphertext")
    {
        if (value.Sign <= 0 || value >= NSquared)
        {
            throw new DecodingException(DecodingError.OutOfRange, field);
        }

        return Arithmetic.IsCoprime(value, N) ? new PaillierCiphertext(value) : throw new DecodingException(DecodingError.NotCoprime, field);
    }

    /// <summary>Whether <paramref name="value"/> is in Z*_N.</summary>
    public bool IsUnit(BigInteger value) => value.Sign > 0 && value < N && Arithmetic.IsCoprime(value, N);

    /// <inheritdoc />
    public bool Equals(PaillierPublicKey? other) => other is not null && other.N == N;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as PaillierPublicKey);

    /// <inheritdoc />
    public override int GetHashCode() => N.GetHashCode();

    /// <inheritdoc />
    public override string ToString() => $"PaillierPublicKey({Bits} bits)";
}

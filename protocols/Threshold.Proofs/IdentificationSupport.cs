// Arithmetic shared by the identification proofs Πmul, Πmul* and Πdec: membership tests for values
// the statement types cannot vouch for, signed range tests, the prover's secret exponentiations (CRT
// when it owns the Paillier key, a sign-independent path otherwise) and the owner's recovery of a
// Paillier nonce, which the identification steps need for ciphertexts that other parties assembled.
using System.Numerics;
using Threshold.Arithmetic;
using Threshold.Paillier;

namespace Threshold.Proofs;

/// <summary>Helpers for <see cref="PaillierMultiplicationProof"/>, <see cref="MultiplicationWithGroupCommitmentProof"/> and <see cref="DecryptionModuloQProof"/>.</summary>
internal static class IdentificationSupport
{
    /// <summary>
    /// Whether <paramref name="ciphertext"/> lies in Z*_{N²} of <paramref name="key"/>. A
    /// <see cref="PaillierCiphertext"/> is only known to be valid under the key it was made or
    /// validated with, which the statement does not record, so verifiers test it again.
    /// </summary>
    public static bool IsCiphertextOf(PaillierPublicKey key, PaillierCiphertext ciphertext) =>
        IsUnit(ciphertext.Value, key.NSquared, key.N, key.Arithmetic);

    /// <summary>Whether <paramref name="value"/> is in [1, <paramref name="bound"/>) and coprime to <paramref name="modulus"/>.</summary>
    public static bool IsUnit(BigInteger value, BigInteger bound, BigInteger modulus, IArithmetic arithmetic) =>
        value.Sign > 0 && value < bound && arithmetic.IsCoprime(value, modulus);

    /// <summary>Whether |<paramref name="value"/>| ≤ 2^<paramref name="bits"/> (the paper's "value ∈ ±2^bits").</summary>
    public static bool InSignedRange(BigInteger value, int bits) => BigInteger.Abs(value) <= BigInteger.One << bits;

    /// <summary>
    /// b^e mod N² for a secret exponent e with |e| ≤ 2^<paramref name="exponentBits"/>. The key owner
    /// works by CRT (the exponent is reduced modulo the group order, so its sign never shows); anyone
    /// else raises b to e + 2^bits, which is never negative, with the constant-time routine and then
    /// divides by b^(2^bits), whose exponent is public.
    /// </summary>
    public static BigInteger SecretPowModNSquared(PaillierPublicKey key, PaillierSecretKey? owner, BigInteger value, BigInteger exponent, int exponentBits)
    {
        if (owner is not null)
        {
            return owner.PowModNSquared(value, exponent);
        }

        var offset = BigInteger.One << exponentBits;
        var a = key.Arithmetic;
        return a.ModMul(a.ModPowSecret(value, exponent + offset, key.NSquared), a.ModPow(value, -offset, key.NSquared), key.NSquared);
    }

    /// <summary>b^e mod N² for a secret, non-negative exponent (the owner by CRT).</summary>
    public static BigInteger SecretPowModNSquared(PaillierPublicKey key, PaillierSecretKey? owner, BigInteger value, BigInteger exponent) =>
        owner is not null ? owner.PowModNSquared(value, exponent) : key.Arithmetic.ModPowSecret(value, exponent, key.NSquared);

    /// <summary>b^e mod N for a unit b and a secret signed exponent (the owner by CRT).</summary>
    public static BigInteger SecretPowModN(PaillierPublicKey key, PaillierSecretKey? owner, BigInteger value, BigInteger exponent)
    {
        if (owner is not null)
        {
            return owner.PowModN(value, exponent);
        }

        var a = key.Arithmetic;
        return exponent.Sign >= 0
            ? a.ModPowSecret(value, exponent, key.N)
            : a.ModPowSecret(a.ModInverse(value, key.N), -exponent, key.N);
    }

    /// <summary>The nonce ρ of a value under the owner's key (see <see cref="PaillierSecretKey.RecoverNonce"/>).</summary>
    public static BigInteger RecoverNonce(PaillierSecretKey owner, BigInteger value) => owner.RecoverNonce(value);
}

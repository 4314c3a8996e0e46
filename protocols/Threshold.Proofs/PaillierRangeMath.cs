// The arithmetic Πenc and Πlog* share: the prover's masked Paillier encryption, the bounds of its
// ring-Pedersen randomisers, the nonce response z2 = r·ρ^e, and the verifier's two equations
// (1 + N0)^z1 · z2^N0 = A · K^e mod N0² and s^z1 · t^z3 = C · S^e mod N̂, with the CRT shortcuts of
// whichever party owns the modulus.
using System.Numerics;
using Google.Protobuf;
using Threshold.Arithmetic;
using Threshold.Paillier;
using Threshold.Proofs.Encoding;

namespace Threshold.Proofs;

/// <summary>Arithmetic shared by the Paillier range proofs Πenc and Πlog* (CGGMP21 Fig. 14 and 25).</summary>
internal static class PaillierRangeMath
{
    /// <summary>
    /// The bit bound of the range ±2^<paramref name="bits"/>·N̂ that the commitment randomisers (γ, μ, …)
    /// are sampled from: the public bound <see cref="RingPedersenParameters.SecretCommit"/> takes.
    /// </summary>
    public static int WithModulus(int bits, RingPedersenParameters setup) => bits + (int)setup.N.GetBitLength();

    /// <summary>
    /// A = (1 + N0)^α · r^N0 mod N0²: the owner's CRT encryption when the prover passes its secret
    /// key, else the public-key encryption.
    /// </summary>
    public static BigInteger EncryptMask(PaillierPublicKey key, PaillierSecretKey? owner, BigInteger alpha, BigInteger r) =>
        owner is not null ? owner.Encrypt(alpha, r).Value : key.Encrypt(alpha, r).Value;

    /// <summary>z2 = r · ρ^e mod N0 (CRT on the owner's key, else a secret-base exponentiation).</summary>
    public static BigInteger NonceResponse(PaillierPublicKey key, PaillierSecretKey? owner, BigInteger r, BigInteger rho, BigInteger e)
    {
        var a = key.Arithmetic;
        var power = owner is not null ? owner.PowModN(rho, e) : a.ModPowSecretSigned(rho, e, key.N);
        return a.ModMul(r, power, key.N);
    }

    /// <summary>Whether <paramref name="value"/> lies in Z*_m: in [1, m) and coprime to m.</summary>
    public static bool IsUnit(IArithmetic arithmetic, BigInteger value, BigInteger modulus) =>
        value.Sign > 0 && value < modulus && arithmetic.IsCoprime(value, modulus);

    /// <summary>Whether <paramref name="value"/> lies in Z*_{N0²} of <paramref name="key"/>.</summary>
    public static bool IsCiphertext(PaillierPublicKey key, BigInteger value) =>
        value.Sign > 0 && value < key.NSquared && key.Arithmetic.IsCoprime(value, key.N);

    /// <summary>Decodes a ciphertext of <paramref name="key"/>: below N0² and in Z*_{N0²}.</summary>
    /// <exception cref="DecodingException">Malformed, out of range (zero included) or sharing a factor with N0.</exception>
    public static BigInteger DecodeCiphertext(PaillierPublicKey key, ByteString encoded, string field) =>
        key.Validate(WireCodec.DecodeUnsigned(encoded, key.NSquared, field), field).Value;

    /// <summary>Whether |z| ≤ 2^bits.</summary>
    public static bool InSignedRange(BigInteger z, int bits) => BigInteger.Abs(z) <= BigInteger.One << bits;

    /// <summary>
    /// The Paillier equation (1 + N0)^z1 · z2^N0 = A · K^e mod N0², K the statement's ciphertext. The
    /// verifier never owns N0 (it is the prover's key), so this costs one full exponentiation by N0
    /// modulo N0²: the bulk of verifying. Every value must already be known to be in its group.
    /// </summary>
    public static bool EncryptionHolds(PaillierPublicKey key, BigInteger z1, BigInteger z2, BigInteger a, BigInteger ciphertext, BigInteger e)
    {
        var arithmetic = key.Arithmetic;
        var left = key.Encrypt(z1, z2).Value;
        var right = arithmetic.ModMul(a, arithmetic.ModPow(ciphertext, e, key.NSquared), key.NSquared);
        return left == right;
    }

    /// <summary>
    /// The ring-Pedersen equation s^z1 · t^z3 = C · S^e mod N̂, by CRT when the verifier passes its own
    /// setup secret. C and S must already be known to be units mod N̂.
    /// </summary>
    public static bool CommitmentHolds(
        RingPedersenParameters setup,
        RingPedersenSecret? verifierSecret,
        BigInteger z1,
        BigInteger z3,
        BigInteger commitment,
        BigInteger s,
        BigInteger e)
    {
        if (verifierSecret is not null)
        {
            return verifierSecret.Commit(z1, z3) == verifierSecret.MultiExp(commitment, BigInteger.One, s, e);
        }

        var a = setup.Arithmetic;
        return setup.Commit(z1, z3) == a.ModMul(commitment, a.ModPow(s, e, setup.N), setup.N);
    }

    /// <summary>Throws unless <paramref name="verifierSecret"/> is the secret of <paramref name="setup"/>.</summary>
    public static void RequireMatchingSetup(RingPedersenParameters setup, RingPedersenSecret? verifierSecret)
    {
        if (verifierSecret is not null && !verifierSecret.Parameters.Equals(setup))
        {
            throw new ArgumentException("the verifier's ring-Pedersen secret belongs to another setup than the statement's", nameof(verifierSecret));
        }
    }

    /// <summary>Throws unless <paramref name="owner"/> is the secret key of <paramref name="key"/>.</summary>
    public static void RequireMatchingKey(PaillierPublicKey key, PaillierSecretKey? owner)
    {
        if (owner is not null && !owner.PublicKey.Equals(key))
        {
            throw new ArgumentException("the prover's Paillier secret key belongs to another modulus than the statement's", nameof(owner));
        }
    }
}

// What Πaff-g and Πaff-p (CGGMP21 Fig. 15 and its Paillier-commitment variant) share: the ranges of
// the security level, group-membership tests, and the arithmetic that takes the owner-side (CRT)
// shortcut when the caller holds the factorisation of a modulus.
using System.Numerics;
using Threshold.Arithmetic;
using Threshold.Paillier;
using Threshold.Transcripts;

namespace Threshold.Proofs;

/// <summary>Helpers for the two affine-operation proofs; internal, not part of the proofs' API.</summary>
internal static class AffineOperationShared
{
    /// <summary>2^<paramref name="bits"/>.</summary>
    public static BigInteger Power2(int bits) => BigInteger.One << bits;

    /// <summary>Whether <paramref name="value"/> lies in ±2^<paramref name="bits"/> (ends included).</summary>
    public static bool WithinBits(BigInteger value, int bits)
    {
        var magnitude = BigInteger.Abs(value);
        return magnitude.GetBitLength() <= bits || magnitude == Power2(bits);
    }

    /// <summary>Whether every modulus is as long as <paramref name="level"/> requires (so 2^(ℓ'+ε+1) &lt; N/2).</summary>
    public static bool ModuliFit(SecurityLevel level, params ReadOnlySpan<BigInteger> moduli)
    {
        foreach (var modulus in moduli)
        {
            if (modulus.GetBitLength() < level.ModulusBits)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether <paramref name="value"/> is in Z*_{N²} of <paramref name="key"/>.</summary>
    public static bool IsCiphertext(PaillierPublicKey key, BigInteger value) =>
        value.Sign > 0 && value < key.NSquared && key.Arithmetic.IsCoprime(value, key.N);

    /// <summary>Whether <paramref name="value"/> is in Z*_<paramref name="modulus"/>.</summary>
    public static bool IsUnit(BigInteger value, BigInteger modulus, IArithmetic arithmetic) =>
        value.Sign > 0 && value < modulus && arithmetic.IsCoprime(value, modulus);

    /// <summary>
    /// b^k mod N² for a unit b and a signed k, by CRT when <paramref name="owner"/> is N's secret key. The
    /// CRT path reduces exponents modulo the group order, which would turn a short negative exponent into
    /// a full-length one, so a negative k raises b⁻¹ to |k| instead.
    /// </summary>
    public static BigInteger PowModNSquared(PaillierPublicKey key, PaillierSecretKey? owner, BigInteger value, BigInteger exponent)
    {
        if (owner is null)
        {
            return key.Arithmetic.ModPow(value, exponent, key.NSquared);
        }

        return exponent.Sign < 0
            ? owner.PowModNSquared(key.Arithmetic.ModInverse(value, key.NSquared), -exponent)
            : owner.PowModNSquared(value, exponent);
    }

    /// <summary>s^x · t^y mod N̂, by CRT when <paramref name="owner"/> holds N̂'s trapdoor and factors.</summary>
    public static BigInteger Commit(RingPedersenParameters setup, RingPedersenSecret? owner, BigInteger x, BigInteger y)
    {
        if (owner is null)
        {
            return setup.Commit(x, y);
        }

        var (s, xMagnitude) = Signed(setup, setup.S, x);
        var (t, yMagnitude) = Signed(setup, setup.T, y);
        return owner.MultiExp(s, xMagnitude, t, yMagnitude);
    }

    /// <summary>The right side a · b^e mod N̂ of a ring-Pedersen check, by CRT when the verifier owns N̂.</summary>
    public static BigInteger CommitmentTimesPower(RingPedersenParameters setup, RingPedersenSecret? owner, BigInteger a, BigInteger b, BigInteger e)
    {
        if (owner is null)
        {
            return setup.Arithmetic.ModMul(a, setup.Arithmetic.ModPow(b, e, setup.N), setup.N);
        }

        var (bBase, eMagnitude) = Signed(setup, b, e);
        return owner.MultiExp(a, BigInteger.One, bBase, eMagnitude);
    }

    /// <summary>(b, k) for k ≥ 0, else (b⁻¹ mod N̂, −k): keeps exponents short on the CRT path.</summary>
    private static (BigInteger Base, BigInteger Exponent) Signed(RingPedersenParameters setup, BigInteger value, BigInteger exponent) =>
        exponent.Sign < 0 ? (setup.Arithmetic.ModInverse(value, setup.N), -exponent) : (value, exponent);

    /// <summary>Absorbs the security level and the verifier's ring-Pedersen parameters (the paper's L and R_j).</summary>
    public static Transcript AppendSetup(Transcript transcript, SecurityLevel level, RingPedersenParameters setup) =>
        transcript
            .Append("level", level.Name)
            .Append("level.ell", (ulong)level.Ell)
            .Append("level.ell-prime", (ulong)level.EllPrime)
            .Append("level.epsilon", (ulong)level.Epsilon)
            .Append("ring-pedersen.N", setup.N)
            .Append("ring-pedersen.s", setup.S)
            .Append("ring-pedersen.t", setup.T);

    /// <summary>Runs the checks in order and names the first that fails.</summary>
    public static Verdict FirstFailure(IEnumerable<(string Check, Func<bool> Holds)> checks)
    {
        foreach (var (check, holds) in checks)
        {
            if (!holds())
            {
                return Verdict.Fail(check);
            }
        }

        return Verdict.Valid;
    }

    /// <summary>Runs every check and names all that fail.</summary>
    public static List<string> AllFailures(IEnumerable<(string Check, Func<bool> Holds)> checks)
    {
        var failed = new List<string>();
        foreach (var (check, holds) in checks)
        {
            if (!holds())
            {
                failed.Add(check);
            }
        }

        return failed;
    }

    /// <summary>Throws unless the optional secrets belong to the statement's moduli.</summary>
    public static void RequireOwnership(PaillierPublicKey key, PaillierSecretKey? owner, string parameter)
    {
        if (owner is not null && owner.N != key.N)
        {
            throw new ArgumentException("the secret key does not belong to the statement's modulus", parameter);
        }
    }

    /// <summary>Throws unless <paramref name="owner"/> (if any) holds the statement's ring-Pedersen parameters.</summary>
    public static void RequireOwnership(RingPedersenParameters setup, RingPedersenSecret? owner, string parameter)
    {
        if (owner is not null && !owner.Parameters.Equals(setup))
        {
            throw new ArgumentException("the ring-Pedersen secret does not belong to the statement's setup", parameter);
        }
    }
}

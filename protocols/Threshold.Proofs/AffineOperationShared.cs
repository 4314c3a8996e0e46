// What Πaff-g and Πaff-p (CGGMP21 Fig. 15 and its Paillier-commitment variant) share: the ranges of
// the security level, group-membership tests, and the arithmetic that takes the owner-side (CRT)
// shortcut when the caller holds the factorisation of a modulus.
using System.Numerics;
using System.Security.Cryptography;
using Threshold.Arithmetic;
using Threshold.Paillier;
using Threshold.Secrets;
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

    /// <summary>
    /// The first-message values both proofs compute alike: A = C^α · (1 + N0)^β · r^N0 mod N0² (N0 is the
    /// verifier's key: no CRT for the prover), B_y = Enc_N1(β; r_y) and the commitments E, S, F, T. A
    /// runs on one core and the rest beside it: two halves of about equal work.
    /// </summary>
    public static (BigInteger A, BigInteger By, BigInteger E, BigInteger S, BigInteger F, BigInteger T) FirstMessage(
        SecurityLevel level,
        RingPedersenParameters setup,
        PaillierPublicKey n0,
        PaillierPublicKey n1,
        PaillierCiphertext c,
        BigInteger x,
        BigInteger y,
        AffineMasks masks,
        PaillierSecretKey? proverKey)
    {
        var a0 = n0.Arithmetic;
        var mask = level.Ell + level.Epsilon;
        var (bigA, (by, bigE, bigS, bigF, bigT)) = Concurrently.Run(
            () => a0.ModMul(a0.ModPowSecretSigned(c.Value, masks.Alpha.Value, n0.NSquared), n0.Encrypt(masks.Beta.Value, masks.R.Value).Value, n0.NSquared),
            () => (
                PaillierRangeMath.EncryptMask(n1, proverKey, masks.Beta.Value, masks.RY.Value),
                setup.SecretCommit(masks.Alpha.Value, mask, masks.Gamma.Value, PaillierRangeMath.WithModulus(mask, setup)),
                setup.SecretCommit(x, level.Ell, masks.M.Value, PaillierRangeMath.WithModulus(level.Ell, setup)),
                setup.SecretCommit(masks.Beta.Value, level.EllPrime + level.Epsilon, masks.Delta.Value, PaillierRangeMath.WithModulus(mask, setup)),
                setup.SecretCommit(y, level.EllPrime, masks.Mu.Value, PaillierRangeMath.WithModulus(level.Ell, setup))));
        return (bigA, by, bigE, bigS, bigF, bigT);
    }

    /// <summary>z1 = α + e·x, z2 = β + e·y, z3 = γ + e·m, z4 = δ + e·μ, w = r·ρ^e mod N0, w_y = r_y·ρ_y^e mod N1.</summary>
    public static (BigInteger Z1, BigInteger Z2, BigInteger Z3, BigInteger Z4, BigInteger W, BigInteger Wy) Responses(
        AffineMasks masks,
        BigInteger x,
        BigInteger y,
        BigInteger e,
        PaillierPublicKey n0,
        PaillierPublicKey n1,
        BigInteger rho,
        BigInteger rhoY,
        PaillierSecretKey? proverKey) =>
        (masks.Alpha.Value + (e * x),
            masks.Beta.Value + (e * y),
            masks.Gamma.Value + (e * masks.M.Value),
            masks.Delta.Value + (e * masks.Mu.Value),
            PaillierRangeMath.NonceResponse(n0, null, masks.R.Value, rho, e),
            PaillierRangeMath.NonceResponse(n1, proverKey, masks.RY.Value, rhoY, e));

    /// <summary>C^z1 · Enc_N0(z2; w) = A · D^e mod N0² (the first equality), by CRT when the verifier owns N0.</summary>
    public static bool AffineEquality(PaillierPublicKey n0, PaillierSecretKey? verifierKey, BigInteger c, BigInteger d, BigInteger a, BigInteger z1, BigInteger z2, BigInteger w, BigInteger e)
    {
        var arithmetic = n0.Arithmetic;
        var left = verifierKey is null
            ? arithmetic.ModMul(arithmetic.MultiExp(c, z1, w, n0.N, n0.NSquared), n0.PlaintextFactor(z2), n0.NSquared)
            : arithmetic.ModMul(PowModNSquared(n0, verifierKey, c, z1), verifierKey.Encrypt(z2, w).Value, n0.NSquared);
        return left == arithmetic.ModMul(a, PowModNSquared(n0, verifierKey, d, e), n0.NSquared);
    }

    /// <summary>s^z · t^z' = B · S^e mod N̂ (the fourth and fifth equalities), by CRT when the verifier owns N̂.</summary>
    public static bool CommitmentEquality(RingPedersenParameters setup, RingPedersenSecret? verifierSetup, BigInteger z, BigInteger zRandom, BigInteger mask, BigInteger commitment, BigInteger e) =>
        Commit(setup, verifierSetup, z, zRandom) == CommitmentTimesPower(setup, verifierSetup, mask, commitment, e);

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

/// <summary>The prover's masks of Fig. 15, sampled from their ranges and wiped on dispose.</summary>
internal sealed class AffineMasks : IDisposable
{
    private AffineMasks(SecurityLevel level, RingPedersenParameters setup, PaillierPublicKey n0, PaillierPublicKey n1, RandomNumberGenerator rng)
    {
        var wide = AffineOperationShared.Power2(level.Ell + level.Epsilon) * setup.N;
        var narrow = AffineOperationShared.Power2(level.Ell) * setup.N;
        Alpha = new SecretBigInteger(Sampling.Signed(rng, level.Ell + level.Epsilon));
        Beta = new SecretBigInteger(Sampling.Signed(rng, level.EllPrime + level.Epsilon));
        R = new SecretBigInteger(n0.SampleNonce(rng));
        RY = new SecretBigInteger(n1.SampleNonce(rng));
        Gamma = new SecretBigInteger(Sampling.Signed(rng, wide));
        M = new SecretBigInteger(Sampling.Signed(rng, narrow));
        Delta = new SecretBigInteger(Sampling.Signed(rng, wide));
        Mu = new SecretBigInteger(Sampling.Signed(rng, narrow));
    }

    /// <summary>α ← ±2^(ℓ+ε).</summary>
    public SecretBigInteger Alpha { get; }

    /// <summary>β ← ±2^(ℓ'+ε).</summary>
    public SecretBigInteger Beta { get; }

    /// <summary>r ← Z*_{N0}.</summary>
    public SecretBigInteger R { get; }

    /// <summary>r_y ← Z*_{N1}.</summary>
    public SecretBigInteger RY { get; }

    /// <summary>γ ← ±2^(ℓ+ε)·N̂.</summary>
    public SecretBigInteger Gamma { get; }

    /// <summary>m ← ±2^ℓ·N̂.</summary>
    public SecretBigInteger M { get; }

    /// <summary>δ ← ±2^(ℓ+ε)·N̂.</summary>
    public SecretBigInteger Delta { get; }

    /// <summary>μ ← ±2^ℓ·N̂.</summary>
    public SecretBigInteger Mu { get; }

    /// <summary>Samples every mask from its range of <paramref name="level"/>.</summary>
    public static AffineMasks Sample(SecurityLevel level, RingPedersenParameters setup, PaillierPublicKey n0, PaillierPublicKey n1, RandomNumberGenerator rng) =>
        new(level, setup, n0, n1, rng);

    public void Dispose()
    {
        Alpha.Dispose();
        Beta.Dispose();
        R.Dispose();
        RY.Dispose();
        Gamma.Dispose();
        M.Dispose();
        Delta.Dispose();
        Mu.Dispose();
    }
}

// Πfac: the no-small-factor proof of CGGMP21 (eprint 2021/060, Fig. 28, appendix), made non-interactive
// by Fiat–Shamir as in the LFDT-Lockness spec (spec/main.tex, "Πfac").
//
// Relation: N = p·q with both factors large, proved with commitments under the VERIFIER's ring-Pedersen
// parameters R_j = (N̂, s, t). Run in aux-info and key refresh once per (prover, verifier) pair (Fig. 6,
// round 3); it complements Πmod, which shows N has two prime factors but not that neither is small.
//
// Prover, with ℓ, ε from the SecurityLevel and √N meaning ⌊√N⌋:
//   α, β ← ±2^(ℓ+ε)·√N;  μ, ν ← ±2^ℓ·N̂;  σ ← ±2^ℓ·N·N̂;  r ← ±2^(ℓ+ε)·N·N̂;  x, y ← ±2^(ℓ+ε)·N̂;
//   P = s^p t^μ,  Q = s^q t^ν,  A = s^α t^x,  B = s^β t^y,  T = Q^α t^r  (all mod N̂);
//   e from the transcript of (ssid, prover, level, N̂, s, t, N, P, Q, A, B, T, σ);
//   z1 = α + e·p,  z2 = β + e·q,  w1 = x + e·μ,  w2 = y + e·ν,  v = r + e·(σ − ν·p).
// Verifier, in this order (the first failing check names the verdict): N has ModulusBits − 1 or
// ModulusBits bits (fac.n.size; the guarantee below is relative to √N, so the size is part of what is
// proved, and the upper end bounds the verifier's work);
// P, Q, A, B, T ∈ Z*_N̂ (fac.units); z1, z2 ∈ ±2^(ℓ+ε)·√N (fac.range.z1, fac.range.z2; cheap, so they run
// before the exponentiations); then
//   s^z1 t^w1 = A·P^e (fac.eq1),  s^z2 t^w2 = B·Q^e (fac.eq2),  Q^z1 t^v = T·(s^N t^σ)^e (fac.eq3)  mod N̂.
//
// Version followed: Fig. 28 of the latest revision with the ranges above, which the spec uses too.
// Deviation: the paper draws e ← ±q with q a challenge bound (the spec calls it Q); we take
// e ∈ ±2^ℓ (ℓ = 256, so at least the curve order of either curve), which keeps the proof independent of
// the curve and is the choice the Taurus implementation made as well. The masks α, β, x, y, r then hide
// e·p, e·q, e·μ, e·ν, e·(σ − ν·p) up to statistical distance about 2^(ℓ−ε) = 2^−256.
//
// Guarantee: by extraction from two answers (strong RSA on N̂), |p| ≤ |z1 − z1′| ≤ 2^(ℓ+ε+1)·√N and likewise
// for q, so both factors are at least √N / 2^(ℓ+ε+1): about 2^254 at the 2048-bit level (the paper's
// "p, q > 2^ℓ", which it states with 2^(2ℓ+ε) ≈ √N) and 2^766 at 3072. Soundness error about 2^−ℓ from the
// challenge space, well below the 2^−112 / 2^−128 targets. An honest proof fails the range check only if
// |α + e·p| exceeds the bound, with probability below 2^(1−ε).
//
// Speed: the verifier owns N̂ (its own aux-info modulus) and may pass its RingPedersenSecret so every
// check runs by CRT. The prover cannot use CRT (N̂ is not its own); its exponents involving p, q and
// the masks go through the constant-time exponentiation. Size: 5 elements of Z*_N̂ and 6 integers,
// about 3.6 KB at 2048 bits and 5.2 KB at 3072.
using System.Numerics;
using System.Security.Cryptography;
using Google.Protobuf;
using Threshold.Arithmetic;
using Threshold.Paillier;
using Threshold.Proofs.Encoding;
using Threshold.Secrets;

namespace Threshold.Proofs;

/// <summary>Πfac: N = p·q with no small factor, under the verifier's ring-Pedersen parameters (CGGMP21 Fig. 28).</summary>
public static class NoSmallFactorProof
{
    /// <summary>Names of the checks <see cref="Verify"/> can fail, in the order they run.</summary>
    public static class Checks
    {
        /// <summary>
        /// N has <see cref="SecurityLevel.ModulusBits"/> − 1 or <see cref="SecurityLevel.ModulusBits"/> bits
        /// (aux-info's 8κ − 1 lower bound, and the level's length as upper bound).
        /// </summary>
        public const string ModulusSize = "fac.n.size";

        /// <summary>P, Q, A, B, T are elements of Z*_N̂.</summary>
        public const string Units = "fac.units";

        /// <summary>z1 ∈ ±2^(ℓ+ε)·√N (Fig. 28, verification).</summary>
        public const string RangeZ1 = "fac.range.z1";

        /// <summary>z2 ∈ ±2^(ℓ+ε)·√N (Fig. 28, verification).</summary>
        public const string RangeZ2 = "fac.range.z2";

        /// <summary>s^z1 · t^w1 = A · P^e mod N̂ (Fig. 28, verification, first equality).</summary>
        public const string Equality1 = "fac.eq1";

        /// <summary>s^z2 · t^w2 = B · Q^e mod N̂ (Fig. 28, verification, second equality).</summary>
        public const string Equality2 = "fac.eq2";

        /// <summary>Q^z1 · t^v = T · (s^N · t^σ)^e mod N̂ (Fig. 28, verification, third equality).</summary>
        public const string Equality3 = "fac.eq3";
    }

    /// <summary>Public statement.</summary>
    /// <param name="Key">The prover's Paillier public key N (odd, at least 1024 bits by construction).</param>
    /// <param name="Setup">The VERIFIER's ring-Pedersen parameters R_j = (N̂, s, t).</param>
    /// <param name="Level">The security level: ℓ, ε and the expected modulus size.</param>
    public sealed record Statement(PaillierPublicKey Key, RingPedersenParameters Setup, SecurityLevel Level)
    {
        /// <summary>⌊√N⌋, the unit of the ranges of α, β, z1, z2.</summary>
        internal BigInteger RootN => IntegerSquareRoot(Key.N);

        /// <summary>2^(ℓ+ε)·⌊√N⌋: the range of α, β and of the responses z1, z2.</summary>
        internal BigInteger ResponseBound => RootN << (Level.Ell + Level.Epsilon);
    }

    /// <summary>Secret witness: the factors p, q of N (private copies, wiped on <see cref="Dispose"/>).</summary>
    public sealed class Witness : IDisposable
    {
        /// <summary>Holds copies of <paramref name="p"/> and <paramref name="q"/>.</summary>
        public Witness(BigInteger p, BigInteger q)
        {
            P = new SecretBigInteger(p);
            Q = new SecretBigInteger(q);
        }

        /// <summary>The factor p.</summary>
        public SecretBigInteger P { get; }

        /// <summary>The factor q.</summary>
        public SecretBigInteger Q { get; }

        /// <summary>The witness for a Paillier secret key (copies p and q; dispose the witness after proving).</summary>
        public static Witness From(PaillierSecretKey key)
        {
            ArgumentNullException.ThrowIfNull(key);
            return new Witness(key.P, key.Q);
        }

        /// <inheritdoc />
        public void Dispose()
        {
            P.Dispose();
            Q.Dispose();
        }

        /// <summary>Never shows the factors.</summary>
        public override string ToString() => "NoSmallFactorProof.Witness([secret])";
    }

    /// <summary>The proof ((P, Q, A, B, T, σ), (z1, z2, w1, w2, v)) of Fig. 28.</summary>
    /// <param name="P">P = s^p · t^μ mod N̂.</param>
    /// <param name="Q">Q = s^q · t^ν mod N̂.</param>
    /// <param name="A">A = s^α · t^x mod N̂.</param>
    /// <param name="B">B = s^β · t^y mod N̂.</param>
    /// <param name="T">T = Q^α · t^r mod N̂.</param>
    /// <param name="Sigma">σ ∈ ±2^ℓ·N·N̂.</param>
    /// <param name="Z1">z1 = α + e·p.</param>
    /// <param name="Z2">z2 = β + e·q.</param>
    /// <param name="W1">w1 = x + e·μ.</param>
    /// <param name="W2">w2 = y + e·ν.</param>
    /// <param name="V">v = r + e·(σ − ν·p).</param>
    public sealed record Proof(
        BigInteger P,
        BigInteger Q,
        BigInteger A,
        BigInteger B,
        BigInteger T,
        BigInteger Sigma,
        BigInteger Z1,
        BigInteger Z2,
        BigInteger W1,
        BigInteger W2,
        BigInteger V)
    {
        /// <summary>Protobuf encoding.</summary>
        public byte[] Encode() => new Wire.NoSmallFactorProof
        {
            P = WireCodec.Unsigned(P),
            Q = WireCodec.Unsigned(Q),
            A = WireCodec.Unsigned(A),
            B = WireCodec.Unsigned(B),
            T = WireCodec.Unsigned(T),
            Sigma = WireCodec.Signed(Sigma),
            Z1 = WireCodec.Signed(Z1),
            Z2 = WireCodec.Signed(Z2),
            W1 = WireCodec.Signed(W1),
            W2 = WireCodec.Signed(W2),
            V = WireCodec.Signed(V),
        }.ToByteArray();

        /// <summary>
        /// Strict decoding against <paramref name="statement"/>: P, Q, A, B, T in Z*_N̂; σ, z1, z2, w1, w2, v
        /// no longer (in bits) than an honest prover's values can be (the exact ranges of z1, z2 are
        /// checks of <see cref="Verify"/>).
        /// </summary>
        /// <exception cref="DecodingException">Malformed, oversized, out of range or not a unit.</exception>
        public static Proof Decode(Statement statement, ReadOnlySpan<byte> encoded)
        {
            ArgumentNullException.ThrowIfNull(statement);
            var bits = Bits.Of(statement);
            if (encoded.Length > bits.MaxEncodedLength)
            {
                throw new DecodingException(DecodingError.OutOfRange, "no-small-factor proof length");
            }

            var message = WireCodec.Parse(Wire.NoSmallFactorProof.Parser, encoded, "no-small-factor proof");
            var setup = statement.Setup;
            BigInteger Unit(ByteString value, string name) => WireCodec.DecodeUnit(value, setup.N, setup.Arithmetic, "no-small-factor " + name);
            return new Proof(
                Unit(message.P, "P"),
                Unit(message.Q, "Q"),
                Unit(message.A, "A"),
                Unit(message.B, "B"),
                Unit(message.T, "T"),
                WireCodec.DecodeSigned(message.Sigma, bits.Sigma, "no-small-factor sigma"),
                WireCodec.DecodeSigned(message.Z1, bits.Z, "no-small-factor z1"),
                WireCodec.DecodeSigned(message.Z2, bits.Z, "no-small-factor z2"),
                WireCodec.DecodeSigned(message.W1, bits.W, "no-small-factor w1"),
                WireCodec.DecodeSigned(message.W2, bits.W, "no-small-factor w2"),
                WireCodec.DecodeSigned(message.V, bits.V, "no-small-factor v"));
        }
    }

    /// <summary>Proves that N = p·q has no small factor (Fig. 28), under the verifier's parameters.</summary>
    /// <exception cref="ArgumentException">The witness does not factor the statement's N.</exception>
    public static Proof Prove(ProofContext context, Statement statement, Witness witness, RandomNumberGenerator rng)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(witness);
        ArgumentNullException.ThrowIfNull(rng);
        var p = witness.P.Value;
        var q = witness.Q.Value;
        var n = statement.Key.N;
        if (p <= 1 || q <= 1 || p * q != n)
        {
            throw new ArgumentException("the witness does not factor the statement's modulus", nameof(witness));
        }

        var setup = statement.Setup;
        var nHat = setup.N;
        var ell = statement.Level.Ell;
        var ellEpsilon = statement.Level.Ell + statement.Level.Epsilon;

        // Step 1: the masks (secret) and σ (public).
        using var alpha = new SecretBigInteger(Sampling.Signed(rng, statement.ResponseBound));
        using var beta = new SecretBigInteger(Sampling.Signed(rng, statement.ResponseBound));
        using var mu = new SecretBigInteger(Sampling.Signed(rng, nHat << ell));
        using var nu = new SecretBigInteger(Sampling.Signed(rng, nHat << ell));
        var sigma = Sampling.Signed(rng, (n * nHat) << ell);
        using var r = new SecretBigInteger(Sampling.Signed(rng, (n * nHat) << ellEpsilon));
        using var x = new SecretBigInteger(Sampling.Signed(rng, nHat << ellEpsilon));
        using var y = new SecretBigInteger(Sampling.Signed(rng, nHat << ellEpsilon));

        // Public bounds of each exponent: the factors' length (half of N's, public), and the masks' ranges.
        var factorBits = (int)Math.Max(p.GetBitLength(), q.GetBitLength());
        var maskBits = (int)statement.ResponseBound.GetBitLength();
        var muBits = (int)(nHat << ell).GetBitLength();
        var xBits = (int)(nHat << ellEpsilon).GetBitLength();
        var commitmentP = setup.SecretCommit(p, factorBits, mu.Value, muBits);
        var commitmentQ = setup.SecretCommit(q, factorBits, nu.Value, muBits);
        var commitmentA = setup.SecretCommit(alpha.Value, maskBits, x.Value, xBits);
        var commitmentB = setup.SecretCommit(beta.Value, maskBits, y.Value, xBits);
        var commitmentT = setup.Arithmetic.ModMul(
            setup.Arithmetic.ModPowSecretSigned(commitmentQ, alpha.Value, nHat),
            setup.Arithmetic.ModPowSecretSigned(setup.T, r.Value, nHat),
            nHat);

        // Step 2 (Fiat–Shamir) and step 3.
        var e = Challenge(context, statement, commitmentP, commitmentQ, commitmentA, commitmentB, commitmentT, sigma);
        return new Proof(
            commitmentP,
            commitmentQ,
            commitmentA,
            commitmentB,
            commitmentT,
            sigma,
            alpha.Value + (e * p),
            beta.Value + (e * q),
            x.Value + (e * mu.Value),
            y.Value + (e * nu.Value),
            r.Value + (e * (sigma - (nu.Value * p))));
    }

    /// <summary>
    /// Verifies a Πfac proof (Fig. 28, verification). The verifier owns the statement's ring-Pedersen
    /// parameters; passing its <paramref name="verifierSecret"/> makes every exponentiation a CRT one.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="verifierSecret"/> is for other parameters.</exception>
    public static Verdict Verify(ProofContext context, Statement statement, Proof proof, RingPedersenSecret? verifierSecret = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(proof);
        var setup = statement.Setup;
        if (verifierSecret is not null && !verifierSecret.Parameters.Equals(setup))
        {
            throw new ArgumentException("the verifier secret is for other ring-Pedersen parameters than the statement", nameof(verifierSecret));
        }

        var n = statement.Key.N;
        var bits = n.GetBitLength();
        if (bits < statement.Level.ModulusBits - 1 || bits > statement.Level.ModulusBits)
        {
            return Verdict.Fail(Checks.ModulusSize);
        }

        var nHat = setup.N;
        var arithmetic = setup.Arithmetic;
        if (!new[] { proof.P, proof.Q, proof.A, proof.B, proof.T }.All(value => value.Sign > 0 && value < nHat && arithmetic.IsCoprime(value, nHat)))
        {
            return Verdict.Fail(Checks.Units);
        }

        var bound = statement.ResponseBound;
        if (BigInteger.Abs(proof.Z1) > bound)
        {
            return Verdict.Fail(Checks.RangeZ1);
        }

        if (BigInteger.Abs(proof.Z2) > bound)
        {
            return Verdict.Fail(Checks.RangeZ2);
        }

        var e = Challenge(context, statement, proof.P, proof.Q, proof.A, proof.B, proof.T, proof.Sigma);

        // a^x · b^y mod N̂, by CRT when the verifier's secret is at hand.
        BigInteger Both(BigInteger a, BigInteger x, BigInteger b, BigInteger y) =>
            verifierSecret is null ? arithmetic.MultiExp(a, x, b, y, nHat) : verifierSecret.MultiExp(a, x, b, y);

        if (Both(setup.S, proof.Z1, setup.T, proof.W1) != Both(proof.P, e, proof.A, BigInteger.One))
        {
            return Verdict.Fail(Checks.Equality1);
        }

        if (Both(setup.S, proof.Z2, setup.T, proof.W2) != Both(proof.Q, e, proof.B, BigInteger.One))
        {
            return Verdict.Fail(Checks.Equality2);
        }

        var commitmentR = Both(setup.S, n, setup.T, proof.Sigma);
        return Verdict.Require(Both(proof.Q, proof.Z1, setup.T, proof.V) == Both(commitmentR, e, proof.T, BigInteger.One), Checks.Equality3);
    }

    /// <summary>The challenge e ∈ ±2^ℓ (Fig. 28, step 2, by Fiat–Shamir).</summary>
    private static BigInteger Challenge(
        ProofContext context,
        Statement statement,
        BigInteger p,
        BigInteger q,
        BigInteger a,
        BigInteger b,
        BigInteger t,
        BigInteger sigma)
    {
        var setup = statement.Setup;
        using var transcript = context.Transcript("fac")
            .Append("level", statement.Level.Name)
            .Append("ell", checked((ulong)statement.Level.Ell))
            .Append("epsilon", checked((ulong)statement.Level.Epsilon))
            .Append("Nhat", setup.N)
            .Append("s", setup.S)
            .Append("t", setup.T)
            .Append("N", statement.Key.N)
            .Append("P", p)
            .Append("Q", q)
            .Append("A", a)
            .Append("B", b)
            .Append("T", t)
            .Append("sigma", sigma);
        return transcript.Challenge().NextSigned(BigInteger.One << statement.Level.Ell);
    }

    /// <summary>⌊√n⌋ for n ≥ 0 (Newton's iteration from above).</summary>
    internal static BigInteger IntegerSquareRoot(BigInteger n)
    {
        if (n.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), "must not be negative");
        }

        if (n < 2)
        {
            return n;
        }

        var x = BigInteger.One << (int)((n.GetBitLength() + 1) / 2);
        while (true)
        {
            var next = (x + (n / x)) >> 1;
            if (next >= x)
            {
                return x;
            }

            x = next;
        }
    }

    /// <summary>Bit bounds of the signed values an honest prover sends, and the largest encoding.</summary>
    private readonly record struct Bits(int Sigma, int Z, int W, int V, int MaxEncodedLength)
    {
        public static Bits Of(Statement statement)
        {
            var level = statement.Level;
            var n = checked((int)statement.Key.N.GetBitLength());
            var nHat = checked((int)statement.Setup.N.GetBitLength());
            var root = checked((int)statement.RootN.GetBitLength());
            var ellEpsilon = level.Ell + level.Epsilon;

            // |σ| ≤ 2^ℓ·N·N̂; |z| ≤ 2^(ℓ+ε)·√N + 2^ℓ·p < 2^(ℓ+ε+1)·√N for factors of equal length;
            // |w| ≤ 2^(ℓ+ε)·N̂ + 2^(2ℓ)·N̂; |v| ≤ 2^(ℓ+ε)·N·N̂ + 2^(2ℓ+1)·N·N̂. One spare bit each.
            var sigma = level.Ell + n + nHat;
            var z = ellEpsilon + root + 1;
            var w = ellEpsilon + nHat + 1;
            var v = ellEpsilon + n + nHat + 1;
            var unitBytes = (nHat + 7) / 8;
            var total = (5 * (unitBytes + 4)) + (((sigma + (2 * z) + (2 * w) + v) / 8) + (6 * 6));
            return new Bits(sigma, z, w, v, total);
        }
    }
}
